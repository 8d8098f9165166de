/**
 * An API token is its maker's delegated credential, so it may never hold more than its maker holds
 * now, not only when it was made (pentest audit, 2026-12-05: an administrator demoted after making
 * an Administrator-role token kept that power through it, and used it to restore their own role).
 * Judged on every token request from the tenant's policy snapshot, so every way of narrowing the
 * maker (a role change, a role edited, private permissions, workspace access, per-workspace roles,
 * a deleted workspace) holds from the next request, with no path to forget. A token made by a
 * token is judged up the chain to the person at its root.
 */
import { accessBeyond, excessOver, grantsInWorkspace, type Holder } from "../access/grants.rules.ts";
import type { PolicySnapshot, SnapshotUser } from "../access/policy-snapshot.ts";
import { holdsPatientPermission, mfaRequiredFor } from "./mfa.rules.ts";

/** Tokens made by tokens made by tokens…: a bound on the walk, never reached in practice. */
const MAX_CHAIN = 16;

function holderOf(user: SnapshotUser): Holder {
  return {
    role: user.decision.role,
    workspaceRoles: user.decision.workspaceRoles,
    activeIn: user.decision.workspaceAccess,
  };
}

/** Whether `maker` holds every grant of `user` where `user` holds it. */
function covers(policy: PolicySnapshot, maker: SnapshotUser, user: SnapshotUser): boolean {
  const holder = holderOf(maker);
  const mine = holderOf(user);
  if (excessOver(policy.catalog, holder, mine.role).length > 0) return false;
  for (const [workspaceId, role] of mine.workspaceRoles) {
    if (excessOver(policy.catalog, holder, grantsInWorkspace(role, workspaceId)).length > 0) return false;
  }
  const beyond = accessBeyond(holder, mine.activeIn === "all" ? "all" : mine.activeIn);
  return beyond !== "all" && beyond.length === 0;
}

/** What a token's chain of makers says: whether it still acts, and for whom. */
export interface TokenMakers {
  /** Each maker active and holding what the user it made holds. */
  readonly covered: boolean;
  /** The person at the root (the first maker who is not an integration user), when covered. */
  readonly person?: string;
}

const UNCOVERED: TokenMakers = { covered: false };
/** No maker recorded: only rows older than `created_by`, or made outside the API. */
const NO_MAKER: TokenMakers = { covered: true };

/**
 * A person the tenant's MFA rule requires to enrol, and who has not, reaches nothing but the
 * enrolment with a session; their tokens are held back meanwhile, as tokens of a demoted maker
 * are. A token minted before the rule (or from the session that turned it on) reached every
 * administration route, and could switch the rule off (credentials audit, 2026-12-06).
 */
function confinedByMfa(policy: PolicySnapshot, person: SnapshotUser): boolean {
  if (person.mfaEnrolled) return false;
  return mfaRequiredFor(policy.settings.mfaRequired, {
    virtual: false,
    holdsPatientPermission: () =>
      holdsPatientPermission(policy.catalog, [
        person.decision.role,
        ...person.decision.workspaceRoles.values(),
      ]),
  });
}

/**
 * The earliest expiry among the token's makers, or null: an expired maker is not an active one,
 * and its tokens acted for up to a second after the expiry, until the expiry job archived it (the
 * lifecycle audit, 2026-12-06). Judged on every request, as the time moves with no change.
 */
export function makersExpireAt(policy: PolicySnapshot, userId: string): string | null {
  let earliest: string | null = null;
  let user = policy.users.get(userId);
  for (let step = 0; user?.createdBy && step < MAX_CHAIN; step++) {
    user = policy.users.get(user.createdBy);
    const at = user?.expiresAt ?? null;
    if (at !== null && (earliest === null || at < earliest)) earliest = at;
    if (!user?.virtual) break;
  }
  return earliest;
}

/** Walks the chain of makers of the token whose integration user is `userId`. */
export function tokenMakers(policy: PolicySnapshot, userId: string): TokenMakers {
  let user = policy.users.get(userId);
  for (let step = 0; user !== undefined && step < MAX_CHAIN; step++) {
    if (user.createdBy === null) return NO_MAKER;
    const maker = policy.users.get(user.createdBy);
    if (maker === undefined || maker.status !== "active") return UNCOVERED;
    if (!covers(policy, maker, user)) return UNCOVERED;
    // A person ends the chain; a maker that is itself a token's user answers to its own maker.
    if (!maker.virtual) return confinedByMfa(policy, maker) ? UNCOVERED : { covered: true, person: maker.id };
    user = maker;
  }
  return UNCOVERED;
}
