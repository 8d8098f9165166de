/**
 * Sign-in throttling in the database (instances are stateless, so counters cannot live in memory).
 * Each key (a SHA-256 of "ip:<address>" or "account:<tenant>:<login>") has one row holding its
 * current fixed window and the attempts counted in it. Counting is one atomic upsert that returns
 * the new count: correct under parallel attempts on SQLite and PostgreSQL, with no read first.
 */
import { sql } from "kysely";
import { prepared } from "../db/prepared.ts";
import { hashSecret } from "../shared/ids.ts";
import type { Executor } from "../shared/tx.ts";

export interface ThrottleHit {
  readonly key: string;
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

/** One upsert per key: a row of an older window restarts at 1, else the count goes up by one. */
function upsertCounts<DB extends Executor>(db: DB, keys: readonly string[], windowStart: string) {
  return db
    .insertInto("login_throttle")
    .values(keys.map((key) => ({ key, window_start: windowStart, count: 1 })))
    .onConflict((oc) =>
      oc.column("key").doUpdateSet({
        count: sql<number>`CASE WHEN login_throttle.window_start >= excluded.window_start THEN login_throttle.count + 1 ELSE 1 END`,
        window_start: sql<string>`CASE WHEN login_throttle.window_start >= excluded.window_start THEN login_throttle.window_start ELSE excluded.window_start END`,
      }),
    )
    .returning(["key", "count", "window_start"]);
}

const countAttempts = prepared<
  { key0: string; key1: string; windowStart: string },
  { key: string; count: number; window_start: string }
>(["key0", "key1", "windowStart"], (db, v) => upsertCounts(db, [v.key0, v.key1], v.windowStart));

const countOne = prepared<
  { key: string; windowStart: string },
  { key: string; count: number; window_start: string }
>(["key", "windowStart"], (db, v) => upsertCounts(db, [v.key], v.windowStart));

/** Counts one attempt under one key (re-authentication, reauth-throttle.ts) and returns the count. */
export async function hitOne(db: Executor, key: string, windowStart: string): Promise<ThrottleHit> {
  const [row] = await countOne.rows(db, { key, windowStart });
  if (!row) throw new Error("login_throttle upsert returned no row");
  return { key, count: Number(row.count), windowStart: row.window_start };
}

/**
 * Counts one attempt under the per-address key and the per-account key, in one statement, and
 * returns the two counts in that order. A row left from an older window restarts at 1; a row from
 * a newer window (another instance's clock runs ahead) keeps its window and counts on, so skew
 * never resets a counter. PostgreSQL locks the rows in the order of the VALUES list, which
 * refundThrottle follows.
 */
export async function hitThrottle(
  db: Executor,
  keys: readonly [address: string, account: string],
  windowStart: string,
): Promise<[ThrottleHit, ThrottleHit]> {
  const rows = await countAttempts.rows(db, { key0: keys[0], key1: keys[1], windowStart });
  const hit = (key: string): ThrottleHit => {
    const row = rows.find((r) => r.key === key);
    if (!row) throw new Error("login_throttle upsert returned no row for a key");
    return { key, count: Number(row.count), windowStart: row.window_start };
  };
  return [hit(keys[0]), hit(keys[1])];
}

const giveBack = prepared<{ key: string; windowStart: string }, never>(["key", "windowStart"], (db, v) =>
  db
    .updateTable("login_throttle")
    .set({ count: sql<number>`count - 1` })
    .where("key", "=", v.key)
    .where("window_start", "=", v.windowStart)
    .where("count", ">", 0),
);

/**
 * Gives back attempts that succeeded (successful sign-ins do not use up a budget). Called inside
 * the sign-in's transaction; one statement per key, in the order hitThrottle counted them, so
 * that on PostgreSQL the two take row locks in the same order and cannot deadlock.
 */
export async function refundThrottle(db: Executor, hits: readonly ThrottleHit[]): Promise<void> {
  for (const hit of hits) await giveBack.execute(db, { key: hit.key, windowStart: hit.windowStart });
}

/** Drops rows whose window ended before `before` (they would restart at 1 anyway). */
export async function pruneThrottle(db: Executor, before: string): Promise<void> {
  await db.deleteFrom("login_throttle").where("window_start", "<", before).execute();
}
