/** SQL for users of one tenant: every statement is bound to the store's tenant. */

import type { User } from "@staffgate/contract";
import { prepared } from "../db/prepared.ts";
import type { UsersTable } from "../db/schema.ts";
import { failpoint } from "../shared/failpoint.ts";
import type { Executor } from "../shared/tx.ts";
import type { WorkspaceRoleAssignment } from "./users.table.ts";
import { toUser, type UserExtras } from "./users.table.ts";

/** Who a statement is about: one user (`=`, compiled once) or a page of them (`in`). */
type Match = ["=", string] | ["in", readonly string[]];
const accessOf = (db: Executor, tenantId: string, ...match: Match) =>
  db
    .selectFrom("user_workspaces")
    .select(["user_id", "workspace_id"])
    .where("tenant_id", "=", tenantId)
    .where("user_id", match[0], match[1])
    .orderBy("workspace_id");
const workspaceRolesOf = (db: Executor, tenantId: string, ...match: Match) =>
  db
    .selectFrom("user_workspace_roles")
    .select(["user_id", "workspace_id", "role_id"])
    .where("tenant_id", "=", tenantId)
    .where("user_id", match[0], match[1])
    .orderBy("workspace_id");
const privateRolesOf = (db: Executor, tenantId: string, ...match: Match) =>
  db
    .selectFrom("roles")
    .select(["id"])
    .where("tenant_id", "=", tenantId)
    .where("private_user_id", match[0], match[1]);

type One = { tenantId: string; userId: string };
const ONE = ["tenantId", "userId"] as const;
const accessOfOne = prepared<One, { user_id: string; workspace_id: string }>([...ONE], (db, v) =>
  accessOf(db, v.tenantId, "=", v.userId),
);
const workspaceRolesOfOne = prepared<One, { user_id: string; workspace_id: string; role_id: string }>(
  [...ONE],
  (db, v) => workspaceRolesOf(db, v.tenantId, "=", v.userId),
);
const privateRolesOfOne = prepared<One, { id: string }>([...ONE], (db, v) =>
  privateRolesOf(db, v.tenantId, "=", v.userId),
);

type UserPatch = Partial<Omit<UsersTable, "tenant_id" | "id" | "created_at" | "created_by">>;

