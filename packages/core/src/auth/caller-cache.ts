/**
 * Authentication without a database read when the database has not changed since the last one.
 *
 * Every request must be judged on the database as it is when the request arrives (a revocation
 * acknowledged on any instance holds from the very next request). authenticate.store.ts's one
 * statement gives that, but on SQLite running it cost more than everything else /check does. So
 * on SQLite each token's row is kept with the database's change mark taken just before it was
 * read (db/database.ts ChangeWatch: this process's writes and SQLite's data_version, which moves
 * on every other connection's commit). While the mark is unchanged, nothing has been committed
 * since the read, so the kept row is exactly what the statement would return now; anything
 * written anywhere — a revocation, a sign-out, a role change, a last-used touch, a sign-in —
 * moves the mark and the next request reads again. Conservative by design: it over-invalidates,
 * never under. Time-dependent rules (expiry, idle limit) are judged on every request from the
 * kept row and the clock.
 *
 * While a transaction is open on the connection, `data_version` speaks for that transaction's
 * snapshot, so no kept row is trusted then. On PostgreSQL the data version is db/pg-change-watch.ts's
 * (every commit anywhere is notified, and a write is acknowledged only once every instance has
 * heard it); while the instance holds no lease it is NaN, which no kept row matches.
 */
import type { ChangeWatch } from "../db/database.ts";
import type { Caller } from "./caller.ts";

/** Tokens kept at once; beyond it the oldest is dropped (a miss only costs the read). */
const MAX_ENTRIES = 10_000;

export interface Kept<R> {
  readonly row: R;
  readonly own: number;
  readonly data: number;
  /** The caller built from this row, with the snapshot and user object it was built from. */
  caller?: Caller;
  callerUser?: object;
}

export interface ChangeMark {
  readonly own: number;
  readonly data: number;
}

export interface CallerCache<R> {
  /**
   * The row kept for `key`, once it is known that nothing was committed between its read and a
   * moment after this request arrived; undefined (at once, or once known) when it must be read.
   */
  fresh(key: string): Promise<Kept<R> | undefined> | undefined;
  /** The mark to take right before reading (undefined: nothing will be kept). */
  mark(): ChangeMark | undefined;
  /** Keeps a row read after `mark` was taken. */
  keep(key: string, mark: ChangeMark | undefined, row: R): Kept<R>;
}

export function createCallerCache<R>(watch: ChangeWatch | undefined): CallerCache<R> {
  const entries = new Map<string, Kept<R>>();
  // One mark read serves every request read from the sockets before it: it runs in the check
  // phase (setImmediate), after the poll phase in which those requests' bytes were read. On SQLite
  // reading it costs a WAL read lock (~4 µs idle, ~10 µs under load), so under load, when many
  // requests arrive per turn of the event loop, its cost is shared; alone, a request waits one
  // turn. On PostgreSQL reading it costs nothing, yet answering in the check phase is still
  // cheaper: the turn's answers are then written one after another, and the client, woken by the
  // first, takes the rest in the same wake-up (bench/decisions, PostgreSQL /check: 78–84 µs of
  // server CPU per request this way, 103–137 µs answering each request as it was read).
  let nextMark: Promise<ChangeMark | undefined> | undefined;
  const markSoon = (): Promise<ChangeMark | undefined> => {
    nextMark ??= new Promise((resolve) =>
      setImmediate(() => {
        nextMark = undefined;
        resolve(current());
      }),
    );
    return nextMark;
  };
  const current = (): ChangeMark | undefined =>
    watch === undefined || watch.inTransaction()
      ? undefined
      : { own: watch.ownWrites(), data: watch.dataVersion() };

  return {
    fresh(key) {
      const kept = entries.get(key);
      if (kept === undefined || watch === undefined) return undefined;
      if (kept.own !== watch.ownWrites()) {
        entries.delete(key);
        return undefined;
      }
      return markSoon().then((now) => {
        if (now !== undefined && now.own === kept.own && now.data === kept.data) return kept;
        if (entries.get(key) === kept) entries.delete(key);
        return undefined;
      });
    },
    mark: current,
    keep(key, mark, row) {
      const kept: Kept<R> = { row, own: mark?.own ?? -1, data: mark?.data ?? -1 };
      if (mark === undefined) return kept;
      entries.delete(key);
      if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value as string);
      entries.set(key, kept);
      return kept;
    },
  };
}
