/**
 * SQLite only: `audit_heads.tenant_id` was declared `primary key` without `not null`, and SQLite
 * lets a primary key that is not an INTEGER hold NULL (a legacy of its early versions), so the one
 * tenant-owned column the rule "tenant_id NOT NULL" missed was on SQLite (found by the resolved-
 * issues audit, 2026-12-06). PostgreSQL's primary key is NOT NULL already. The table is rebuilt
 * in the migration's transaction (db/database.ts). The audit trail's triggers name it in their
 * bodies, and SQLite refuses to rename a table into place while a trigger names a missing one: they
 * are dropped first and created again from their own stored text afterwards.
 */
import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not depend on today's row types.
type Db = Kysely<any>;

function isPostgres(db: Db): boolean {
  return db.getExecutor().adapter.constructor.name === "PostgresAdapter";
}

/** Drops the triggers whose bodies name audit_heads; returns their text to create them again. */
async function dropTriggersNamingHeads(db: Db): Promise<string[]> {
  const { rows } = await sql<{ name: string; sql: string }>`select name, sql from sqlite_master
    where type = 'trigger' and sql like '%audit_heads%'`.execute(db);
  for (const row of rows) await sql`drop trigger ${sql.id(row.name)}`.execute(db);
  return rows.map((r) => r.sql);
}

async function recreate(db: Db, triggers: readonly string[]): Promise<void> {
  for (const text of triggers) await sql.raw(text).execute(db);
}

export async function up(db: Db): Promise<void> {
  if (isPostgres(db)) return;
  const triggers = await dropTriggersNamingHeads(db);
  await sql`create table audit_heads_new (
    tenant_id text not null primary key references tenants (id),
    seq integer not null,
    hash text not null,
    purged_through_seq integer default 0 not null,
    purged_through_hash text default '0000000000000000000000000000000000000000000000000000000000000000' not null
  )`.execute(db);
  await sql`insert into audit_heads_new (tenant_id, seq, hash, purged_through_seq, purged_through_hash)
    select tenant_id, seq, hash, purged_through_seq, purged_through_hash from audit_heads
    where tenant_id is not null`.execute(db);
  await sql`drop table audit_heads`.execute(db);
  await sql`alter table audit_heads_new rename to audit_heads`.execute(db);
  await recreate(db, triggers);
}

export async function down(db: Db): Promise<void> {
  if (isPostgres(db)) return;
  const triggers = await dropTriggersNamingHeads(db);
  await sql`create table audit_heads_old (
    tenant_id text primary key references tenants (id),
    seq integer not null,
    hash text not null,
    purged_through_seq integer default 0 not null,
    purged_through_hash text default '0000000000000000000000000000000000000000000000000000000000000000' not null
  )`.execute(db);
  await sql`insert into audit_heads_old select tenant_id, seq, hash, purged_through_seq, purged_through_hash from audit_heads`.execute(
    db,
  );
  await sql`drop table audit_heads`.execute(db);
  await sql`alter table audit_heads_old rename to audit_heads`.execute(db);
  await recreate(db, triggers);
}
