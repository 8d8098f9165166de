/**
 * The hashes of passwords an administrator marked compromised, kept so that none is accepted
 * again as that user's password (NIST 800-63B: the verifier SHALL force a change on evidence of
 * compromise; the SECURITY.md audit of 2026-12-06 set one again through the reset link the marking
 * sent). A table, not a column: a second marking must not free the first password.
 */
import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not depend on today's row types.
type Db = Kysely<any>;

function isPostgres(db: Db): boolean {
  return db.getExecutor().adapter.constructor.name === "PostgresAdapter";
}

export async function up(db: Db): Promise<void> {
  const pg = isPostgres(db);
  await sql`create table compromised_passwords (
    id ${sql.raw(pg ? "bigint generated always as identity primary key" : "integer primary key")},
    tenant_id text not null references tenants (id),
    user_id text not null,
    hash text not null,
    created_at text not null
  )`.execute(db);
  await sql`create index compromised_passwords_user_idx on compromised_passwords (tenant_id, user_id)`.execute(
    db,
  );
  if (pg)
    await sql`CREATE TRIGGER staffgate_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON compromised_passwords
      FOR EACH STATEMENT EXECUTE FUNCTION staffgate_notify_change()`.execute(db);
}

export async function down(db: Db): Promise<void> {
  await sql`drop table compromised_passwords`.execute(db);
}
