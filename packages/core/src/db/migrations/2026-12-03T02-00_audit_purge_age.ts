/**
 * Defence in depth for the audit purge (2026-12-03T01-00): a row at or below the anchor may be
 * deleted only if it is also older than the shortest retention any tenant may set (2,190 days,
 * contract/settings.ts), by the database's own clock. Without it, a forged anchor (one UPDATE of
 * audit_heads) let plain write access delete recent events and keep the chain verifying.
 */
import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not depend on today's row types.
type Db = Kysely<any>;

function isPostgres(db: Db): boolean {
  return db.getExecutor().adapter.constructor.name === "PostgresAdapter";
}

export async function up(db: Db): Promise<void> {
  if (isPostgres(db)) {
    await sql`CREATE OR REPLACE FUNCTION staffgate_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE'
          AND OLD.seq <= COALESCE(
            (SELECT purged_through_seq FROM audit_heads WHERE tenant_id = OLD.tenant_id), 0)
          AND OLD.at < to_char((now() AT TIME ZONE 'UTC') - interval '2190 days',
            'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') THEN
          RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit_events is append-only';
      END $$`.execute(db);
  } else {
    await sql`DROP TRIGGER audit_events_no_delete`.execute(db);
    await sql`CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
      WHEN OLD.seq > COALESCE(
        (SELECT purged_through_seq FROM audit_heads WHERE tenant_id = OLD.tenant_id), 0)
        OR OLD.at >= strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-2190 days')
      BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END`.execute(db);
  }
}

export async function down(db: Db): Promise<void> {
  if (isPostgres(db)) {
    await sql`CREATE OR REPLACE FUNCTION staffgate_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' AND OLD.seq <= COALESCE(
          (SELECT purged_through_seq FROM audit_heads WHERE tenant_id = OLD.tenant_id), 0) THEN
          RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit_events is append-only';
      END $$`.execute(db);
  } else {
    await sql`DROP TRIGGER audit_events_no_delete`.execute(db);
    await sql`CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
      WHEN OLD.seq > COALESCE(
        (SELECT purged_through_seq FROM audit_heads WHERE tenant_id = OLD.tenant_id), 0)
      BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END`.execute(db);
  }
}
