/**
 * `sg_fold(text)`: the case folding of the text filters that compare in the database (audit `actor`
 * and `q`, workspace `q`, the users' work-role filter), one function with one meaning on both
 * databases. They compared `lower(column)` with text lowered by JavaScript, and PostgreSQL's
 * lower() is the C library's, not JavaScript's: "İ" became "i" (JavaScript: "i̇") and a final "Σ"
 * became "σ" (JavaScript: "ς"), so on PostgreSQL the exact username İpek found none of İpek's
 * events and "ipek" found them (the parity review, 2026-12-07). Here lower() runs under the ICU
 * root collation, as JavaScript's does (V8 uses ICU), where the server has one; either way a final
 * sigma reads as σ, as the users' search folds it (shared/text.rules.ts). SQLite's is registered by
 * the application (db/database.ts, `foldSql`), which an index must not depend on: there the actor
 * is still found through NOCASE.
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
    .raw(`create function sg_fold(t text) returns text language sql immutable strict parallel safe
      as $$ select translate(${lowered}, 'ς', 'σ') $$`)
    .execute(db);
  await sql`create index audit_actor_fold_idx on audit_events (tenant_id, sg_fold(actor_label), seq)`.execute(
    db,
  );
  await sql`drop index audit_actor_lower_idx`.execute(db);
}

export async function down(db: Db): Promise<void> {
  if (!isPostgres(db)) return;
  await sql`create index audit_actor_lower_idx on audit_events (tenant_id, lower(actor_label), seq)`.execute(
    db,
  );
  await sql`drop index audit_actor_fold_idx`.execute(db);
  await sql`drop function sg_fold(text)`.execute(db);
}
