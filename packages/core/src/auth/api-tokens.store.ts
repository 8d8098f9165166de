/**
 * SQL for API tokens. Looking a token up by its hash (in auth.service.ts) is the one read that does
 * not start from a tenant; everything here is bound to the store's tenant.
 */

import { pastKeyset } from "../db/keyset.ts";
import type { ApiTokensTable } from "../db/schema.ts";
import type { Executor } from "../shared/tx.ts";

/** A token row with its integration user's current role; never the hash. */
export interface ApiTokenListRow {
  readonly id: string;
  readonly name: string;
  readonly user_id: string;
  readonly role_id: string | null;
  readonly created_at: string;
  readonly created_by: string | null;
  readonly expires_at: string | null;
  readonly last_used_at: string | null;
  readonly revoked_at: string | null;
}

export function createApiTokenStore(db: Executor, tenantId: string) {
  /** Tokens as listed (with their integration user's role), of this tenant. */
  const listed = () =>
    db
      .selectFrom("api_tokens as k")
      .leftJoin("users as u", (join) =>
        join.onRef("u.tenant_id", "=", "k.tenant_id").onRef("u.id", "=", "k.user_id"),
      )
      .select([
        "k.id as id",
        "k.name as name",
        "k.user_id as user_id",
        "u.role_id as role_id",
        "k.created_at as created_at",
        "k.created_by as created_by",
        "k.expires_at as expires_at",
        "k.last_used_at as last_used_at",
        "k.revoked_at as revoked_at",
      ])
      .where("k.tenant_id", "=", tenantId);
  return {
    findListedToken(id: string): Promise<ApiTokenListRow | undefined> {
      return listed().where("k.id", "=", id).executeTakeFirst();
    },
    async insertToken(row: Omit<ApiTokensTable, "tenant_id">): Promise<void> {
      await db
        .insertInto("api_tokens")
        .values({ ...row, tenant_id: tenantId })
        .execute();
    },

    findToken(id: string): Promise<Omit<ApiTokensTable, "token_hash"> | undefined> {
      return db
        .selectFrom("api_tokens")
        .select([
          "tenant_id",
          "id",
          "name",
          "user_id",
          "created_at",
          "created_by",
          "expires_at",
          "last_used_at",
          "revoked_at",
        ])
        .where("tenant_id", "=", tenantId)
        .where("id", "=", id)
        .executeTakeFirst();
    },

    /** Newest first; `after` is the (created_at, id) of the previous page's last row. */
    listTokens(limit: number, after: readonly [string, string] | null): Promise<ApiTokenListRow[]> {
      let q = listed().orderBy("k.created_at", "desc").orderBy("k.id", "desc").limit(limit);
      if (after) q = q.where(pastKeyset("k.created_at", "k.id", "<", after));
      return q.execute();
    },

    /** Unrevoked tokens the user acts through (an integration user's) or created. */
    liveTokensOf(userId: string): Promise<{ id: string; name: string; user_id: string }[]> {
      return db
        .selectFrom("api_tokens")
        .select(["id", "name", "user_id"])
        .where("tenant_id", "=", tenantId)
        .where((eb) => eb.or([eb("user_id", "=", userId), eb("created_by", "=", userId)]))
        .where("revoked_at", "is", null)
        .orderBy("id")
        .execute();
    },

    async revokeToken(id: string, at: string): Promise<void> {
      await db
        .updateTable("api_tokens")
        .set({ revoked_at: at })
        .where("tenant_id", "=", tenantId)
        .where("id", "=", id)
        .where("revoked_at", "is", null)
        .execute();
    },

    async touchToken(id: string, at: string): Promise<void> {
      await db
        .updateTable("api_tokens")
        .set({ last_used_at: at })
        .where("tenant_id", "=", tenantId)
        .where("id", "=", id)
        .execute();
    },
  };
}
