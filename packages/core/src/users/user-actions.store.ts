/** SQL for user lifecycle actions and private roles; every statement is bound to the store's tenant. */
import type { RoleGrants } from "../access/grants.rules.ts";
import type { UsersTable } from "../db/schema.ts";
import { flag, toJson } from "../shared/json.ts";
import type { Executor } from "../shared/tx.ts";
import { PRIVATE_ROLE_LABEL } from "./user-csv.rules.ts";
import { archivedFromOf } from "./user-lifecycle.rules.ts";
import { createUserStore } from "./users.store.ts";

export type UserChange = Partial<
  Pick<
    UsersTable,
    | "status"
    | "archived_from"
    | "expires_at"
    | "locked"
    | "locked_until"
    | "failed_attempts"
    | "role_id"
    | "updated_at"
    | "version"
  >
>;

/**
 * The expiry job's scan: the one query over users of every tenant (jobs/expiry.job.ts says why);
 * each user found is then handled inside its own tenant's transaction.
 */
/** Every table whose rows belong to one user (by `user_id`); a purge deletes them all. */
const USER_OWNED_TABLES = [
  "user_workspaces",
  "user_workspace_roles",
  "sessions",
  "api_tokens",
  "patient_grants",
  "emergency_access",
  "credential_tokens",
  "password_history",
  "compromised_passwords",
  "mfa_totp",
  "mfa_recovery_codes",
  "mfa_remembered_devices",
] as const;

/**
 * Events anyone can cause by naming the user without being them (a failed sign-in, the lock it
 * triggers, a forgot-password request). They are recorded without an actor id now, but older rows
 * name the user as actor and the audit is never rewritten, so purge skips them by action.
 */
const NOT_THE_USERS_OWN = ["auth.login.failed", "auth.locked", "auth.password.reset_requested"];

/**
 * Whether an account not yet archived reached its expiry after `after` (null: ever) and by `at`:
 * one probe of users_expiry_due_idx.
 */
/** `db`: db.allTenants (a job over every tenant). */
export async function anyExpiryDue(db: Executor, after: string | null, at: string): Promise<boolean> {
  let q = db
    .selectFrom("users")
    .select("id")
    .where("status", "<>", "archived")
    .where("expires_at", "is not", null)
    .where("expires_at", "<=", at);
  if (after !== null) q = q.where("expires_at", ">", after);
  const row = await q.limit(1).executeTakeFirst();
  return row !== undefined;
}

export function findExpiredUsersAcrossTenants(
  db: Executor,
  at: string,
  limit: number,
): Promise<{ tenant_id: string; id: string }[]> {
  return db
    .selectFrom("users")
    .select(["tenant_id", "id"])
    .where("status", "<>", "archived")
    .where("expires_at", "is not", null)
    .where("expires_at", "<=", at)
    .orderBy("expires_at")
    .limit(limit)
    .execute();
}

