/**
 * One-time credential links (reset, invitation). Looking a token up by its hash is, as for
 * sessions, the one read that does not start from a tenant: the token is what tells the tenant.
 * Every other statement is bound to the store's tenant.
 */
import type { CredentialTokensTable } from "../db/schema.ts";
import type { Executor } from "../shared/tx.ts";

export type CredentialTokenKind = CredentialTokensTable["kind"];

/** The token's row, whether or not it is still usable (callers compare used_at / expires_at). */
export function findCredentialToken(
  /** db.allTenants: the token names its tenant; no tenant is known before it is found. */
  db: Executor,
  kind: CredentialTokenKind,
  tokenHash: string,
): Promise<CredentialTokensTable | undefined> {
  return db
    .selectFrom("credential_tokens")
    .selectAll()
    .where("token_hash", "=", tokenHash)
    .where("kind", "=", kind)
    .executeTakeFirst();
}

export function createCredentialTokenStore(db: Executor, tenantId: string) {
  return {
    async insert(row: Omit<CredentialTokensTable, "tenant_id" | "used_at">): Promise<void> {
      await db
        .insertInto("credential_tokens")
        .values({ ...row, tenant_id: tenantId, used_at: null })
        .execute();
    },

    /** Voids the user's unused, unexpired links of this kind: they expire now. Returns how many. */
    async voidOpen(userId: string, kind: CredentialTokenKind, at: string): Promise<number> {
      const result = await db
        .updateTable("credential_tokens")
        .set({ expires_at: at })
        .where("tenant_id", "=", tenantId)
        .where("user_id", "=", userId)
        .where("kind", "=", kind)
        .where("used_at", "is", null)
        .where("expires_at", ">", at)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    /** Links of this kind issued to the user since `since` (voided and used ones included). */
    async countIssuedSince(userId: string, kind: CredentialTokenKind, since: string): Promise<number> {
      const row = await db
        .selectFrom("credential_tokens")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("tenant_id", "=", tenantId)
        .where("user_id", "=", userId)
        .where("kind", "=", kind)
        .where("created_at", ">", since)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /**
     * Redeems a link: ONE conditional UPDATE, so that of any number of concurrent redemptions
     * exactly one sees its row (a SELECT-then-UPDATE would let several through at READ COMMITTED:
     * Kratos, HackerOne #3692149). Returns the user it was issued to, or undefined.
     */
    async consume(kind: CredentialTokenKind, tokenHash: string, at: string): Promise<string | undefined> {
      const row = await db
        .updateTable("credential_tokens")
        .set({ used_at: at })
        .where("tenant_id", "=", tenantId)
        .where("token_hash", "=", tokenHash)
        .where("kind", "=", kind)
        .where("used_at", "is", null)
        .where("expires_at", ">", at)
        .returning("user_id")
        .executeTakeFirst();
      return row?.user_id;
    },
  };
}

/** Earlier password hashes (tenant setting passwordHistory); only ever argon2id PHC strings. */
export function createPasswordHistoryStore(db: Executor, tenantId: string) {
  return {
    /** The user's last `limit` earlier hashes, newest first. */
    async recent(userId: string, limit: number): Promise<string[]> {
      if (limit <= 0) return [];
      const rows = await db
        .selectFrom("password_history")
        .select("hash")
        .where("tenant_id", "=", tenantId)
        .where("user_id", "=", userId)
        .orderBy("created_at", "desc")
        .orderBy("id", "desc")
        .limit(limit)
        .execute();
      return rows.map((r) => r.hash);
    },

    /** Remembers the replaced hash and keeps only the newest `keep` (0: keeps none). */
    async push(userId: string, hash: string, at: string, keep: number): Promise<void> {
      if (keep > 0) {
        await db
          .insertInto("password_history")
          .values({ tenant_id: tenantId, user_id: userId, hash, created_at: at })
          .execute();
      }
      const kept = await this.recent(userId, keep);
      let q = db
        .deleteFrom("password_history")
        .where("tenant_id", "=", tenantId)
        .where("user_id", "=", userId);
      if (kept.length > 0) q = q.where("hash", "not in", kept);
      await q.execute();
    },
  };
}

/** Passwords an administrator marked compromised: each is refused for the user for good. */
export function createCompromisedPasswordStore(db: Executor, tenantId: string) {
  return {
    /** Every hash marked for the user (a handful at most: each marking is an administrator's act). */
    async hashesOf(userId: string): Promise<string[]> {
      const rows = await db
        .selectFrom("compromised_passwords")
        .select("hash")
        .where("tenant_id", "=", tenantId)
        .where("user_id", "=", userId)
        .execute();
      return rows.map((r) => r.hash);
    },

    async add(userId: string, hash: string, at: string): Promise<void> {
      await db
        .insertInto("compromised_passwords")
        .values({ tenant_id: tenantId, user_id: userId, hash, created_at: at })
        .execute();
    },
  };
}

/** Ends the user's sessions except `keepSessionId` (changing one's own password). */
export async function endOtherSessions(
  db: Executor,
  tenantId: string,
  userId: string,
  keepSessionId: string | null,
): Promise<number> {
  let q = db.deleteFrom("sessions").where("tenant_id", "=", tenantId).where("user_id", "=", userId);
  if (keepSessionId !== null) q = q.where("id", "!=", keepSessionId);
  const result = await q.executeTakeFirst();
  return Number(result.numDeletedRows);
}