export function createUserStore(db: Executor, tenantId: string) {
  const users = () => db.selectFrom("users").where("users.tenant_id", "=", tenantId);

  return {
    tenantId,

    async insertUser(row: Omit<UsersTable, "tenant_id">): Promise<void> {
      await db
        .insertInto("users")
        .values({ ...row, tenant_id: tenantId })
        .execute();
      failpoint("after_user_insert");
    },

    /**
     * Holds the user's row until the commit on PostgreSQL, so that two transactions deciding about
     * the same user from what they read (a count, then a write) take turns. SQLite runs one write
     * transaction at a time. An id that names no row locks nothing and costs the same statement.
     */
    async lockUserRow(id: string, dialect: "sqlite" | "postgres"): Promise<void> {
      if (dialect !== "postgres") return;
      await users().select("id").where("id", "=", id).forNoKeyUpdate().execute();
    },

    findUserRowById(id: string): Promise<UsersTable | undefined> {
      return users().selectAll().where("id", "=", id).executeTakeFirst();
    },

    async updateUserRow(id: string, patch: UserPatch): Promise<void> {
      await db
        .updateTable("users")
        .set(patch)
        .where("tenant_id", "=", tenantId)
        .where("id", "=", id)
        .execute();
    },

    /** Replaces the user's "active workspaces" list (ignored while workspace_access_all = 1). */
    async replaceWorkspaceAccess(userId: string, workspaceIds: readonly string[]): Promise<void> {
      await db
        .deleteFrom("user_workspaces")
        .where("tenant_id", "=", tenantId)
        .where("user_id", "=", userId)
        .execute();
      await this.addWorkspaceAccess(userId, workspaceIds);
    },

    /** A user's first workspace list (a new user has none to replace). */
    async addWorkspaceAccess(userId: string, workspaceIds: readonly string[]): Promise<void> {
      if (workspaceIds.length === 0) return;
      await db
        .insertInto("user_workspaces")
        .values(workspaceIds.map((w) => ({ tenant_id: tenantId, user_id: userId, workspace_id: w })))
        .execute();
    },

    async replaceWorkspaceRoles(userId: string, roles: readonly WorkspaceRoleAssignment[]): Promise<void> {
      await db
        .deleteFrom("user_workspace_roles")
        .where("tenant_id", "=", tenantId)
        .where("user_id", "=", userId)
        .execute();
      await this.addWorkspaceRoles(userId, roles);
    },

    /** A user's first per-workspace roles (a new user has none to replace). */
    async addWorkspaceRoles(userId: string, roles: readonly WorkspaceRoleAssignment[]): Promise<void> {
      if (roles.length === 0) return;
      await db
        .insertInto("user_workspace_roles")
        .values(
          roles.map((r) => ({
            tenant_id: tenantId,
            user_id: userId,
            workspace_id: r.workspaceId,
            role_id: r.roleId,
          })),
        )
        .execute();
    },

    /** Deletes the user's private role and its workspace rows; returns its id when there was one. */
    async deletePrivateRoleOf(userId: string): Promise<string | undefined> {
      const role = await db
        .selectFrom("roles")
        .select("id")
        .where("tenant_id", "=", tenantId)
        .where("private_user_id", "=", userId)
        .executeTakeFirst();
      if (!role) return undefined;
      await db
        .deleteFrom("role_workspaces")
        .where("tenant_id", "=", tenantId)
        .where("role_id", "=", role.id)
        .execute();
      await db.deleteFrom("roles").where("tenant_id", "=", tenantId).where("id", "=", role.id).execute();
      return role.id;
    },

    /** Active users, split into billable seats and virtual users. */
    async countActiveSeats(): Promise<{ seats: number; virtual: number }> {
      const rows = await users()
        .select(["virtual", (eb) => eb.fn.countAll<number>().as("n")])
        .where("status", "=", "active")
        .groupBy("virtual")
        .execute();
      const n = (v: 0 | 1) => Number(rows.find((r) => Number(r.virtual) === v)?.n ?? 0);
      return { seats: n(0), virtual: n(1) };
    },

    async extrasFor(rows: readonly UsersTable[]): Promise<Map<string, UserExtras>> {
      const ids = rows.map((r) => r.id);
      const out = new Map<string, UserExtras>();
      if (ids.length === 0) return out;
      // A user with access to every workspace has no list to read (the common case, and the sign-in's).
      const listed = rows.filter((r) => r.workspace_access_all !== 1).map((r) => r.id);
      // One user (a sign-in, /auth/me, every single-user answer): statements compiled once.
      const one = ids.length === 1 ? { tenantId, userId: ids[0]! } : undefined;
      const [access, wsRoles, privates] = await Promise.all([
        listed.length === 0
          ? []
          : one
            ? accessOfOne.rows(db, one)
            : accessOf(db, tenantId, "in", listed).execute(),
        one ? workspaceRolesOfOne.rows(db, one) : workspaceRolesOf(db, tenantId, "in", ids).execute(),
        one ? privateRolesOfOne.rows(db, one) : privateRolesOf(db, tenantId, "in", ids).execute(),
      ]);
      const privateIds = new Set(privates.map((p) => p.id));
      for (const r of rows) {
        out.set(r.id, {
          privateRole: privateIds.has(r.role_id),
          workspaceAccess:
            r.workspace_access_all === 1
              ? "all"
              : access.filter((a) => a.user_id === r.id).map((a) => a.workspace_id),
          workspaceRoles: wsRoles
            .filter((w) => w.user_id === r.id)
            .map((w) => ({ workspaceId: w.workspace_id, roleId: w.role_id })),
        });
      }
      return out;
    },

    /** The API's users; `now` decides whether a timed lock is still on. */
    async toUsers(rows: readonly UsersTable[], now: string): Promise<User[]> {
      const extras = await this.extrasFor(rows);
      return rows.map((r) => toUser(r, extras.get(r.id)!, now));
    },
  };
}

export type UserStore = ReturnType<typeof createUserStore>;
