/**
 * The sign-in's second-factor step, called by the sign-in after the password is verified.
 * The TOTP enrolment, recovery codes, tenant requirement and remember-device live behind this one
 * function so that the sign-in flow does not know how MFA works.
 */
import type { UsersTable } from "../db/schema.ts";
import type { Deps } from "../shared/deps.ts";
import type { TenantSettings } from "../tenants/settings.rules.ts";

export type SecondFactor =
  /** Neither enrolled nor required: the password suffices. */
  | { readonly status: "not_required" }
  /** Enrolled and a valid code (or a remembered device) was given. */
  | { readonly status: "ok"; readonly method: "totp" | "recovery" | "remembered" }
  /** Enrolled, but no code was given: ask for one (the same 401 as every failure). */
  | { readonly status: "missing" }
  /** Enrolled, and the code is wrong or was already used. */
  | { readonly status: "invalid" }
  /** Required by the tenant but not enrolled: the session may only enrol. */
  | { readonly status: "enrolment_required" };

export interface SecondFactorInput {
  readonly totp?: string | undefined;
  /** The remember-device token from the console's cookie, if any. */
  readonly rememberToken?: string | undefined;
}

/** Enrolment does not exist yet (issue 4, item 8): nobody is enrolled, and nothing is required. */
export async function checkSecondFactor(
  _deps: Deps,
  user: UsersTable,
  _input: SecondFactorInput,
  _settings: TenantSettings,
): Promise<SecondFactor> {
  return user.mfa_enrolled === 1 ? { status: "missing" } : { status: "not_required" };
}
