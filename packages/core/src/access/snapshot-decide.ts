/**
 * The hot path: decide() against a policy snapshot, with each user's answers memoised per
 * (workspace, permission). A memoised answer depends only on the snapshot's user and roles —
 * never on the clock, a patient grant or an emergency — and it is kept on the snapshot's user for
 * its current decision object, which the snapshot replaces whenever the user or one of its roles
 * changes (a workspace or catalogue change reloads the whole snapshot).
 *
 * Keys are small integers (workspace index × catalogue size + permission index), so a memoised
 * answer costs the user lookup plus three lookups in small, cache-warm maps. Expired and virtual
 * users, users with an open elevation, unknown workspaces and unknown permissions take the full
 * path (the caller runs decide() with the facts it needs).
 */
import type { Decision, DecisionQuery } from "./decision.rules.ts";
import { decide } from "./decision.rules.ts";
import type { PolicySnapshot, SnapshotIndexes } from "./policy-snapshot.ts";

/** Answers kept per user before its memo starts over (bounds memory for a huge catalogue × workspaces). */
const MAX_PER_USER = 8192;

export interface SnapshotQuery extends DecisionQuery {
  readonly userId: string;
}

function indexesOf(snapshot: PolicySnapshot): SnapshotIndexes {
  const current = snapshot.indexes;
  if (current !== undefined && current.catalog === snapshot.catalog) return current;
  const permissions = new Map<string, number>();
  for (const key of snapshot.catalog.byKey.keys()) permissions.set(key, permissions.size);
  const built: SnapshotIndexes = { catalog: snapshot.catalog, permissions, workspaces: new Map() };
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
  const user = su.decision;
  if (
    user.virtual ||
    (user.expiresAt !== null && user.expiresAt <= now) ||
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

  let answers = su.answers;
  if (answers === undefined || answers.for !== user) {
    answers = { for: user, byKey: new Map() };
    su.answers = answers;
  }
  let d = answers.byKey.get(key);
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
    if (answers.byKey.size >= MAX_PER_USER) answers.byKey.clear();
    answers.byKey.set(key, d);
  }
  // Asked about a patient, a collaborator's patient-scoped permission needs the grants.
  if (q.patientRef && d.reason.code === "COLLABORATOR_NO_PATIENT") return undefined;
  return d;
}
