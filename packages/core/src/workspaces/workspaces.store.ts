/** SQL for the workspaces of one tenant. */

import { type SqlBool, sql } from "kysely";
import { pastKeyset } from "../db/keyset.ts";
import type { WorkspacesTable } from "../db/schema.ts";
import { escapeLike, foldSql } from "../shared/text.rules.ts";
import type { Executor } from "../shared/tx.ts";

export function createWorkspaceStore(db: Executor, tenantId: string) {
  const scoped = () => db.selectFrom("workspaces").where("tenant_id", "=", tenantId);
  return {
    findWorkspaceById(id: string): Promise<WorkspacesTable | undefined> {
      return scoped().selectAll().where("id", "=", id).executeTakeFirst();
    },
    /** The longest idle limit any workspace of the tenant sets for itself (seconds), or null. */
    async longestIdleSeconds(): Promise<number | null> {
      const row = await db
        .selectFrom("workspaces")
        .select((eb) => eb.fn.max("idle_timeout_seconds").as("longest"))
        .where("tenant_id", "=", tenantId)
        .executeTakeFirst();
      return row?.longest === null || row?.longest === undefined ? null : Number(row.longest);
    },
    async existingWorkspaceIds(ids: readonly string[]): Promise<Set<string>> {
      if (ids.length === 0) return new Set();
      const rows = await scoped()
        .select("id")
        .where("id", "in", [...new Set(ids)])
        .execute();
      return new Set(rows.map((r) => r.id));
    },
    listWorkspaces(options: { limit: number; after: readonly [string, string] | null; q?: string }) {
      let q = scoped().selectAll().orderBy("slug").orderBy("id").limit(options.limit);
      if (options.after) q = q.where(pastKeyset("slug", "id", ">", options.after));
      if (options.q) {
        // SQLite has no default LIKE escape character, so name it for both databases (a % or _
        // typed is itself: ASVS 1.2.9); sg_fold() folds alike on both (db/database.ts).
        const pattern = `%${escapeLike(foldSql(options.q))}%`;
        q = q.where((eb) =>
          eb.or([
            sql<SqlBool>`sg_fold(${sql.ref("name")}) like ${pattern} escape '\\'`,
            sql<SqlBool>`sg_fold(${sql.ref("slug")}) like ${pattern} escape '\\'`,
          ]),
        );
      }
      return q.execute();
    },
    async insertWorkspace(row: Omit<WorkspacesTable, "tenant_id">): Promise<void> {
      await db
        .insertInto("workspaces")
        .values({ ...row, tenant_id: tenantId })
        .execute();
    },
    async updateWorkspace(
      id: string,
      patch: Partial<Omit<WorkspacesTable, "tenant_id" | "id">>,
    ): Promise<void> {
      await db
        .updateTable("workspaces")
        .set(patch)
        .where("tenant_id", "=", tenantId)
        .where("id", "=", id)
        .execute();
    },
    /**
     * Deletes the workspace and every row that names it; returns how many of each went (and the
     * patient grants themselves). The roles
     * and users that lose a row change: their version (ETag) and `updated_at` move.
     */
    /** What `deleteWorkspaceCascade` would remove, and who would be left active in no workspace. */
    async usageOf(id: string, named: number, now: string) {
      const count = async (
        table: "role_workspaces" | "user_workspaces" | "user_workspace_roles" | "patient_grants",
      ) => {
        const row = await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .where("tenant_id", "=", tenantId)
          .where("workspace_id", "=", id)
          .executeTakeFirstOrThrow();
        return Number(row.n);
      };
      const onlyHere = db
        .selectFrom("users as u")
        .innerJoin("user_workspaces as uw", (j) =>
          j.onRef("uw.tenant_id", "=", "u.tenant_id").onRef("uw.user_id", "=", "u.id"),
        )
        .where("u.tenant_id", "=", tenantId)
        .where("uw.workspace_id", "=", id)
        .where("u.workspace_access_all", "=", 0)
        .where("u.status", "<>", "archived")
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom("user_workspaces as other")
                .select("other.user_id")
                .where("other.tenant_id", "=", tenantId)
                .whereRef("other.user_id", "=", "u.id")
                .where("other.workspace_id", "<>", id),
            ),
          ),
        );
      const [total, users] = await Promise.all([
        onlyHere.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
        onlyHere
          .select(["u.id", "u.display_name as displayName", "u.username"])
          .orderBy("u.display_name")
          .orderBy("u.id")
          .limit(named)
          .execute(),
      ]);
      return {
        roleRows: await count("role_workspaces"),
        accessEntries: await count("user_workspaces"),
        workspaceRoles: await count("user_workspace_roles"),
        patientGrants: await count("patient_grants"),
        // As emergency.store.ts `endOpenNaming` finds the ones a delete ends.
        openEmergencyAccess: Number(
          (
            await db
              .selectFrom("emergency_access")
              .select((eb) => eb.fn.countAll<number>().as("n"))
              .where("tenant_id", "=", tenantId)
              .where("workspace_id", "=", id)
              .where("ended_at", "is", null)
              .where("expires_at", ">", now)
              .executeTakeFirstOrThrow()
          ).n,
        ),
        usersOnlyHere: { count: Number(total.n), users },
      };
    },
    async deleteWorkspaceCascade(id: string, at: string) {
      const naming = (table: "role_workspaces" | "user_workspaces" | "user_workspace_roles") =>
        db.selectFrom(table).where("tenant_id", "=", tenantId).where("workspace_id", "=", id);
      await db
        .updateTable("roles")
        .set((eb) => ({ version: eb("version", "+", 1), updated_at: at }))
        .where("tenant_id", "=", tenantId)
        .where("id", "in", naming("role_workspaces").select("role_id"))
        .execute();
      await db
        .updateTable("users")
        .set((eb) => ({ version: eb("version", "+", 1), updated_at: at }))
        .where("tenant_id", "=", tenantId)
        .where((eb) =>
          eb.or([
            eb("id", "in", naming("user_workspaces").select("user_id")),
            eb("id", "in", naming("user_workspace_roles").select("user_id")),
          ]),
        )
        .execute();
      const del = async (
        table: "role_workspaces" | "user_workspaces" | "user_workspace_roles" | "patient_grants",
      ) =>
        Number(
          (
            await db
              .deleteFrom(table)
              .where("tenant_id", "=", tenantId)
              .where("workspace_id", "=", id)
              .executeTakeFirst()
          ).numDeletedRows,
        );
      const roleRows = await del("role_workspaces");
      const accessEntries = await del("user_workspaces");
      const workspaceRoles = await del("user_workspace_roles");
      // Each grant goes on record as revoked, in its patient's trail (the inspector audit).
      const patientGrants = await db
        .selectFrom("patient_grants as g")
        .innerJoin("users as u", (j) =>
          j.onRef("u.tenant_id", "=", "g.tenant_id").onRef("u.id", "=", "g.user_id"),
        )
        .select(["g.user_id", "u.username", "g.patient_ref", "g.workspace_id", "g.reason", "g.expires_at"])
        .where("g.tenant_id", "=", tenantId)
        .where("g.workspace_id", "=", id)
        .orderBy("g.patient_ref")
        .orderBy("g.user_id")
        .execute();
      await del("patient_grants");
      await db.deleteFrom("workspaces").where("tenant_id", "=", tenantId).where("id", "=", id).execute();
      return { roleRows, accessEntries, workspaceRoles, patientGrants };
    },
  };
}
