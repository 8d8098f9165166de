/** SQL for one tenant's audit trail: filtered pages for the API, seq-ordered runs for export and verify. */
import { type ExpressionBuilder, type SqlBool, sql } from "kysely";
import type { AuditEventsTable, Database } from "../db/schema.ts";
import { escapeLike } from "../shared/text.rules.ts";
import type { Executor } from "../shared/tx.ts";

export interface AuditFilters {
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly actor?: string | undefined;
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

/** `column LIKE pattern ESCAPE '\'`, case-insensitive on both databases (PostgreSQL LIKE is not). */
function likeLower(column: "action" | "actor_label" | "target_label" | "changes", pattern: string) {
  // SQLite has no default LIKE escape character, so it is always named.
  return sql<SqlBool>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`;
}

/** `at` is stored as `toISOString()` text, so instants compare correctly as strings once normalised. */
function utc(value: string): string {
  return new Date(value).toISOString();
}

function matching(eb: Eb, f: AuditFilters) {
  const conds = [];
  if (f.from) conds.push(eb("at", ">=", utc(f.from)));
  if (f.to) conds.push(eb("at", "<=", utc(f.to)));
  // NFC as usernames are stored, so an actor typed with combining accents is found (as sign-in finds it).
  if (f.actor)
    conds.push(eb(eb.fn("lower", ["actor_label"]), "=", f.actor.trim().normalize("NFC").toLowerCase()));
  if (f.action?.endsWith(".*")) {
    conds.push(
      sql<SqlBool>`${sql.ref("action")} like ${`${escapeLike(f.action.slice(0, -1))}%`} escape '\\'`,
    );
  } else if (f.action) conds.push(eb("action", "=", f.action));
  if (f.targetId) conds.push(eb("target_id", "=", f.targetId));
  if (f.ip) conds.push(eb("ip", "=", f.ip));
  if (f.q) {
    const pattern = `%${escapeLike(f.q.toLowerCase())}%`;
    conds.push(
      eb.or([
        likeLower("action", pattern),
        likeLower("actor_label", pattern),
        likeLower("target_label", pattern),
        likeLower("changes", pattern),
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

export function createAuditStore(db: Executor, tenantId: string) {
  const scoped = () => db.selectFrom("audit_events").selectAll().where("tenant_id", "=", tenantId);
  return {
    /** Newest first; `beforeSeq` is the cursor (the last seq of the previous page). */
    listEvents(options: {
      limit: number;
      beforeSeq: number | null;
      filters: AuditFilters;
    }): Promise<AuditEventsTable[]> {
      let q = scoped()
        .where((eb) => matching(eb, options.filters))
        .orderBy("seq", "desc")
        .limit(options.limit);
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

    /** Matching events in seq order up to `maxSeq`, fetched page by page with a keyset on seq. */
    async *iterateEvents(filters: AuditFilters, maxSeq: number): AsyncGenerator<AuditEventsTable[]> {
      let after = 0;
      for (;;) {
        const page = await scoped()
          .where((eb) => matching(eb, filters))
          .where("seq", ">", after)
          .where("seq", "<=", maxSeq)
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
