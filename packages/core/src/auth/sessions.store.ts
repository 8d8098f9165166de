/**
 * Sessions. Looking a session up by its token hash is the one read that does not start from a
 * tenant: the token is what tells us the tenant (so is ending the session a sign-in replaces,
 * endPresentedSession). Everything else is bound to a tenant.
 */

import { type Selectable, sql } from "kysely";
import { pastKeyset } from "../db/keyset.ts";
import { prepared } from "../db/prepared.ts";
import type { SessionPurpose, SessionsTable } from "../db/schema.ts";
import type { Executor } from "../shared/tx.ts";

/**
 * Ends the session whose token a client presented while signing in again (SECURITY.md E-36, ASVS
 * 7.2.4: the old token ends with the new sign-in), in whichever tenant it was; what it was, for
 * the audit, or undefined when the token named no session.
 */
export async function endPresentedSession(
  db: Executor,
  tokenHash: string,
): Promise<{ tenantId: string; userId: string; username: string } | undefined> {
  const row = await db
    .selectFrom("sessions as s")
    .innerJoin("users as u", (join) =>
      join.onRef("u.tenant_id", "=", "s.tenant_id").onRef("u.id", "=", "s.user_id"),
    )
    .select(["s.tenant_id", "s.id", "s.user_id", "u.username"])
    .where("s.token_hash", "=", tokenHash)
    .executeTakeFirst();
  if (!row) return undefined;
  await db.deleteFrom("sessions").where("tenant_id", "=", row.tenant_id).where("id", "=", row.id).execute();
  return { tenantId: row.tenant_id, userId: row.user_id, username: row.username };
}

// Every sign-in inserts one: compiled once (db/prepared.ts). Every column is named, so the
// statement's shape never depends on the row.
type NewSession = Omit<
  SessionsTable,
  "idle_cap_seconds" | "idle_refused_at" | "mfa_waived" | "mfa_verified"
> & {
  readonly mfa_verified: number;
};
const insert = prepared<NewSession, never>(
  [
    "tenant_id",
    "id",
    "user_id",
    "token_hash",
    "created_at",
    "last_used_at",
    "expires_at",
    "ip",
    "user_agent",
    "purpose",
    "csrf_hash",
    "mfa_verified",
  ],
  (db, row) => db.insertInto("sessions").values(row),
);

// Every sign-in reads the user's other sessions to keep their number under the tenant's limit.
const othersOfUser = prepared<{ tenantId: string; userId: string; newId: string }, OtherSession>(
  ["tenantId", "userId", "newId"],
  (db, v) =>
    db
      .selectFrom("sessions")
      .select(["id", "expires_at"])
      .where("tenant_id", "=", v.tenantId)
      .where("user_id", "=", v.userId)
      .where("id", "!=", v.newId)
      // Sessions whose use was recorded after their sign-in first, most recently used first; then
      // the others, newest first. last_used_at is written once a minute at most, so by it alone a
      // session in use could look older than a burst of sign-ins made since, and be ended first.
      .orderBy(sql`case when last_used_at > created_at then 1 else 0 end`, "desc")
      .orderBy("last_used_at", "desc")
      .orderBy("created_at", "desc")
      .orderBy("id", "desc"),
);
type OtherSession = Pick<SessionsTable, "id" | "expires_at">;

