/** Maps role rows (and their workspace rows) to domain roles; loads a tenant's roles. */
import type { RoleRef } from "../access/grants.rules.ts";
import type { RolesTable, RoleWorkspacesTable } from "../db/schema.ts";
import { bool, parseJson } from "../shared/json.ts";
import type { Executor } from "../shared/tx.ts";

export function toRoleRef(row: RolesTable, rows: readonly RoleWorkspacesTable[]): RoleRef {
  return {
    id: row.id,
    name: row.name,
    locked: bool(row.locked),
    system: bool(row.system),
    privateUserId: row.private_user_id,
    permissions: parseJson<string[]>(row.permissions, []),
    collaborator: bool(row.collaborator),
    workspaces: rows
      .filter((r) => r.role_id === row.id)
      .map((r) => ({
        workspaceId: r.workspace_id,
        permissions: parseJson<string[]>(r.permissions, []),
        collaborator: bool(r.collaborator),
      })),
  };
}

/** Every role of one tenant, private ones included, keyed by id. */
export async function loadTenantRoles(db: Executor, tenantId: string): Promise<Map<string, RoleRef>> {
  const [roles, rows] = await Promise.all([
    db.selectFrom("roles").selectAll().where("tenant_id", "=", tenantId).execute(),
    db.selectFrom("role_workspaces").selectAll().where("tenant_id", "=", tenantId).execute(),
  ]);
  return new Map(roles.map((r) => [r.id, toRoleRef(r, rows)]));
}

/** The rows of some roles of one tenant by id, and their workspace rows (ids: not empty). */
export async function readRoleRows(
  db: Executor,
  tenantId: string,
  ids: readonly string[],
): Promise<{ roles: RolesTable[]; rows: RoleWorkspacesTable[] }> {
  const [roles, rows] = await Promise.all([
    db.selectFrom("roles").selectAll().where("tenant_id", "=", tenantId).where("id", "in", ids).execute(),
    db
      .selectFrom("role_workspaces")
      .selectAll()
      .where("tenant_id", "=", tenantId)
      .where("role_id", "in", ids)
      .execute(),
  ]);
  return { roles, rows };
}

/** Some roles of one tenant by id. */
export async function loadRolesById(
  db: Executor,
  tenantId: string,
  ids: readonly string[],
): Promise<Map<string, RoleRef>> {
  if (ids.length === 0) return new Map();
  const { roles, rows } = await readRoleRows(db, tenantId, ids);
  return new Map(roles.map((r) => [r.id, toRoleRef(r, rows)]));
}
