/**
 * PostgreSQL's row triggers do not fire on TRUNCATE, so the append-only audit trail could be
 * emptied in one statement (the SECURITY.md audit, 2026-12-06): a statement trigger refuses it,
 * with a function of its own (the row trigger's lets old events be purged, by age, and must not
 * decide this). SQLite has no TRUNCATE (its `DELETE FROM` without a condition fires the row
 * triggers).
 */
import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not depend on today's row types.
type Db = Kysely<any>;

function isPostgres(db: Db): boolean {
  return db.getExecutor().adapter.constructor.name === "PostgresAdapter";
}

export async function up(db: Db): Promise<void> {
  if (!isPostgres(db)) return;
  await sql`CREATE FUNCTION staffgate_audit_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'audit_events is append-only: it is never truncated'; END $$`.execute(db);
  await sql`CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION staffgate_audit_no_truncate()`.execute(db);
}

export async function down(db: Db): Promise<void> {
  if (!isPostgres(db)) return;
  await sql`DROP TRIGGER audit_events_no_truncate ON audit_events`.execute(db);
  await sql`DROP FUNCTION staffgate_audit_no_truncate()`.execute(db);
}