export function createSessionStore(db: Executor, tenantId: string) {
  return {
    async insertSession(row: Omit<NewSession, "tenant_id">): Promise<void> {
      await insert.execute(db, { ...row, tenant_id: tenantId });
    },
    /**
     * Records that a request found the session idle at its last use `lastUsedAt`, and that it was
     * kept only for a workspace with a longer limit (authenticate.ts); unless it was used meanwhile.
     */
    async markIdleRefused(id: string, lastUsedAt: string): Promise<void> {
      await db
        .updateTable("sessions")
        .set({ idle_refused_at: lastUsedAt })
        .where("tenant_id", "=", tenantId)
        .where("id", "=", id)
        .where("last_used_at", "=", lastUsedAt)
        .execute();
    },
    /** Marks the session used at `at`, and binds it to `idleCapSeconds` when that is given. */
    async touchSession(id: string, at: string, idleCapSeconds?: number): Promise<void> {
      await db
        .updateTable("sessions")
        .set(
          idleCapSeconds === undefined
            ? { last_used_at: at }
            : { last_used_at: at, idle_cap_seconds: idleCapSeconds },
        )
        .where("tenant_id", "=", tenantId)
        .where("id", "=", id)
        .execute();
    },
    findSession(id: string): Promise<Selectable<SessionsTable> | undefined> {
      return db
        .selectFrom("sessions")
        .selectAll()
        .where("tenant_id", "=", tenantId)
        .where("id", "=", id)
        .executeTakeFirst();
    },
    /** The user's sessions still within their absolute limit, newest first, after a keyset position. */
    listForUser(
      userId: string,
      now: string,
      limit: number,
      after: readonly [string, string] | null,
    ): Promise<Selectable<SessionsTable>[]> {
      let q = db
        .selectFrom("sessions")
        .selectAll()
        .where("tenant_id", "=", tenantId)
        .where("user_id", "=", userId)
        .where("expires_at", ">", now);
      if (after) q = q.where(pastKeyset("created_at", "id", "<", after));
      return q.orderBy("created_at", "desc").orderBy("id", "desc").limit(limit).execute();
    },
    /** Ends one session of one user; false when there is no such session of that user. */
    async deleteUserSession(userId: string, id: string): Promise<boolean> {
      const r = await db
        .deleteFrom("sessions")
        .where("tenant_id", "=", tenantId)
        .where("user_id", "=", userId)
        .where("id", "=", id)
        .executeTakeFirst();
      return Number(r.numDeletedRows) === 1;
    },
    /** The person's second factor is gone: none of their sessions counts as having passed it. */
    async forgetSecondFactor(userId: string): Promise<void> {
      await db
        .updateTable("sessions")
        .set({ mfa_verified: 0 })
        .where("tenant_id", "=", tenantId)
        .where("user_id", "=", userId)
        .execute();
    },
    /** Lifts or sets a confinement, e.g. back to `full` once MFA enrolment is confirmed. */
    async setPurpose(id: string, purpose: SessionPurpose, mfaVerified?: boolean): Promise<void> {
      await db
        .updateTable("sessions")
        .set(mfaVerified === undefined ? { purpose } : { purpose, mfa_verified: mfaVerified ? 1 : 0 })
        .where("tenant_id", "=", tenantId)
        .where("id", "=", id)
        .execute();
    },
    /**
     * Keeps the user's `keep` most recently used sessions besides `newId` (just created) and ends
     * the rest (SECURITY.md E-41): sessions with no use recorded since their sign-in first (oldest
     * first), then the least recently used, so a session in use outlives ones left open on other
     * workstations and a burst of sign-ins. Sessions past their absolute
     * limit are removed too, without counting. Returns how many live sessions were ended.
     */
    async evictBeyond(userId: string, newId: string, keep: number, now: string): Promise<number> {
      // One read of the user's other sessions (a handful: the limit keeps them few), and a delete
      // only when there is something to end: most sign-ins end nothing.
      const others = await othersOfUser.rows(db, { tenantId, userId, newId });
      const ended: string[] = [];
      let live = 0;
      let evicted = 0;
      for (const s of others) {
        if (s.expires_at <= now) ended.push(s.id);
        else if (live++ >= keep) {
          ended.push(s.id);
          evicted++;
        }
      }
      if (ended.length === 0) return 0;
      await db.deleteFrom("sessions").where("tenant_id", "=", tenantId).where("id", "in", ended).execute();
      return evicted;
    },
    async deleteSession(id: string): Promise<void> {
      await db.deleteFrom("sessions").where("tenant_id", "=", tenantId).where("id", "=", id).execute();
    },
    /**
     * Ends a session whose time ran out, unless a request touched it since it was read: a refused
     * session stays refused, even if the tenant's limits are raised afterwards.
     */
    /** Ends a session past its limits, unless another request used it meanwhile; whether it did. */
    async endTimedOut(id: string, lastUsedAt: string): Promise<boolean> {
      const ended = await db
        .deleteFrom("sessions")
        .where("tenant_id", "=", tenantId)
        .where("id", "=", id)
        .where("last_used_at", "=", lastUsedAt)
        .executeTakeFirst();
      return Number(ended.numDeletedRows) > 0;
    },
    /** Deletes every session of a user; how many. API tokens end in access-cutoff.ts, audited. */
    async deleteAllForUser(userId: string): Promise<number> {
      const s = await db
        .deleteFrom("sessions")
        .where("tenant_id", "=", tenantId)
        .where("user_id", "=", userId)
        .executeTakeFirst();
      return Number(s.numDeletedRows);
    },
  };
}
