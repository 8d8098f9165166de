/** SQL for one tenant's audit trail: filtered pages for the API, seq-ordered runs for export and verify. */
import { type Expression, type ExpressionBuilder, PostgresAdapter, type SqlBool, sql } from "kysely";
import type { AuditEventsTable, Database } from "../db/schema.ts";
import { escapeLike, foldSql } from "../shared/text.rules.ts";
import type { Executor } from "../shared/tx.ts";

export interface AuditFilters {
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  /** The username at the time of each event, any case. */
  readonly actor?: string | undefined;
  /** The acting user's id, exactly: the same person before and after a rename. */
  readonly actorId?: string | undefined;
  readonly action?: string | undefined;
  readonly targetId?: string | undefined;
  readonly ip?: string | undefined;
  readonly q?: string | undefined;
  readonly patientRef?: string | undefined;
}

export interface ChainHead {
  readonly seq: number;
  readonly hash: string;
  readonly anchorSeq: number;
  readonly anchorHash: string;
}

/** Rows per round trip when walking the whole trail: memory stays constant however long it is. */
export const AUDIT_PAGE_SIZE = 500;

type Eb = ExpressionBuilder<Database, "audit_events">;

/**
 * `sg_fold(column) LIKE pattern ESCAPE '\'`, case-insensitive alike on both databases (PostgreSQL
 * LIKE is not; the pattern is folded by foldSql).
 */
function likeFolded(column: "action" | "actor_label" | "target_label" | "changes", pattern: string) {
  // SQLite has no default LIKE escape character, so it is always named.
  return sql<SqlBool>`sg_fold(${sql.ref(column)}) like ${pattern} escape '\\'`;
}

/** `at` is stored as `toISOString()` text, so instants compare correctly as strings once normalised. */
function utc(value: string): string {
  return new Date(value).toISOString();
}

/** The bounds on `at` of a date range (`from`, `to`, both inclusive). */
function atBounds(f: AuditFilters): (readonly [">=" | "<=", string])[] {
  const out: (readonly [">=" | "<=", string])[] = [];
  if (f.from) out.push([">=", utc(f.from)]);
  if (f.to) out.push(["<=", utc(f.to)]);
  return out;
}

function matching(eb: Eb, f: AuditFilters, sqlite: boolean) {
  // SQLite (whose planner does not weigh the LIMIT) read a date range through its index and sorted
  // it all, every event of a year for one page (730 ms); `+at` keeps that index out, and the walk
  // in seq order, bounded by the range's seq (seqRangeOf), reads little more than the page.
  const at = sqlite ? sql<string>`+${sql.ref("at")}` : sql.ref<string>("at");
  const conds: Expression<SqlBool>[] = atBounds(f).map(([op, v]) => eb(at, op, v));
  if (f.actor) {
    // NFC as usernames are stored, so an actor typed with combining accents is found (as sign-in finds it).
    // One username in any case, and nobody else's: lower case only, as usernames' identity folds
    // (the search's final-sigma folding made ΟΔΥΣΣΕΥΣ's events οδυσσευσ's too: the diff review).
    const actor = f.actor.trim().normalize("NFC").toLowerCase();
    conds.push(eb(eb.fn("sg_lower", ["actor_label"]), "=", actor));
    // SQLite's sg_lower() is JavaScript's, which no index may hold (db/database.ts), but its NOCASE is
    // built in and indexed (audit_actor_nocase_idx). For an ASCII actor it is implied by the exact
    // condition, so it narrows nothing and lets the index find the rows: the only character outside
    // ASCII whose lower case is ASCII is the Kelvin sign, which NFC (every username) makes a K.
    // Any other actor keeps the scan.
    if (sqlite && /^\p{ASCII}*$/u.test(actor)) {
      conds.push(sql<SqlBool>`${sql.ref("actor_label")} = ${actor} collate nocase`);
    }
  }
  if (f.actorId) conds.push(eb("actor_id", "=", f.actorId));
  if (f.action?.endsWith(".*")) {
    conds.push(
      sql<SqlBool>`${sql.ref("action")} like ${`${escapeLike(f.action.slice(0, -1))}%`} escape '\\'`,
    );
  } else if (f.action) conds.push(eb("action", "=", f.action));
  if (f.targetId) conds.push(eb("target_id", "=", f.targetId));
  if (f.ip) conds.push(eb("ip", "=", f.ip));
  if (f.q) {
    const pattern = `%${escapeLike(foldSql(f.q))}%`;
    conds.push(
      eb.or([
        likeFolded("action", pattern),
        likeFolded("actor_label", pattern),
        likeFolded("target_label", pattern),
        likeFolded("changes", pattern),
      ]),
    );
  }
  if (f.patientRef) conds.push(aboutPatient(eb, f.patientRef));
  return eb.and(conds);
}