export function createUserActionsStore(db: Executor, tenantId: string) {
  return {
    /** One place writes user rows: the users store. */
    updateUser: (id: string, change: UserChange) => createUserStore(db, tenantId).updateUserRow(id, change),

    /** The user's per-workspace role assignments (workspace → role). */
    async workspaceRoleIds(userId: string): Promise<{ workspace_id: string; role_id: string }[]> {
      return db
        .selectFrom("user_workspace_roles")
        .select(["workspace_id", "role_id"])
        .where("tenant_id", "=", tenantId)
        .where("user_id", "=", userId)
        .execute();
    },

    /** The workspaces a user is active in when not in all of them (its row's workspace_access_all). */
    async listedWorkspaceIds(userId: string): Promise<string[]> {
      const rows = await db
        .selectFrom("user_workspaces")
        .select("workspace_id")
        .where("tenant_id", "=", tenantId)
        .where("user_id", "=", userId)
        .execute();
      return rows.map((r) => r.workspace_id);
    },

    /** Archives unless already archived; false when another writer got there first. */
    async archiveUnlessArchived(row: UsersTable, at: string): Promise<boolean> {
      const updated = await db
        .updateTable("users")
        .set({
          status: "archived",
          archived_from: archivedFromOf({ status: row.status, archivedFrom: row.archived_from }),
          updated_at: at,
          version: row.version + 1,
        })
        .where("tenant_id", "=", tenantId)
        .where("id", "=", row.id)
        .where("status", "!=", "archived")
        .executeTakeFirst();
      return Number(updated.numUpdatedRows) === 1;
    },

    /** Why purge must refuse: the first kind of history found, or null when there is none. */
    async historyOf(user: UsersTable): Promise<string | null> {
      if (user.last_login_at !== null) return "has signed in";
      const acted = await db
        .selectFrom("audit_events")
        .select("seq")
        .where("tenant_id", "=", tenantId)
        .where("actor_id", "=", user.id)
        .where("action", "not in", NOT_THE_USERS_OWN)
        .limit(1)
        .executeTakeFirst();
      if (acted) return "appears in the audit trail as an actor";
      // An integration user acts through its API tokens: the events name the token as actor.
      const actedByToken = await db
        .selectFrom("audit_events")
        .select("seq")
        .where("tenant_id", "=", tenantId)
        .where("actor_type", "=", "api_token")
        .where(
          "actor_id",
          "in",
          db
            .selectFrom("api_tokens")
            .select("id")
            .where("tenant_id", "=", tenantId)
            .where("user_id", "=", user.id),
        )
        .limit(1)
        .executeTakeFirst();
      if (actedByToken) return "appears in the audit trail as an actor, through its API token";
      const granted = await db
        .selectFrom("patient_grants")
        .select("id")
        .where("tenant_id", "=", tenantId)
        .where("granted_by", "=", user.id)
        .limit(1)
        .executeTakeFirst();
      return granted ? "has granted patient access" : null;
    },

    /**
     * Hard delete of a user without history and of everything that hangs off it: a purge leaves
     * no credential behind (invitation or reset links, password hashes, MFA secrets).
     */
    async deleteUserCascade(userId: string): Promise<void> {
      for (const table of USER_OWNED_TABLES) {
        await db.deleteFrom(table).where("tenant_id", "=", tenantId).where("user_id", "=", userId).execute();
      }
      await this.deletePrivateRoles(userId);
      await db
        .deleteFrom("scim_external_ids")
        .where("tenant_id", "=", tenantId)
        .where("resource_type", "=", "User")
        .where("resource_id", "=", userId)
        .execute();
      await db.deleteFrom("users").where("tenant_id", "=", tenantId).where("id", "=", userId).execute();
    },

    findPrivateRoleId(userId: string): Promise<{ id: string; version: number } | undefined> {
      return db
        .selectFrom("roles")
        .select(["id", "version"])
        .where("tenant_id", "=", tenantId)
        .where("private_user_id", "=", userId)
        .executeTakeFirst();
    },

    async insertPrivateRole(id: string, userId: string, grants: RoleGrants, now: string): Promise<void> {
      await db
        .insertInto("roles")
        .values({
          tenant_id: tenantId,
          id,
          name: PRIVATE_ROLE_LABEL,
          // NULL keeps private roles out of the unique name index and out of role lists.
          name_key: null,
          description: "",
          system: 0,
          locked: 0,
          private_user_id: userId,
          collaborator: flag(grants.collaborator),
          permissions: toJson(grants.permissions),
          created_at: now,
          updated_at: now,
          version: 1,
        })
        .execute();
      await this.insertRoleRows(id, grants);
    },

    async replacePrivateRole(id: string, version: number, grants: RoleGrants, now: string): Promise<void> {
      await db
        .updateTable("roles")
        .set({
          collaborator: flag(grants.collaborator),
          permissions: toJson(grants.permissions),
          updated_at: now,
          version: version + 1,
        })
        .where("tenant_id", "=", tenantId)
        .where("id", "=", id)
        .execute();
      await db
        .deleteFrom("role_workspaces")
        .where("tenant_id", "=", tenantId)
        .where("role_id", "=", id)
        .execute();
      await this.insertRoleRows(id, grants);
    },

    async insertRoleRows(roleId: string, grants: RoleGrants): Promise<void> {
      if (grants.workspaces.length === 0) return;
      await db
        .insertInto("role_workspaces")
        .values(
          grants.workspaces.map((w) => ({
            tenant_id: tenantId,
            role_id: roleId,
            workspace_id: w.workspaceId,
            collaborator: flag(w.collaborator),
            permissions: toJson(w.permissions),
          })),
        )
        .execute();
    },

    /** Deletes the user's private role(s) with their workspace rows; returns how many roles. */
    async deletePrivateRoles(userId: string): Promise<number> {
      const ids = (
        await db
          .selectFrom("roles")
          .select("id")
          .where("tenant_id", "=", tenantId)
          .where("private_user_id", "=", userId)
          .execute()
      ).map((r) => r.id);
      if (ids.length === 0) return 0;
      await db
        .deleteFrom("role_workspaces")
        .where("tenant_id", "=", tenantId)
        .where("role_id", "in", ids)
        .execute();
      await db.deleteFrom("roles").where("tenant_id", "=", tenantId).where("id", "in", ids).execute();
      return ids.length;
    },

    async existingWorkspaceIds(ids: readonly string[]): Promise<Set<string>> {
      if (ids.length === 0) return new Set();
      const rows = await db
        .selectFrom("workspaces")
        .select("id")
        .where("tenant_id", "=", tenantId)
        .where("id", "in", [...ids])
        .execute();
      return new Set(rows.map((r) => r.id));
    },

    /** The latest audit action about a user (the expiry job does not repeat its skip event). */
    async lastActionOn(userId: string): Promise<string | undefined> {
      const row = await db
        .selectFrom("audit_events")
        .select("action")
        .where("tenant_id", "=", tenantId)
        .where("target_id", "=", userId)
        .orderBy("seq", "desc")
        .limit(1)
        .executeTakeFirst();
      return row?.action;
    },
  };
}
