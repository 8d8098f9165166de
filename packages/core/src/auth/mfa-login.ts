/**
 * The sign-in's second-factor step, called by the sign-in after the password is verified.
 * The TOTP enrolment, recovery codes, tenant requirement and remember-device live behind this one
 * function so that the sign-in flow does not know how MFA works.
 */
import { randomBytes } from "node:crypto";
import type { UsersTable } from "../db/schema.ts";
import type { Deps } from "../shared/deps.ts";
import { hashSecret, newSecret } from "../shared/ids.ts";
import { inTx } from "../shared/tx.ts";
import type { TenantSettings } from "../tenants/settings.rules.ts";
import { rememberDeviceDays, rememberedDeviceValid } from "./mfa.rules.ts";
import { mfaRequiredOf, verifyMfaCode } from "./mfa.service.ts";
import { createMfaStore } from "./mfa.store.ts";

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
  /** The current TOTP code, or one unused recovery code (`xxxxx-xxxxx`; case and hyphens ignored). */
  readonly totp?: string | undefined;
  /** The remember-device token from the console's cookie, if any. */
  readonly rememberToken?: string | undefined;
}

/**
 * Decides the second factor for a user whose password was just verified:
 * - not enrolled: `enrolment_required` when the tenant's mfaRequired covers the user ("all": every
 *   non-virtual user; "patient_access": the user's role or a per-workspace role grants a
 *   patient-scoped permission), else `not_required`;
 * - enrolled: a valid remember-device token gives `ok` "remembered" (no code is used up); else a
 *   code is checked and used up: a TOTP code within ±1 step whose step is later than the last one
 *   accepted (replay refused), or an unused recovery code (single use, atomically) → `ok`, else
 *   `invalid`; no code at all → `missing`.
 */
export async function checkSecondFactor(
  deps: Deps,
  user: UsersTable,
  input: SecondFactorInput,
  settings: TenantSettings,
): Promise<SecondFactor> {
  if (user.virtual === 1) return { status: "not_required" };
  if (user.mfa_enrolled !== 1) {
    const required = await mfaRequiredOf(deps, deps.db.kysely, user, settings);
    return { status: required ? "enrolment_required" : "not_required" };
  }
  if (input.rememberToken) {
    const store = createMfaStore(deps.db.kysely, user.tenant_id);
    const device = await store.findRememberedDevice(user.id, hashSecret(input.rememberToken));
    if (device && rememberedDeviceValid(device, settings, deps.clock.now().getTime())) {
      return { status: "ok", method: "remembered" };
    }
    // Refused for its age under the limits now (0: never): forgotten, so that raising the limit
    // later does not bring it back, as a session refused for its time is ended.
    if (device) await store.forgetDevice(device.id);
  }
  const code = input.totp?.trim();
  if (!code) return { status: "missing" };
  const method = await verifyMfaCode(deps, user.tenant_id, user.id, code);
  return method ? { status: "ok", method } : { status: "invalid" };
}

export interface RememberToken {
  /** Goes into the console's cookie; only its SHA-256 is stored. */
  readonly token: string;
  readonly expiresAt: string;
}

/**
 * "Remember this device": after a sign-in whose second factor was `ok`, a token that stands in for
 * the code for min(rememberDeviceDays, 30) days. Null when the tenant's setting is 0 (never).
 */
export async function issueRememberToken(
  deps: Deps,
  tenantId: string,
  userId: string,
  settings: Pick<TenantSettings, "rememberDeviceDays">,
): Promise<RememberToken | null> {
  const days = rememberDeviceDays(settings);
  if (days === 0) return null;
  const token = newSecret("sgd");
  const now = deps.clock.now();
  const at = now.toISOString();
  const expiresAt = new Date(now.getTime() + days * 86_400_000).toISOString();
  await inTx(deps, async (trx) => {
    const store = createMfaStore(trx, tenantId);
    await store.deleteExpiredDevices(userId, at);
    await store.insertRememberedDevice({
      id: `dev_${randomBytes(16).toString("base64url")}`,
      user_id: userId,
      token_hash: hashSecret(token),
      expires_at: expiresAt,
      created_at: at,
    });
  });
  return { token, expiresAt };
}
