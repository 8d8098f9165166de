/**
 * The age check of 2026-12-03T02-00 compared with the shortest retention (2,190 days) exactly, by
 * the database's clock, while the purge cuts at the application's clock: an application clock a
 * few seconds ahead made a purge at the shortest retention hit the newest events of its prefix and
 * fail. One day of tolerance (2,189 days) keeps the defence (nothing recent can be deleted) and
 * lets clocks differ.
 */
import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not depend on today's row types.
type Db = Kysely<any>;

function isPostgres(db: Db): boolean {
  return db.getExecutor().adapter.constructor.name === "PostgresAdapter";
}

async function ageCheck(db: Db, days: number): Promise<void> {
  if (isPostgres(db)) {
    await sql`CREATE OR REPLACE FUNCTION staffgate_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE'
          AND OLD.seq <= COALESCE(
            (SELECT purged_through_seq FROM audit_heads WHERE tenant_id = OLD.tenant_id), 0)
          AND OLD.at < to_char((now() AT TIME ZONE 'UTC') - ${sql.lit(`${days} days`)}::interval,
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
        OR OLD.at >= strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ${sql.lit(`-${days} days`)})
      BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END`.execute(db);
  }
}

export async function up(db: Db): Promise<void> {
  await ageCheck(db, 2189);
}

export async function down(db: Db): Promise<void> {
  await ageCheck(db, 2190);
}