/**
 * The events about one patient, exactly: every event that concerns a patient (a grant or its
 * revocation, a recorded decision or who-can, an elevation) carries it in its hashed `changes` as
 * `"patientRef":{"after":…}` or `{"before":…}`, written by JSON.stringify, so the JSON-encoded
 * reference, closed by its quote and brace, matches that patient and no other ("PAT-1" is not
 * "PAT-10"). A scan of the tenant's events, as `q` is: an inspector's question, not a hot path.
 */
function aboutPatient(eb: Eb, patientRef: string) {
  const ref = JSON.stringify(patientRef);
  const side = (s: "after" | "before") =>
    sql<SqlBool>`${sql.ref("changes")} like ${`%${escapeLike(`"patientRef":{"${s}":${ref}}`)}%`} escape '\\'`;
  return eb.or([side("after"), side("before")]);
}

/** The least and greatest seq of the events in a date range. */
interface SeqRange {
  readonly first: number;
  readonly last: number;
}

/**
 * The most events of a date range the list reads from the date index to bound its walk (~15 ms on
 * either database). A wider range is walked unbounded, as before: its bounds cost more than a walk
 * through a range that dense usually does (a year of 500,000 events: 280 ms on PostgreSQL, where
 * the walk found its page in 1 ms), the exception being a wide range long past.
 */
const DATE_BOUND_CAP = 100_000;

