/**
 * What one refresh of a policy snapshot re-reads (some users, some roles) and how it is applied:
 * in place and synchronously, so a decision running between two awaits never sees half of it.
 */
import { readRoleRows } from "../roles/roles.table.ts";
import type { Executor } from "../shared/tx.ts";
import type { EmergencyFact } from "./decision.rules.ts";
import {
  decisionUser,
  forgetAnswers,
  groupBy,
  type LoadedUser,
  type PolicySnapshot,
  putUser,
  type SnapshotRole,
  toLoadedUsers,
  toSnapshotRole,
  USER_COLUMNS,
} from "./policy-snapshot.ts";

/** The changes one refresh applies: users and roles re-read (absent row: deleted). */
export interface SnapshotDelta {
  readonly users: readonly LoadedUser[];
  readonly roles: ReadonlyMap<string, SnapshotRole | undefined>;
  /** Present when the tenant's open elevations were re-read. */
  readonly emergencies?: Map<string, EmergencyFact[]>;
}

/**
 * Re-reads some users (with their private roles) and some roles. Roles a reloaded user refers to
 * that the snapshot does not hold yet are read as well.
 */
export async function loadDelta(
  db: Executor,
  snapshot: PolicySnapshot,
  userIds: ReadonlySet<string>,
  roleIds: ReadonlySet<string>,
): Promise<SnapshotDelta> {
  const tenantId = snapshot.tenantId;
  const uids = [...userIds];
  let users: LoadedUser[] = [];
  const wanted = new Set(roleIds);
  if (uids.length > 0) {
    const [rows, access, wsRoles, privates] = await Promise.all([
      db
        .selectFrom("users")
        .select(USER_COLUMNS)
        .where("tenant_id", "=", tenantId)
        .where("id", "in", uids)
        .execute(),
      db
        .selectFrom("user_workspaces")
        .select(["user_id", "workspace_id"])
        .where("tenant_id", "=", tenantId)
        .where("user_id", "in", uids)
        .execute(),
      db
        .selectFrom("user_workspace_roles")
        .select(["user_id", "workspace_id", "role_id"])
        .where("tenant_id", "=", tenantId)
        .where("user_id", "in", uids)
        .execute(),
      db
        .selectFrom("roles")
        .select("id")
        .where("tenant_id", "=", tenantId)
        .where("private_user_id", "in", uids)
        .execute(),
    ]);
    users = toLoadedUsers(uids, rows, access, wsRoles);
    // The users' private roles, the ones the snapshot holds for them (perhaps deleted since), and
    // any role they now refer to that the snapshot has never seen.
    for (const p of privates) wanted.add(p.id);
    for (const role of snapshot.roles.values()) {
      if (role.privateUserId && userIds.has(role.privateUserId)) wanted.add(role.id);
    }
    for (const u of users) {
      if (!u.row) continue;
      for (const id of [u.row.role_id, ...u.workspaceRoles.values()]) {
        if (!snapshot.roles.has(id)) wanted.add(id);
      }
    }
  }
  const roles = new Map<string, SnapshotRole | undefined>();
  const rids = [...wanted];
  if (rids.length > 0) {
    const { roles: roleRows, rows: wsRows } = await readRoleRows(db, tenantId, rids);
    const rowsByRole = groupBy(wsRows, (r) => r.role_id);
    for (const id of rids) roles.set(id, undefined);
    for (const r of roleRows) roles.set(r.id, toSnapshotRole(r, rowsByRole.get(r.id) ?? []));
  }
  return { users, roles };
}

/** Applies a delta in place, synchronously: roles first, then every user a changed role touches. */
export function applyDelta(snapshot: PolicySnapshot, delta: SnapshotDelta): void {
  if (delta.emergencies) snapshot.emergencies = delta.emergencies;
  for (const [id, role] of delta.roles) {
    if (role) snapshot.roles.set(id, role);
    else snapshot.roles.delete(id);
  }
  const reloaded = new Set<string>();
  for (const u of delta.users) {
    putUser(snapshot, u);
    reloaded.add(u.id);
  }
  if (delta.roles.size === 0) return;
  for (const user of snapshot.users.values()) {
    if (reloaded.has(user.id)) continue;
    let touched = delta.roles.has(user.roleId);
    if (!touched) for (const r of user.workspaceRoles.values()) if (delta.roles.has(r)) touched = true;
    if (touched) {
      forgetAnswers(snapshot, user.id);
      user.decision = decisionUser(snapshot, user);
    }
  }
}
