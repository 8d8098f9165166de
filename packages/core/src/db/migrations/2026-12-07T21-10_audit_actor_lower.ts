/**
 * `sg_lower(text)`: lower case only, for the audit's `actor` filter, which names one username and
 * must fold as usernames' identity does. `sg_fold` (2026-12-07T20-00_text_fold) also reads a final
 * "ς" as "σ", as searches should, and so mixed the events of `ΟΔΥΣΣΕΥΣ` and `οδυσσευσ`, two
 * accounts (the diff review, 2026-12-07). lower() under ICU's root collation where the server has
 * it, as there. The actor index is rebuilt on it. A migration of its own: `text_fold` had already
 * run on databases, which never run it again.
 */
import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not depend on today's row types.
type Db = Kysely<any>;

function isPostgres(db: Db): boolean {
  return db.getExecutor().adapter.constructor.name === "PostgresAdapter";
}

export async function up(db: Db): Promise<void> {
  if (!isPostgres(db)) return;
  const { rows } = await sql`select 1 from pg_collation where collname = 'und-x-icu'`.execute(db);
  const lowered = rows.length > 0 ? `lower(t collate "und-x-icu")` : "lower(t)";
  await sql
    .raw(`create or replace function sg_lower(t text) returns text language sql immutable strict parallel safe
      as $$ select ${lowered} $$`)
    .execute(db);
  await sql`create index audit_actor_lower_fold_idx on audit_events (tenant_id, sg_lower(actor_label), seq)`.execute(
    db,
  );
  await sql`drop index audit_actor_fold_idx`.execute(db);
}

export async function down(db: Db): Promise<void> {
  if (!isPostgres(db)) return;
  await sql`create index audit_actor_fold_idx on audit_events (tenant_id, sg_fold(actor_label), seq)`.execute(
    db,
  );
  await sql`drop index audit_actor_lower_fold_idx`.execute(db);
  await sql`drop function sg_lower(text)`.execute(db);
}
