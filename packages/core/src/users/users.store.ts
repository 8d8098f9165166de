/** SQL for users of one tenant: every statement is bound to the store's tenant. */

import type { User } from "@staffgate/contract";
import type { UsersTable } from "../db/schema.ts";
import type { Executor } from "../shared/tx.ts";
import { toUser, type UserExtras } from "./users.table.ts";

export function createUserStore(db: Executor, tenantId: string) {
  const users = () => db.selectFrom("users").where("users.tenant_id", "=", tenantId);

  return {
    tenantId,

    async insertUser(row: Omit<UsersTable, "tenant_id">): Promise<void> {
      await db
        .insertInto("users")
        .values({ ...row, tenant_id: tenantId })
        .execute();
    },

    findUserRowById(id: string): Promise<UsersTable | undefined> {
      return users().selectAll().where("id", "=", id).executeTakeFirst();
    },

    findUserRowByLogin(key: string): Promise<UsersTable | undefined> {
      return users()
        .selectAll()
        .where((eb) => eb.or([eb("username_key", "=", key), eb("email_key", "=", key)]))
        .orderBy("username_key")
        .executeTakeFirst();
    },

    async extrasFor(rows: readonly UsersTable[]): Promise<Map<string, UserExtras>> {
      const ids = rows.map((r) => r.id);
      const out = new Map<string, UserExtras>();
      if (ids.length === 0) return out;
      const [access, wsRoles, privates] = await Promise.all([
        db
          .selectFrom("user_workspaces")
          .select(["user_id", "workspace_id"])
          .where("tenant_id", "=", tenantId)
          .where("user_id", "in", ids)
          .orderBy("workspace_id")
          .execute(),
        db
          .selectFrom("user_workspace_roles")
          .select(["user_id", "workspace_id", "role_id"])
          .where("tenant_id", "=", tenantId)
          .where("user_id", "in", ids)
          .orderBy("workspace_id")
          .execute(),
        db
          .selectFrom("roles")
          .select(["id"])
          .where("tenant_id", "=", tenantId)
          .where("private_user_id", "in", ids)
          .execute(),
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

    async toUsers(rows: readonly UsersTable[]): Promise<User[]> {
      const extras = await this.extrasFor(rows);
      return rows.map((r) => toUser(r, extras.get(r.id)!));
    },
  };
}

export type UserStore = ReturnType<typeof createUserStore>;
