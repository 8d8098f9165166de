/**
 * SQLite's `INSERT OR REPLACE` resolves a key conflict by deleting the old row without firing
 * delete triggers (unless `recursive_triggers` is on), so it could overwrite an audit event past
 * the append-only triggers (found by the audit-trail audit). A row whose key exists is refused
 * before the conflict is resolved. PostgreSQL needs nothing: `ON CONFLICT DO UPDATE` fires the
 * update trigger, which refuses.
 */
import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not depend on today's row types.
type Db = Kysely<any>;

function isPostgres(db: Db): boolean {
  return db.getExecutor().adapter.constructor.name === "PostgresAdapter";
}

export async function up(db: Db): Promise<void> {
  if (isPostgres(db)) return;
  await sql`CREATE TRIGGER audit_events_no_replace BEFORE INSERT ON audit_events
    WHEN EXISTS (SELECT 1 FROM audit_events WHERE tenant_id = NEW.tenant_id AND seq = NEW.seq)
    BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END`.execute(db);
}

export async function down(db: Db): Promise<void> {
  if (isPostgres(db)) return;
  await sql`DROP TRIGGER audit_events_no_replace`.execute(db);
}
