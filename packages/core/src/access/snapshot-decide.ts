/**
 * The hot path: decide() against a policy snapshot, from answer tables compiled per snapshot on
 * first use. A decision is three lookups (the user, the permission, the workspace) and two array
 * reads: user → their profile's table → the row for the workspace → the answer for the permission.
 *
 * What an answer depends on (for a live, non-virtual user asked no patient, with no elevation):
 * the user's status; for a tenant-only permission (the workspace is ignored) or no workspace, the
 * formal role; in a workspace, whether the user is active there and which role applies there.
 * Never the user's id, the clock, a patient grant or an elevation (those users and questions take
 * the full path). So:
 *  - a **row** (answers by permission index) is keyed by exactly those inputs for one workspace and
 *    is shared by every user whose inputs there are the same: rows do not multiply with users;
 *  - a **table** (rows by workspace index) belongs to an access profile — status, formal role,
 *    workspace list, per-workspace roles — and is shared by every user of that profile;
 *  - equal answers are one object, so the answers a decision reads stay few and in the CPU cache.
 *
 * Never stale, by identity: a user's table is valid for the decision object it was bound to
 * (`answersFor`), which the snapshot replaces whenever the user or one of its roles changes (and
 * then drops the user's `byUser` entry); profile and row keys name roles by object (a serial per
 * role object), and roles are replaced, never changed in place, so a changed role starts new
 * tables and rows. A workspace or catalogue change reloads the whole snapshot (and these tables).
 *
 * Active users who are expired or virtual (a virtual user's answer depends on how the caller
 * authenticated), users with an open elevation, unknown workspaces and unknown permissions take
 * the full path (the caller runs decide() with the facts it needs), as does a
 * collaborator's patient-scoped permission asked about a patient.
 */
import type { Decision, DecisionQuery, DecisionRole, DecisionUser } from "./decision.rules.ts";
import { decide } from "./decision.rules.ts";
import type {
  AnswerRow,
  AnswerTable,
  PolicySnapshot,
  SnapshotIndexes,
  SnapshotUser,
} from "./policy-snapshot.ts";

export interface SnapshotQuery extends DecisionQuery {
  readonly userId: string;
}

/** Tables and rows kept beyond what the users need before the maps start over (stale ones, after changes). */
const SPARE = 1024;

function indexesOf(snapshot: PolicySnapshot): SnapshotIndexes {
  // A catalogue replaced in place (not done today: a new catalogue comes with a new snapshot)
  // renumbers the permissions, so no table bound before may be read again.
  if (snapshot.indexes !== undefined) {
    for (const su of snapshot.users.values()) {
      su.answers = undefined;
      su.answersFor = undefined;
    }
  }
  // Workspace-scoped permissions first: a tenant-only one (index ≥ scoped) is answered from row 0.
  const permissions = new Map<string, number>();
  const all = [...snapshot.catalog.byKey.values()];
  for (const p of all) if (p.scope !== "tenant") permissions.set(p.key, permissions.size);
  const scoped = permissions.size;
  for (const p of all) if (p.scope === "tenant") permissions.set(p.key, permissions.size);
  const built: SnapshotIndexes = {
    catalog: snapshot.catalog,
    permissions,
    scoped,
    workspaces: new Map(),
    workspaceIds: [""],
    profiles: new Map(),
    rows: new Map(),
    answers: new Map(),
    byUser: new Map(),
  };
  snapshot.indexes = built;
  return built;
}

/** A workspace's first question: its index (1, 2, …), or -1 for a workspace the tenant does not have. */
function addWorkspace(snapshot: PolicySnapshot, indexes: SnapshotIndexes, id: string): number {
  if (!snapshot.workspaces.has(id)) return -1;
  const next = indexes.workspaceIds.length;
  indexes.workspaces.set(id, next);
  indexes.workspaceIds.push(id);
  return next;
}

/** A number per role object: keys name roles by identity, so a replaced role never matches. */
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

/**
 * Everything decide() reads from a user answered here, besides the clock (a user not active gets
 * one answer everywhere, whatever its roles).
 */
function profileKey(user: DecisionUser): string {
  if (user.status !== "active") return user.status;
  const access = user.workspaceAccess === "all" ? null : [...user.workspaceAccess].sort();
  const roles = [...user.workspaceRoles].map(([ws, role]) => [ws, serialOf(role)] as const);
  roles.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return JSON.stringify([serialOf(user.role), access, roles]);
}

/**
 * What decide() reads from the user for workspace-scoped questions in workspace `ws` (null: no
 * workspace, index 0, which also answers tenant-only permissions wherever they are asked).
 */
