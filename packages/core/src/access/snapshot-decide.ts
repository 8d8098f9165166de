/**
 * The hot path: decide() against a policy snapshot, with each user's answers memoised per
 * (workspace, permission). A memoised answer depends only on the snapshot's user and roles —
 * never on the clock, a patient grant or an emergency — and the memo is keyed by the user's
 * decision object, which the snapshot replaces whenever the user or one of its roles changes.
 * Everything else (expiry, patients, elevations, virtual users) takes the full path.
 */
import type { Decision, DecisionQuery, DecisionUser } from "./decision.rules.ts";
import { decide } from "./decision.rules.ts";
import type { PolicySnapshot } from "./policy-snapshot.ts";

/** Per user: workspace id ("" for none) → permission → answer. */
const memo = new WeakMap<DecisionUser, Map<string, Map<string, Decision>>>();
/** Answers kept per user before its memo starts over (bounds memory for odd callers). */
const MAX_PER_USER = 4096;
const sizes = new WeakMap<DecisionUser, number>();

export interface SnapshotQuery extends DecisionQuery {
  readonly userId: string;
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
  const user = snapshot.users.get(q.userId)?.decision;
  if (
    user === undefined ||
    user.status !== "active" ||
    user.virtual ||
    (user.expiresAt !== null && user.expiresAt <= now) ||
    snapshot.emergencies.has(q.userId)
  ) {
    return undefined;
  }
  const ws = q.workspaceId ?? "";
  let byWorkspace = memo.get(user);
  if (byWorkspace === undefined) {
    byWorkspace = new Map();
    memo.set(user, byWorkspace);
  }
  let answers = byWorkspace.get(ws);
  if (answers === undefined) {
    answers = new Map();
    byWorkspace.set(ws, answers);
  }
  let d = answers.get(q.permission);
  if (d === undefined) {
    d = decide(
      {
        catalog: snapshot.catalog,
        now,
        user,
        viaApiToken: false,
        ...(ws ? { workspaceExists: snapshot.workspaces.has(ws) } : {}),
        patientGrants: [],
        emergencies: [],
      },
      { permission: q.permission, workspaceId: ws || null, patientRef: null },
      { steps: false },
    );
    const size = (sizes.get(user) ?? 0) + 1;
    if (size > MAX_PER_USER) {
      byWorkspace.clear();
      sizes.set(user, 0);
    } else {
      sizes.set(user, size);
      answers.set(q.permission, d);
    }
  }
  // Asked about a patient, a collaborator's patient-scoped permission needs the grants.
  if (q.patientRef && d.reason.code === "COLLABORATOR_NO_PATIENT") return undefined;
  return d;
}
