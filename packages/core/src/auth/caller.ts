/** The authenticated caller of a request, with the tenant-level permissions checked on every request. */
import type { Holder, RoleGrants } from "../access/grants.rules.ts";
import { tenantLevelKeys } from "../access/grants.rules.ts";
import type { PolicySnapshot } from "../access/policy-snapshot.ts";
import type { Catalog } from "../catalog/catalog.rules.ts";
import type { Actor } from "../shared/context.ts";

export interface Caller {
  /** `operator`: the command line acting on a tenant (operator-caller.ts); never an HTTP request. */
  readonly kind: "session" | "api_token" | "operator";
  readonly tenantId: string;
  readonly actor: Actor;
  /** The user acting: the signed-in user, or an API token's virtual integration user. */
  readonly userId: string;
  /**
   * An API token's person: the user at the root of its chain of makers (token-cover.rules.ts).
   * Their account is the token's own (isOwnAccount): the token is their delegated credential, so
   * it may not do to them what they may not do to themselves. Absent for sessions (the user is the
   * person) and for a token whose user records no maker (none the API makes).
   */
  readonly onBehalfOf?: string | undefined;
  readonly sessionId: string | null;
  readonly mustChangePassword: boolean;
  /**
   * What a session may reach (route.ts confines `mfa_enrolment` and `password_change`); absent or
   * `full` for API tokens and ordinary sessions.
   */
  readonly sessionPurpose?: "full" | "mfa_enrolment" | "password_change";
  /** The session passed the person's second factor (sessions.mfa_verified): MFA changes need it. */
  readonly sessionMfaVerified?: boolean;
  /** When the session signed in (sessions.created_at): a recent sign-in stands for the password (step-up.rules.ts). */
  readonly sessionSignedInAt?: string;
  /** SHA-256 of the session's CSRF token; http/auth.ts checks cookie-authenticated unsafe requests. */
  readonly csrfHash?: string | null;
  /** Sessions: the idle limit this request was judged by (seconds; authenticate.ts idleLimitSeconds). */
  readonly idleLimitSeconds?: number;
  readonly catalog: Catalog;
  readonly holder: Holder;
  readonly permissions: ReadonlySet<string>;
  /** The tenant's policy snapshot as of this request (decisions in the request reuse it). */
  readonly policy?: PolicySnapshot;
}

const permissionsOfRole = new WeakMap<RoleGrants, ReadonlySet<string>>();

/** Tenant-level keys of a role; memoised per role object (snapshots replace a role when it changes). */
export function callerPermissions(catalog: Catalog, role: RoleGrants): ReadonlySet<string> {
  let keys = permissionsOfRole.get(role);
  if (!keys) {
    keys = tenantLevelKeys(catalog, role);
    permissionsOfRole.set(role, keys);
  }
  return keys;
}

/**
 * Whether `userId` is the caller's own account: the signed-in user, or the person an API token
 * acts for. Without the second, a stolen session could make a token and, through it, change its
 * own email, password, MFA or role as if it were someone else's (SECURITY.md 5 and 40; the
 * SECURITY.md audit, 2026-12-06).
 */
export function isOwnAccount(caller: Caller, userId: string): boolean {
  return caller.userId === userId || caller.onBehalfOf === userId;
}

export function can(caller: Caller, permission: string): boolean {
  return caller.permissions.has(permission);
}