function rowKey(user: DecisionUser, w: number, ws: string | null): string {
  if (user.status !== "active") return user.status;
  if (ws === null) return `${serialOf(user.role)}`;
  // Not active there: denied, whatever role would apply.
  if (user.workspaceAccess !== "all" && !user.workspaceAccess.has(ws)) return `${w}:-`;
  const wsRole = user.workspaceRoles.get(ws);
  // The same role object answers differently as a per-workspace role (the reason says which).
  return wsRole === undefined ? `${w}:f${serialOf(user.role)}` : `${w}:w${serialOf(wsRole)}`;
}

/** Binds the user's current decision object to its profile's table. */
function bindTable(snapshot: PolicySnapshot, indexes: SnapshotIndexes, su: SnapshotUser): AnswerTable {
  const user = su.decision;
  // Tables nobody holds any more (a user or role changed) stay until the map outgrows the tenant.
  if (indexes.profiles.size > snapshot.users.size + SPARE) indexes.profiles.clear();
  const key = profileKey(user);
  let table = indexes.profiles.get(key);
  if (table === undefined) {
    table = [];
    indexes.profiles.set(key, table);
  }
  su.answers = table;
  su.answersFor = user;
  if (clockFree(su)) indexes.byUser.set(su.id, table);
  return table;
}

/**
 * Whether the user's answers can never depend on the clock or the caller: not active (decide()
 * says so before it looks at expiry or at how a virtual user acts), or neither virtual nor
 * expiring. Such a user's table goes in `byUser`.
 */
const clockFree = (su: SnapshotUser) => su.status !== "active" || (!su.virtual && su.expiresAt === null);

/**
 * The user's table when not compiled in `byUser`: undefined for an unknown user and for an active
 * user who is virtual (the answer depends on the caller) or expired (the full path). An active
 * user with an expiry is checked here on every decision.
 */
function tableOf(
  snapshot: PolicySnapshot,
  indexes: SnapshotIndexes,
  userId: string,
  now: string,
): AnswerTable | undefined {
  const su = snapshot.users.get(userId);
  if (su === undefined) return undefined;
  if (su.status === "active" && (su.virtual || (su.expiresAt !== null && su.expiresAt <= now)))
    return undefined;
  const table = su.answers;
  if (table !== undefined && su.answersFor === su.decision) return table;
  return bindTable(snapshot, indexes, su);
}

/** The table's row for workspace index `w`, shared with every table whose inputs there are the same. */
function bindRow(
  snapshot: PolicySnapshot,
  indexes: SnapshotIndexes,
  table: AnswerTable,
  userId: string,
  w: number,
): AnswerRow {
  const user = snapshot.users.get(userId)!.decision;
  const key = rowKey(user, w, w === 0 ? null : indexes.workspaceIds[w]!);
  if (indexes.rows.size > 8 * (snapshot.users.size + SPARE)) {
    indexes.rows.clear();
    indexes.answers.clear();
  }
  let row = indexes.rows.get(key);
  if (row === undefined) {
    row = [];
    indexes.rows.set(key, row);
  }
  table[w] = row;
  return row;
}

/** decide() for a question no user of this row has asked yet. */
function fill(
  snapshot: PolicySnapshot,
  indexes: SnapshotIndexes,
  row: AnswerRow,
  p: number,
  q: SnapshotQuery,
  now: string,
): Decision {
  const user = snapshot.users.get(q.userId)!.decision;
  const ws = q.workspaceId;
  const d = decide(
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
  // One object per distinct answer (no steps are recorded, so the reason is all there is).
  const key = `${d.allowed}${JSON.stringify(d.reason)}`;
  let shared = indexes.answers.get(key);
  if (shared === undefined) {
    shared = d;
    indexes.answers.set(key, d);
  }
  row[p] = shared;
  return shared;
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
  let indexes = snapshot.indexes;
  if (indexes === undefined || indexes.catalog !== snapshot.catalog) indexes = indexesOf(snapshot);
  // The user first: in a large tenant it is the lookup that misses the CPU caches, and the small
  // lookups below run while it is being fetched.
  const table = indexes.byUser.get(q.userId) ?? tableOf(snapshot, indexes, q.userId, now);
  if (table === undefined) return undefined;
  // A user with an open elevation may be granted what the rules deny.
  if (snapshot.emergencies.size > 0 && snapshot.emergencies.has(q.userId)) return undefined;
  const p = indexes.permissions.get(q.permission);
  if (p === undefined) return undefined;
  const ws = q.workspaceId;
  let w = 0;
  if (ws && p < indexes.scoped) {
    w = indexes.workspaces.get(ws) ?? addWorkspace(snapshot, indexes, ws);
    if (w < 0) return undefined;
  }
  const row = table[w] ?? bindRow(snapshot, indexes, table, q.userId, w);
  const d = row[p] ?? fill(snapshot, indexes, row, p, q, now);
  // Asked about a patient, a collaborator's patient-scoped permission needs the grants.
  if (q.patientRef && d.reason.code === "COLLABORATOR_NO_PATIENT") return undefined;
  return d;
}
