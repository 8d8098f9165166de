/**
 * Purging the audit trail past its retention horizon (PRODUCT.md §6). The head row keeps an anchor:
 * the seq and hash of the last purged event, so the chain that remains is still verified link by
 * link from that hash. The append-only trigger now lets through the deletion of rows at or below
 * the anchor, and nothing else: a purge moves the anchor first, in the same transaction.
 */
import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not depend on today's row types.
type Db = Kysely<any>;

const GENESIS = "0".repeat(64);

function isPostgres(db: Db): boolean {
  return db.getExecutor().adapter.constructor.name === "PostgresAdapter";
}

export async function up(db: Db): Promise<void> {
  await db.schema
    .alterTable("audit_heads")
    .addColumn("purged_through_seq", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable("audit_heads")
    .addColumn("purged_through_hash", "text", (c) => c.notNull().defaultTo(GENESIS))
    .execute();
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

export async function down(db: Db): Promise<void> {
  if (isPostgres(db)) {
    await sql`CREATE OR REPLACE FUNCTION staffgate_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit_events is append-only'; END $$`.execute(db);
  } else {
    await sql`DROP TRIGGER audit_events_no_delete`.execute(db);
    await sql`CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
      BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END`.execute(db);
  }
  await db.schema.alterTable("audit_heads").dropColumn("purged_through_hash").execute();
  await db.schema.alterTable("audit_heads").dropColumn("purged_through_seq").execute();
}
