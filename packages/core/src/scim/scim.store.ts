/** SQL for SCIM of one tenant: every statement is bound to the store's tenant. */

import { sql } from "kysely";
import type { RolesTable, UsersTable } from "../db/schema.ts";
import type { Executor } from "../shared/tx.ts";

export type ScimResourceType = "User" | "Group";

/** A role as a group: the row, and the count of changes to its members (its version's other part). */
export type GroupRow = RolesTable & { readonly members_version: number };

/** What narrows the users a SCIM request can see before its filter runs (all optional). */
export interface UserNarrowing {
  readonly ids?: readonly string[];
  readonly usernameKey?: string;
  readonly emailKey?: string;
  readonly roleId?: string;
}

export function createScimStore(db: Executor, tenantId: string) {
  /**
   * SCIM sees the tenant's people: not archived (a SCIM DELETE archives, and a deleted resource
   * answers 404) and not virtual (integration principals and placeholders are not the identity
   * provider's to manage).
   */
  const people = (n: UserNarrowing) => {
    let q = db
      .selectFrom("users")
      .where("tenant_id", "=", tenantId)
      .where("status", "<>", "archived")
      .where("virtual", "=", 0);
    if (n.ids) q = q.where("id", "in", n.ids.length > 0 ? [...n.ids] : [""]);
    if (n.usernameKey !== undefined) q = q.where("username_key", "=", n.usernameKey);
    if (n.emailKey !== undefined) q = q.where("email_key", "=", n.emailKey);
    if (n.roleId !== undefined) q = q.where("role_id", "=", n.roleId);
    return q;
  };

  return {
    async countUsers(n: UserNarrowing): Promise<number> {
      const row = await people(n)
        .select((eb) => eb.fn.countAll<number | string>().as("n"))
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    },

    /** In creation order (a stable order for `startIndex` paging), from an offset. */
    userPage(n: UserNarrowing, offset: number, limit: number): Promise<UsersTable[]> {
      return people(n).selectAll().orderBy("created_at").orderBy("id").offset(offset).limit(limit).execute();
    },

    /** Keyset pages in creation order, for filters evaluated on each row. */
    userChunk(
      n: UserNarrowing,
      after: readonly [string, string] | null,
      limit: number,
    ): Promise<UsersTable[]> {
      let q = people(n).selectAll();
      if (after) {
        const [at, id] = after;
        // A row-value comparison: both databases seek the (tenant_id, created_at, id) index with it.
        q = q.where(sql<boolean>`(created_at, id) > (${at}, ${id})`);
      }
      return q.orderBy("created_at").orderBy("id").limit(limit).execute();
    },

    findUser(id: string): Promise<UsersTable | undefined> {
      return people({}).selectAll().where("id", "=", id).executeTakeFirst();
    },

    /**
     * The tenant's formal roles (groups), in creation order; private roles are no group. With each,
     * `members_version`, kept by triggers on users (migration 2026-12-05T12-10): the part of the
     * group's version that its members move.
     */
    roles(ids?: readonly string[]): Promise<GroupRow[]> {
      let q = db
        .selectFrom("roles")
        .selectAll()
        .select(sql<number>`members_version`.as("members_version"))
        .where("tenant_id", "=", tenantId)
        .where("private_user_id", "is", null);
      if (ids) q = q.where("id", "in", ids.length > 0 ? [...ids] : [""]);
      return q.orderBy("created_at").orderBy("id").execute();
    },

    /** The people holding each of `roleIds` as their role. */
    members(roleIds: readonly string[]): Promise<Pick<UsersTable, "id" | "role_id" | "display_name">[]> {
      return people({})
        .select(["id", "role_id", "display_name"])
        .where("role_id", "in", roleIds.length > 0 ? [...roleIds] : [""])
        .orderBy("created_at")
        .orderBy("id")
        .execute();
    },

    async externalIds(type: ScimResourceType, ids: readonly string[]): Promise<Map<string, string>> {
      if (ids.length === 0) return new Map();
      const rows = await db
        .selectFrom("scim_external_ids")
        .select(["resource_id", "external_id"])
        .where("tenant_id", "=", tenantId)
        .where("resource_type", "=", type)
        .where("resource_id", "in", [...ids])
        .execute();
      return new Map(rows.map((r) => [r.resource_id, r.external_id]));
    },

    async idsWithExternalId(type: ScimResourceType, externalId: string): Promise<string[]> {
      const rows = await db
        .selectFrom("scim_external_ids")
        .select("resource_id")
        .where("tenant_id", "=", tenantId)
        .where("resource_type", "=", type)
        .where("external_id", "=", externalId)
        .execute();
      return rows.map((r) => r.resource_id);
    },

    /** Whether any of `ids` is a live resource: a user not archived, or a role. */
    async anyLive(type: ScimResourceType, ids: readonly string[]): Promise<boolean> {
      if (ids.length === 0) return false;
      const row =
        type === "User"
          ? await db
              .selectFrom("users")
              .select("id")
              .where("tenant_id", "=", tenantId)
              .where("id", "in", ids)
              .where("status", "!=", "archived")
              .executeTakeFirst()
          : await db
              .selectFrom("roles")
              .select("id")
              .where("tenant_id", "=", tenantId)
              .where("id", "in", ids)
              .executeTakeFirst();
      return row !== undefined;
    },

    /**
     * A user coming back from the archive gives up its externalId when a live user holds it now
     * (the identity provider made a new user for the person meanwhile): two users answering one
     * id would send the provider's updates to either. Returns the id given up, if any.
     */
    async releaseTakenExternalId(userId: string): Promise<string | null> {
      const own = (await this.externalIds("User", [userId])).get(userId);
      if (own === undefined) return null;
      const others = (await this.idsWithExternalId("User", own)).filter((id) => id !== userId);
      if (!(await this.anyLive("User", others))) return null;
      await this.setExternalId("User", userId, null);
      return own;
    },

    /** null removes it. */
    async setExternalId(type: ScimResourceType, id: string, externalId: string | null): Promise<void> {
      await db
        .deleteFrom("scim_external_ids")
        .where("tenant_id", "=", tenantId)
        .where("resource_type", "=", type)
        .where("resource_id", "=", id)
        .execute();
      if (externalId === null) return;
      await db
        .insertInto("scim_external_ids")
        .values({ tenant_id: tenantId, resource_type: type, resource_id: id, external_id: externalId })
        .execute();
    },
  };
}

export type ScimStore = ReturnType<typeof createScimStore>;