export function createAuditStore(db: Executor, tenantId: string) {
  const sqlite = !(db.getExecutor().adapter instanceof PostgresAdapter);
  const scoped = () => db.selectFrom("audit_events").selectAll().where("tenant_id", "=", tenantId);

  /**
   * The least and greatest seq of the events in the filters' date range, from audit_at_seq_idx
   * alone: `null` when it holds no event, `undefined` without dates or with more than `cap` events.
   * Every event in the range lies between the two whatever the order of `at` (the clocks of several
   * instances, a clock set back), so bounding seq by them removes no event, and a walk in seq order
   * starts and stops at the range instead of at the trail's ends (an old month scanned the 410,944
   * newer events first: the scale audit). Its own statement, so the walk's is planned knowing them.
   */
  async function seqRangeOf(f: AuditFilters, cap?: number): Promise<SeqRange | null | undefined> {
    const bounds = atBounds(f);
    if (bounds.length === 0) return undefined;
    let inRange = db
      .selectFrom("audit_events")
      .select("seq")
      .where("tenant_id", "=", tenantId)
      .where((eb) => eb.and(bounds.map(([op, at]) => eb("at", op, at))));
    // In the index's order, so that a capped read is of the index alone (PostgreSQL chose to scan
    // the table for a year's events, 55 ms).
    if (cap !== undefined) inRange = inRange.orderBy("at").limit(cap + 1);
    const row = await db
      .selectFrom(inRange.as("r"))
      .select((eb) => [
        eb.fn.min<number | null>("r.seq").as("first"),
        eb.fn.max<number | null>("r.seq").as("last"),
        eb.fn.countAll<number | string>().as("n"),
      ])
      .executeTakeFirstOrThrow();
    if (row.first === null || row.last === null) return null;
    if (cap !== undefined && Number(row.n) > cap) return undefined;
    return { first: Number(row.first), last: Number(row.last) };
  }

  return {
    /** Newest first; `beforeSeq` is the cursor (the last seq of the previous page). */
    async listEvents(options: {
      limit: number;
      beforeSeq: number | null;
      filters: AuditFilters;
    }): Promise<AuditEventsTable[]> {
      const range = await seqRangeOf(options.filters, DATE_BOUND_CAP);
      if (range === null) return [];
      let q = scoped()
        .where((eb) => matching(eb, options.filters, sqlite))
        .orderBy("seq", "desc")
        .limit(options.limit);
      if (range) q = q.where("seq", ">=", range.first).where("seq", "<=", range.last);
      if (options.beforeSeq !== null) q = q.where("seq", "<", options.beforeSeq);
      return q.execute();
    },

    /**
     * The chain head (the last seq and hash appendAudit wrote) and its anchor (the last purged
     * event's seq and hash, 0 and the genesis hash before any purge); undefined before the first event.
     */
    async findHead(): Promise<ChainHead | undefined> {
      const head = await db
        .selectFrom("audit_heads")
        .select(["seq", "hash", "purged_through_seq", "purged_through_hash"])
        .where("tenant_id", "=", tenantId)
        .executeTakeFirst();
      return (
        head && {
          seq: Number(head.seq),
          hash: head.hash,
          anchorSeq: Number(head.purged_through_seq),
          anchorHash: head.purged_through_hash,
        }
      );
    },

    /** How many events there are after `afterSeq` and up to `toSeq` (an index range count). */
    async countEvents(afterSeq: number, toSeq: number): Promise<number> {
      const row = await db
        .selectFrom("audit_events")
        .select((eb) => eb.fn.countAll<number | string>().as("n"))
        .where("tenant_id", "=", tenantId)
        .where("seq", ">", afterSeq)
        .where("seq", "<=", toSeq)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /**
     * Matching events in seq order after `afterSeq` and up to `maxSeq`, fetched page by page with a
     * keyset on seq.
     */
    async *iterateEvents(
      filters: AuditFilters,
      maxSeq: number,
      afterSeq = 0,
    ): AsyncGenerator<AuditEventsTable[]> {
      // Once, not per page, and of the whole range: the export reads every event in it anyway.
      const range = await seqRangeOf(filters);
      if (range === null) return;
      let after = Math.max(afterSeq, range ? range.first - 1 : 0);
      const last = range ? Math.min(maxSeq, range.last) : maxSeq;
      // Without a date range, `last` is the head and stops nothing: on SQLite `+seq` keeps it off the
      // primary key, which a database never analysed preferred for a seq range from 0 over the
      // actor's index (the whole trail read for an actor's 49 events, 228 ms).
      const seq = sqlite && !range ? sql<number>`+${sql.ref("seq")}` : sql.ref<number>("seq");
      for (;;) {
        const page = await scoped()
          .where((eb) => matching(eb, filters, sqlite))
          .where("seq", ">", after)
          .where((eb) => eb(seq, "<=", last))
          .orderBy("seq", "asc")
          .limit(AUDIT_PAGE_SIZE)
          .execute();
        if (page.length > 0) yield page;
        if (page.length < AUDIT_PAGE_SIZE) return;
        after = Number(page.at(-1)!.seq);
        // A turn of the event loop between pages: on SQLite every statement runs on this thread and
        // an await of one only queues a microtask, so a verify or an export of a year's trail held
        // every other request, /check included, until it ended (the scale audit: 11.7 s).
        await new Promise((resolve) => setImmediate(resolve));
      }
    },
  };
}

export type AuditStore = ReturnType<typeof createAuditStore>;
