/** The user state machine (PRODUCT.md §2 "User lifecycle") and who may act on whom (pure). */
import type { ErrorCode } from "@staffgate/contract";
import {
  accessBeyond,
  type Excess,
  excessOver,
  type Holder,
  type RoleGrants,
} from "../access/grants.rules.ts";
import type { Catalog } from "../catalog/catalog.rules.ts";

export type UserStatus = "invited" | "active" | "inactive" | "archived";

/** `activate` is invited → active when the password is set (credentials, issue 4). */
export type LifecycleAction = "activate" | "deactivate" | "reactivate" | "archive" | "restore";

export interface LifecycleState {
  readonly status: UserStatus;
  /**
   * The status before archiving (what restore returns to), or "invited" for an invited user who was
   * deactivated (what reactivate returns to).
   */
  readonly archivedFrom: string | null;
  readonly expiresAt: string | null;
}

export interface LifecycleOptions {
  readonly now: string;
  /** Restore only: a new expiry (ISO, UTC) or null for none; undefined keeps the current one. */
  readonly newExpiresAt?: string | null;
}

export type LifecycleDecision =
  | {
      readonly ok: true;
      readonly status: UserStatus;
      readonly archivedFrom: string | null;
      readonly expiresAt: string | null;
      /** Leaving `active` (or never reaching it) ends every session and API token. */
      readonly endsAccess: boolean;
    }
  | { readonly ok: false; readonly code: ErrorCode; readonly detail: string; readonly path?: string };

const FROM: Readonly<Record<Exclude<LifecycleAction, "restore" | "archive">, UserStatus>> = {
  activate: "invited",
  deactivate: "active",
  reactivate: "inactive",
};
const TO: Readonly<Record<Exclude<LifecycleAction, "restore" | "archive">, UserStatus>> = {
  activate: "active",
  deactivate: "inactive",
  reactivate: "active",
};

function refused(action: LifecycleAction, status: UserStatus): LifecycleDecision {
  return {
    ok: false,
    code: "USER_STATE_INVALID",
    detail: `A user who is ${status} cannot be ${verb(action)}`,
  };
}

function verb(action: LifecycleAction): string {
  return action === "activate" ? "activated" : `${action}d`;
}

/**
 * What an archive records as the state to restore: a user switched off before it ever set a
 * password is still one without a password, so restored it is invited again, not active without a
 * way to sign in (the lifecycle audit). The expiry job archives by the same rule.
 */
export function archivedFromOf(user: Pick<LifecycleState, "status" | "archivedFrom">): UserStatus {
  return user.status === "inactive" && user.archivedFrom === "invited" ? "invited" : user.status;
}

/** Whether an expiry has passed at `now` (both ISO 8601 in UTC, so they compare as text). */
export function hasExpired(expiresAt: string | null, now: string): boolean {
  return expiresAt !== null && expiresAt <= now;
}

/** Past its expiry an account is treated as archived: restored with a new expiry, never edited back. */
export function expiredRefusal(expiresAt: string): LifecycleDecision & { ok: false } {
  return {
    ok: false,
    code: "USER_STATE_INVALID",
    detail: `The account expired at ${expiresAt} and is being archived; restore it then with a new expiresAt`,
  };
}

/**
 * The state after `action`, or why it is refused. Restore returns the user to `active`, as
 * PRODUCT.md says (and as Provet re-activates a restored account), a deactivated one included:
 * restoring is the administrator's deliberate act. Only an invited user, who never set a password,
 * goes back to `invited` (its invitation can be sent again). A past expiry blocks restore unless a
 * new future expiry, or none, is given.
 */
