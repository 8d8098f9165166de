/** SQL for the roles of one tenant: role rows, their workspace rows, and who holds them. */
import { sql } from "kysely";
import type { WorkspaceGrant } from "../access/grants.rules.ts";
import { pastKeyset } from "../db/keyset.ts";
import type { RolesTable, RoleWorkspacesTable } from "../db/schema.ts";
import { flag, toJson } from "../shared/json.ts";
import { escapeLike, foldKey } from "../shared/text.rules.ts";
import type { Executor } from "../shared/tx.ts";

export function createRoleStore(db: Executor, tenantId: string) {
  const roles = () => db.selectFrom("roles").where("tenant_id", "=", tenantId);

  /**
   * Distinct (role, user) pairs: the user's role or a per-workspace role. Archived users are left
   * out of the count shown on a role (they cannot act) but still block deletion, because
   * restoring one returns them to the role they held.
   */
  async function countHolders(
    roleIds: readonly string[],
    includeArchived: boolean,
  ): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (roleIds.length === 0) return out;
    const ids = [...new Set(roleIds)];
    const direct = db
      .selectFrom("users")
      .select(["users.role_id as role_id", "users.id as user_id"])
      .where("users.tenant_id", "=", tenantId)
      .where("users.role_id", "in", ids)
      .$if(!includeArchived, (q) => q.where("users.status", "<>", "archived"));
    const perWorkspace = db
      .selectFrom("user_workspace_roles as uwr")
      .innerJoin("users", (j) =>
        j.onRef("users.tenant_id", "=", "uwr.tenant_id").onRef("users.id", "=", "uwr.user_id"),
      )
      .select(["uwr.role_id as role_id", "uwr.user_id as user_id"])
      .where("uwr.tenant_id", "=", tenantId)
      .where("uwr.role_id", "in", ids)
      .$if(!includeArchived, (q) => q.where("users.status", "<>", "archived"));
    const rows = await db
      .selectFrom(direct.union(perWorkspace).as("h"))
      .select((eb) => ["h.role_id", eb.fn.countAll<number | string>().as("n")])
      .groupBy("h.role_id")
      .execute();
    for (const r of rows) out.set(r.role_id, Number(r.n));
    return out;
  }

  return {
    /** The names of the tenant's roles (private roles have none of their own). */
    async roleNames(): Promise<string[]> {
      const rows = await roles().select("name").where("private_user_id", "is", null).execute();
      return rows.map((r) => r.name);
    },

    /** A formal role; private roles are not reachable here. */
    findRoleById(id: string): Promise<RolesTable | undefined> {
      return roles().selectAll().where("id", "=", id).where("private_user_id", "is", null).executeTakeFirst();
    },

    listRoles(options: { limit: number; after: readonly [string, string] | null; q?: string | undefined }) {
      let q = roles()
        .selectAll()
        .where("private_user_id", "is", null)
        .orderBy("name_key")
        .orderBy("id")
        .limit(options.limit);
      if (options.after) q = q.where(pastKeyset("name_key", "id", ">", options.after));
      if (options.q) {
        // SQLite has no default LIKE escape character, so name it for both databases.
        const pattern = `%${escapeLike(foldKey(options.q))}%`;
        q = q.where(sql<boolean>`${sql.ref("name_key")} like ${pattern} escape '\\'`);
      }
      return q.execute();
    },

    /** Every formal role name key in the tenant (for choosing a free copy name). */
    async nameKeys(): Promise<Set<string>> {
      const rows = await roles().select("name_key").where("name_key", "is not", null).execute();
      return new Set(rows.map((r) => r.name_key!));
    },

    workspaceRows(roleIds: readonly string[]): Promise<RoleWorkspacesTable[]> {
      if (roleIds.length === 0) return Promise.resolve([]);
      return db
        .selectFrom("role_workspaces")
        .selectAll()
        .where("tenant_id", "=", tenantId)
        .where("role_id", "in", [...new Set(roleIds)])
        .orderBy("role_id")
        .orderBy("workspace_id")
        .execute();
    },

    async insertRole(row: Omit<RolesTable, "tenant_id">): Promise<void> {
      await db
        .insertInto("roles")
        .values({ ...row, tenant_id: tenantId })
        .execute();
    },

    async updateRole(id: string, patch: Partial<Omit<RolesTable, "tenant_id" | "id">>): Promise<void> {
      await db
        .updateTable("roles")
        .set(patch)
        .where("tenant_id", "=", tenantId)
        .where("id", "=", id)
        .execute();
    },

    /**
     * A renamed role moves the version of the users holding it as their role: their SCIM
     * representation names it (`groups[].display`), and an ETag that stayed put let a client keep
     * the old name on 304 (SCIM audit, 2026-12-06).
     */
    async touchHolders(roleId: string, at: string): Promise<void> {
      await db
        .updateTable("users")
        .set((eb) => ({ version: eb("version", "+", 1), updated_at: at }))
        .where("tenant_id", "=", tenantId)
        .where("role_id", "=", roleId)
        .execute();
    },

    async replaceWorkspaceRows(roleId: string, rows: readonly WorkspaceGrant[]): Promise<void> {
      await db
        .deleteFrom("role_workspaces")
        .where("tenant_id", "=", tenantId)
        .where("role_id", "=", roleId)
        .execute();
      if (rows.length === 0) return;
      await db
        .insertInto("role_workspaces")
        .values(
          rows.map((r) => ({
            tenant_id: tenantId,
            role_id: roleId,
            workspace_id: r.workspaceId,
            collaborator: flag(r.collaborator),
            permissions: toJson(r.permissions),
          })),
        )
        .execute();
    },

    async deleteRole(id: string): Promise<void> {
      await db
        .deleteFrom("role_workspaces")
        .where("tenant_id", "=", tenantId)
        .where("role_id", "=", id)
        .execute();
      await db
        .deleteFrom("scim_external_ids")
        .where("tenant_id", "=", tenantId)
        .where("resource_type", "=", "Group")
        .where("resource_id", "=", id)
        .execute();
      await db.deleteFrom("roles").where("tenant_id", "=", tenantId).where("id", "=", id).execute();
    },

    /** Non-archived users holding each role (the `userCount` a role shows). */
    userCounts: (roleIds: readonly string[]) => countHolders(roleIds, false),

    /** Every user, archived included, holding the role: any one of them blocks deletion. */
    async holderCount(roleId: string): Promise<number> {
      return (await countHolders([roleId], true)).get(roleId) ?? 0;
    },

    /** True when the user holds the role as their own role or as a per-workspace role. */
    async userHoldsRole(userId: string, roleId: string): Promise<boolean> {
      const direct = await db
        .selectFrom("users")
        .select("id")
        .where("tenant_id", "=", tenantId)
        .where("id", "=", userId)
        .where("role_id", "=", roleId)
        .executeTakeFirst();
      if (direct) return true;
      const ws = await db
        .selectFrom("user_workspace_roles")
        .select("user_id")
        .where("tenant_id", "=", tenantId)
        .where("user_id", "=", userId)
        .where("role_id", "=", roleId)
        .executeTakeFirst();
      return ws !== undefined;
    },

    /**
     * Whether anyone (archived included: a restore brings the role back) holds the role where
     * it reaches beyond `within`: as their own role while active in every workspace or in one not
     * listed, or as a per-workspace role in a workspace not listed.
     */
    async heldBeyond(roleId: string, within: readonly string[]): Promise<boolean> {
      // `not in ()` is no SQL: a name no workspace id can be stands in for an empty list.
      const listed = within.length > 0 ? within : [""];
      const formal = await db
        .selectFrom("users as u")
        .select("u.id")
        .where("u.tenant_id", "=", tenantId)
        .where("u.role_id", "=", roleId)
        .where((eb) =>
          eb.or([
            eb("u.workspace_access_all", "=", 1),
            eb.exists(
              eb
                .selectFrom("user_workspaces as w")
                .select("w.user_id")
                .where("w.tenant_id", "=", tenantId)
                .whereRef("w.user_id", "=", "u.id")
                .where("w.workspace_id", "not in", listed),
            ),
          ]),
        )
        .limit(1)
        .executeTakeFirst();
      if (formal) return true;
      const perWorkspace = await db
        .selectFrom("user_workspace_roles")
        .select("user_id")
        .where("tenant_id", "=", tenantId)
        .where("role_id", "=", roleId)
        .where("workspace_id", "not in", listed)
        .limit(1)
        .executeTakeFirst();
      return perWorkspace !== undefined;
    },
  };
}

export type RoleStore = ReturnType<typeof createRoleStore>;
