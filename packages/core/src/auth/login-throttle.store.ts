/**
 * Sign-in throttling in the database (instances are stateless, so counters cannot live in memory).
 * Each key (a SHA-256 of "ip:<address>" or "account:<tenant>:<login>") has one row holding its
 * current fixed window and the attempts counted in it. Counting is one atomic upsert that returns
 * the new count: correct under parallel attempts on SQLite and PostgreSQL, with no read first.
 */
import { sql } from "kysely";
import { hashSecret } from "../shared/ids.ts";
import type { Executor } from "../shared/tx.ts";

export interface ThrottleHit {
  readonly count: number;
  readonly windowStart: string;
}

/** The key stored for a raw key; hashed so the table holds no addresses, logins or emails. */
export function throttleKey(raw: string): string {
  return hashSecret(`staffgate-login-throttle\0${raw}`);
}

/** Start of the fixed window that `at` falls in. */
export function windowStartOf(at: Date, windowMs: number): string {
  return new Date(Math.floor(at.getTime() / windowMs) * windowMs).toISOString();
}

/**
 * Counts one attempt for `key` in the window starting at `windowStart` and returns the count.
 * A row left from an older window restarts at 1; a row from a newer window (another instance's
 * clock runs ahead) keeps its window and counts on, so skew never resets a counter.
 */
export async function hitThrottle(db: Executor, key: string, windowStart: string): Promise<ThrottleHit> {
  const row = await db
    .insertInto("login_throttle")
    .values({ key, window_start: windowStart, count: 1 })
    .onConflict((oc) =>
      oc.column("key").doUpdateSet({
        count: sql<number>`CASE WHEN login_throttle.window_start >= excluded.window_start THEN login_throttle.count + 1 ELSE 1 END`,
        window_start: sql<string>`CASE WHEN login_throttle.window_start >= excluded.window_start THEN login_throttle.window_start ELSE excluded.window_start END`,
      }),
    )
    .returning(["count", "window_start"])
    .executeTakeFirstOrThrow();
  return { count: Number(row.count), windowStart: row.window_start };
}

/** Gives back an attempt that succeeded: successful sign-ins do not use up a budget. */
export async function refundThrottle(db: Executor, key: string, windowStart: string): Promise<void> {
  await db
    .updateTable("login_throttle")
    .set({ count: sql<number>`count - 1` })
    .where("key", "=", key)
    .where("window_start", "=", windowStart)
    .where("count", ">", 0)
    .execute();
}

/** Drops rows whose window ended before `before` (they would restart at 1 anyway). */
export async function pruneThrottle(db: Executor, before: string): Promise<void> {
  await db.deleteFrom("login_throttle").where("window_start", "<", before).execute();
}
