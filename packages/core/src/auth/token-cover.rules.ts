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

/**
 * Whether the token whose integration user is `userId` is still covered by its maker and theirs:
 * each maker active and holding what the user it made holds. A token the operator made (no maker)
 * is covered.
 */
export function coveredByMaker(policy: PolicySnapshot, userId: string): boolean {
  let user = policy.users.get(userId);
  for (let step = 0; user !== undefined && step < MAX_CHAIN; step++) {
    if (user.createdBy === null) return true;
    const maker = policy.users.get(user.createdBy);
    if (maker === undefined || maker.status !== "active") return false;
    if (!covers(policy, maker, user)) return false;
    // A person ends the chain; a maker that is itself a token's user answers to its own maker.
    if (!maker.virtual) return true;
    user = maker;
  }
  return false;
}

/**
 * The person at the root of the token user's chain of makers (the first maker who is not an
 * integration user), or undefined for a token the operator made.
 */
export function personBehind(policy: PolicySnapshot, userId: string): string | undefined {
  let user = policy.users.get(userId);
  for (let step = 0; user !== undefined && step < MAX_CHAIN; step++) {
    if (user.createdBy === null) return undefined;
    const maker = policy.users.get(user.createdBy);
    if (maker === undefined || !maker.virtual) return maker?.id;
    user = maker;
  }
  return undefined;
}
