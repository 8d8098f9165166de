/**
 * The audit filters an inspector uses, served by an index in the list's own order (seq), found by
 * the scale audit (500,000 events): `actor` scanned the whole trail backwards (853 ms on
 * PostgreSQL), `actorId` read every one of the actor's events to sort them, and an old month
 * scanned the trail from its end (410,944 rows removed). Each index ends with `seq`, so a page is
 * the first rows of one index range, and (tenant_id, at, seq) answers the min and max seq of a date
 * range from the index alone (audit.store.ts). The indexes they extend are dropped: a prefix of the
 * new one, or (the binary `actor_label`) used by no query, each only a cost on every append.
 * SQLite's lower() is the application's (db/database.ts), which an index must not depend on: there
 * the actor is found through NOCASE instead.
 */
import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not depend on today's row types.
type Db = Kysely<any>;

function isPostgres(db: Db): boolean {
  return db.getExecutor().adapter.constructor.name === "PostgresAdapter";
}

export async function up(db: Db): Promise<void> {
  await sql`create index audit_at_seq_idx on audit_events (tenant_id, at, seq)`.execute(db);
  await sql`create index audit_actor_id_seq_idx on audit_events (tenant_id, actor_id, seq)`.execute(db);
  if (isPostgres(db)) {
    await sql`create index audit_actor_lower_idx on audit_events (tenant_id, lower(actor_label), seq)`.execute(
      db,
    );
  } else {
    await sql`create index audit_actor_nocase_idx on audit_events (tenant_id, actor_label collate nocase, seq)`.execute(
      db,
    );
  }
  await sql`drop index audit_at_idx`.execute(db);
  await sql`drop index audit_actor_id_idx`.execute(db);
  await sql`drop index audit_actor_idx`.execute(db);
  await analyzeIfAnalyzed(db);
}

/**
 * SQLite plans with the statistics of a past ANALYZE (an operator's, or `PRAGMA optimize`) when it
 * has them, and an index they do not name then looked cheapest to it for every query on the
 * tenant: the unfiltered list read the trail by actor and sorted it (110 ms instead of 1.4 ms).
 * A database never analysed is planned without statistics, which served these queries well.
 */
async function analyzeIfAnalyzed(db: Db): Promise<void> {
  if (isPostgres(db)) return;
  const { rows } = await sql`select 1 from sqlite_master where name = 'sqlite_stat1'`.execute(db);
  if (rows.length > 0) await sql`analyze audit_events`.execute(db);
}

export async function down(db: Db): Promise<void> {
  await sql`create index audit_at_idx on audit_events (tenant_id, at)`.execute(db);
  await sql`create index audit_actor_id_idx on audit_events (tenant_id, actor_id)`.execute(db);
  await sql`create index audit_actor_idx on audit_events (tenant_id, actor_label)`.execute(db);
  await sql`drop index audit_at_seq_idx`.execute(db);
  await sql`drop index audit_actor_id_seq_idx`.execute(db);
  await sql`drop index ${sql.id(isPostgres(db) ? "audit_actor_lower_idx" : "audit_actor_nocase_idx")}`.execute(
    db,
  );
}