export function decideTransition(
  user: LifecycleState,
  action: LifecycleAction,
  options: LifecycleOptions,
): LifecycleDecision {
  const keep = { archivedFrom: user.archivedFrom, expiresAt: user.expiresAt };
  if (action === "archive") {
    if (user.status === "archived") return refused(action, user.status);
    return {
      ok: true,
      status: "archived",
      archivedFrom: archivedFromOf(user),
      expiresAt: user.expiresAt,
      endsAccess: true,
    };
  }
  if (action === "restore") {
    if (user.status !== "archived") return refused(action, user.status);
    let expiresAt = user.expiresAt;
    if (options.newExpiresAt !== undefined) {
      if (options.newExpiresAt !== null && options.newExpiresAt <= options.now) {
        return { ok: false, code: "VALIDATION_FAILED", detail: "must be in the future", path: "expiresAt" };
      }
      expiresAt = options.newExpiresAt;
    } else if (expiresAt !== null && expiresAt <= options.now) {
      return {
        ok: false,
        code: "USER_EXPIRED",
        detail: `The account expired at ${expiresAt}; restore it with a new expiresAt in the future, or null for none`,
      };
    }
    const status: UserStatus = user.archivedFrom === "invited" ? "invited" : "active";
    return { ok: true, status, archivedFrom: null, expiresAt, endsAccess: status !== "active" };
  }
  // An invited user can be switched off before it ever signs in (an identity provider's
  // deprovisioning is `active:false`); reactivated, it is invited again. `archivedFrom` keeps where
  // it came from, as it does for archiving.
  if (action === "deactivate" && user.status === "invited") {
    return {
      ok: true,
      status: "inactive",
      archivedFrom: "invited",
      expiresAt: user.expiresAt,
      endsAccess: true,
    };
  }
  // Past its expiry the account is archived within moments by the expiry job: switched on in
  // between, it was active again without a restore (the lifecycle audit, 2026-12-06).
  if (action === "reactivate" && hasExpired(user.expiresAt, options.now))
    return expiredRefusal(user.expiresAt!);
  if (action === "reactivate" && user.status === "inactive" && user.archivedFrom === "invited") {
    return { ok: true, status: "invited", archivedFrom: null, expiresAt: user.expiresAt, endsAccess: true };
  }
  if (user.status !== FROM[action]) return refused(action, user.status);
  const status = TO[action];
  return { ok: true, status, ...keep, endsAccess: status !== "active" };
}

/**
 * What the target holds beyond the actor: its role everywhere, and each per-workspace role in its
 * workspace (there the workspace role replaces the user's role, so its tenant-level keys count
 * as that workspace's). Empty means the actor could have granted everything the target holds.
 */
export function excessOfTarget(catalog: Catalog, actor: Holder, target: Holder): Excess[] {
  const out = excessOver(catalog, actor, target.role);
  for (const [workspaceId, role] of target.workspaceRoles) {
    const inWorkspace: RoleGrants = {
      permissions: [],
      collaborator: false,
      workspaces: [
        { workspaceId, permissions: role.permissions, collaborator: role.collaborator },
        ...role.workspaces.filter((w) => w.workspaceId === workspaceId),
      ],
    };
    out.push(...excessOver(catalog, actor, inWorkspace));
  }
  return out;
}

/**
 * Why `actor` may not act on `target` (switch it off or on, edit it, set its password…), or null.
 * Whoever could not have granted what the user holds may not act on them (SECURITY.md G-52), and
 * neither may someone limited to some workspaces act on a user active beyond them: there the actor
 * holds nothing (PRODUCT.md §2), so a department's administrator manages that department's staff.
 */
export function refusalToActOn(catalog: Catalog, actor: Holder, target: Holder): string | null {
  const beyond = accessBeyond(actor, target.activeIn);
  if (beyond === "all") {
    return "The user is active in every workspace and you are not; only someone active in all of them can act on this user";
  }
  if (beyond.length > 0) {
    return `The user is active in workspaces you are not (${beyond.slice(0, 10).join(", ")}); only someone active there can act on this user`;
  }
  const excess = excessOfTarget(catalog, actor, target);
  if (excess.length > 0) {
    return `The user holds permissions you do not (${describeExcess(excess)}); only someone holding them can act on this user`;
  }
  return null;
}

/** "users.manage in wsp_1, audit.view" for an error detail. */
export function describeExcess(excess: readonly Excess[]): string {
  const parts = excess.map((e) => (e.workspaceId ? `${e.permission} in ${e.workspaceId}` : e.permission));
  return [...new Set(parts)].slice(0, 10).join(", ");
}
