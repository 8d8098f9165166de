/**
 * PostgreSQL's row triggers do not fire on TRUNCATE, so the append-only audit trail could be
 * emptied in one statement (the SECURITY.md audit, 2026-12-06): a statement trigger refuses it.
 * SQLite has no TRUNCATE (its `DELETE FROM` without a condition fires the row triggers).
 */
import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not depend on today's row types.
type Db = Kysely<any>;

function isPostgres(db: Db): boolean {
  return db.getExecutor().adapter.constructor.name === "PostgresAdapter";
}

export async function up(db: Db): Promise<void> {
  if (!isPostgres(db)) return;
  await sql`CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION staffgate_audit_append_only()`.execute(db);
}

export async function down(db: Db): Promise<void> {
  if (!isPostgres(db)) return;
  await sql`DROP TRIGGER audit_events_no_truncate ON audit_events`.execute(db);
}
