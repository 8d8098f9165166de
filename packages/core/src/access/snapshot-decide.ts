/**
 * The hot path: decide() against a policy snapshot, with answers memoised per (workspace,
 * permission). A memoised answer depends only on the user's access profile — status, formal
 * role, workspace list, per-workspace roles — never on the user's id, the clock, a patient grant
 * or an emergency (those users and questions take the full path). So users of the same profile
 * share one memo: a tenant of 100,000 users has far fewer profiles than users, the memos stay
 * small and in the CPU cache, and a user's first question is usually already answered.
 *
 * Invalidation is by identity: a user's memo is valid for its current decision object, which the
 * snapshot replaces whenever the user or one of its roles changes; profiles are keyed by role
 * objects (replaced, never changed in place, when a role changes), so a changed role starts new
 * memos. A workspace or catalogue change reloads the whole snapshot (and these indexes).
 *
 * Keys are small integers (workspace index × catalogue size + permission index). Expired and
 * virtual users, users with an open elevation, unknown workspaces and unknown permissions take the
 * full path (the caller runs decide() with the facts it needs).
 */
import type { Decision, DecisionQuery, DecisionRole, DecisionUser } from "./decision.rules.ts";
import { decide } from "./decision.rules.ts";
import type { PolicySnapshot, SnapshotIndexes } from "./policy-snapshot.ts";

/** Answers kept per profile before its memo starts over (bounds memory for a huge catalogue × workspaces). */
const MAX_PER_PROFILE = 8192;

export interface SnapshotQuery extends DecisionQuery {
  readonly userId: string;
}

function indexesOf(snapshot: PolicySnapshot): SnapshotIndexes {
  const current = snapshot.indexes;
  if (current !== undefined && current.catalog === snapshot.catalog) return current;
  const permissions = new Map<string, number>();
  for (const key of snapshot.catalog.byKey.keys()) permissions.set(key, permissions.size);
  const built: SnapshotIndexes = {
    catalog: snapshot.catalog,
    permissions,
    workspaces: new Map(),
    profiles: new WeakMap(),
  };
  snapshot.indexes = built;
  return built;
}

/** The workspace's index (1, 2, …), or -1 for a workspace the tenant does not have. */
function workspaceIndex(snapshot: PolicySnapshot, indexes: SnapshotIndexes, id: string): number {
  const known = indexes.workspaces.get(id);
  if (known !== undefined) return known;
  if (!snapshot.workspaces.has(id)) return -1;
  const next = indexes.workspaces.size + 1;
  indexes.workspaces.set(id, next);
  return next;
}

/** A number per role object: a per-workspace role enters a profile's key by identity, like the formal role. */
const serials = new WeakMap<DecisionRole, number>();
let lastSerial = 0;
function serialOf(role: DecisionRole): number {
  let n = serials.get(role);
  if (n === undefined) {
    n = ++lastSerial;
    serials.set(role, n);
  }
  return n;
}

/** Everything decide() reads from a (live, non-virtual) user besides the formal role. */
function profileKey(user: DecisionUser): string {
  const access = user.workspaceAccess === "all" ? null : [...user.workspaceAccess].sort();
  const roles = [...user.workspaceRoles].map(([ws, role]) => [ws, serialOf(role)] as const);
  roles.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return JSON.stringify([user.status, access, roles]);
}

/** The memo shared by every user of `user`'s profile. */
function profileAnswers(
  snapshot: PolicySnapshot,
  indexes: SnapshotIndexes,
  user: DecisionUser,
): Map<number, Decision> {
  let byProfile = indexes.profiles.get(user.role);
  // Profiles nobody holds any more (a user changed) stay until the role's map outgrows the tenant.
  if (byProfile === undefined || byProfile.size > snapshot.users.size + 1024) {
    byProfile = new Map();
    indexes.profiles.set(user.role, byProfile);
  }
  const key = profileKey(user);
  let answers = byProfile.get(key);
  if (answers === undefined) {
    answers = new Map();
    byProfile.set(key, answers);
  }
  return answers;
}

/**
 * The answer when it can be given from the snapshot alone, else undefined (the caller runs
 * decide() with the facts it needs: patient grants, elevations).
 */
export function decideFromSnapshot(
  snapshot: PolicySnapshot,
  q: SnapshotQuery,
  now: string,
): Decision | undefined {
  const su = snapshot.users.get(q.userId);
  if (su === undefined) return undefined;
  // The snapshot user's own fields equal its decision object's (both built from one row), and
  // reading them spares a memory access per decision.
  if (
    su.virtual ||
    (su.expiresAt !== null && su.expiresAt <= now) ||
    (snapshot.emergencies.size > 0 && snapshot.emergencies.has(q.userId))
  ) {
    return undefined;
  }
  const indexes = indexesOf(snapshot);
  const p = indexes.permissions.get(q.permission);
  if (p === undefined) return undefined;
  const ws = q.workspaceId;
  const w = ws ? workspaceIndex(snapshot, indexes, ws) : 0;
  if (w < 0) return undefined;
  const key = w * indexes.permissions.size + p;

  const user = su.decision;
  let answers = su.answers;
  if (answers === undefined || su.answersFor !== user) {
    answers = profileAnswers(snapshot, indexes, user);
    su.answers = answers;
    su.answersFor = user;
  }
  let d = answers.get(key);
  if (d === undefined) {
    d = decide(
      {
        catalog: snapshot.catalog,
        now,
        user,
        viaApiToken: false,
        ...(ws ? { workspaceExists: true } : {}),
        patientGrants: [],
        emergencies: [],
      },
      { permission: q.permission, workspaceId: ws || null, patientRef: null },
      { steps: false },
    );
    if (answers.size >= MAX_PER_PROFILE) answers.clear();
    answers.set(key, d);
  }
  // Asked about a patient, a collaborator's patient-scoped permission needs the grants.
  if (q.patientRef && d.reason.code === "COLLABORATOR_NO_PATIENT") return undefined;
  return d;
}
