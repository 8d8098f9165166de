/**
 * `password_history` was the one table without a primary key (PostgreSQL's logical replication
 * cannot publish its deletes without one, and two hashes kept in the same millisecond had no
 * order). Each row gets an `id` the database assigns (new rows in insertion order), which breaks
 * ties between equal `created_at`s when the newest N are kept.
 */
import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not depend on today's row types.
type Db = Kysely<any>;

function isPostgres(db: Db): boolean {
  return db.getExecutor().adapter.constructor.name === "PostgresAdapter";
}

export async function up(db: Db): Promise<void> {
  if (isPostgres(db)) {
    // Existing rows are numbered as they are stored; new ones in insertion order.
    await sql`alter table password_history add column id bigint generated always as identity primary key`.execute(
      db,
    );
    return;
  }
  // SQLite cannot add a primary key to a table: it is rebuilt, rows copied in their rowid order
  // (insertion order), and `id integer primary key` is that rowid from then on. Migrations run in
  // one transaction on SQLite too (db/database.ts), so a rebuild that fails half-way leaves the
  // old table as it was and the migration to run again (db/migrate.test.ts).
  await sql`create table password_history_new (
    id integer primary key,
    tenant_id text not null references tenants (id),
    user_id text not null,
    hash text not null,
    created_at text not null
  )`.execute(db);
  await sql`insert into password_history_new (tenant_id, user_id, hash, created_at)
    select tenant_id, user_id, hash, created_at from password_history order by rowid`.execute(db);
  await sql`drop table password_history`.execute(db);
  await sql`alter table password_history_new rename to password_history`.execute(db);
  await sql`create index password_history_user_idx on password_history (tenant_id, user_id, created_at)`.execute(
    db,
  );
}
