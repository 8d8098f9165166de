/**
 * Indexed substring search for the users list (`q`). PostgreSQL: a trigram GIN index that leads
 * with tenant_id (btree_gin). SQLite: an FTS5 trigram index kept in step with users by triggers.
 * Both accelerate queries of three characters or more; shorter ones scan the tenant's rows.
 */
import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not depend on today's row types.
type Db = Kysely<any>;

export async function up(db: Db): Promise<void> {
  if (db.getExecutor().adapter.constructor.name === "PostgresAdapter") {
    await sql`CREATE EXTENSION IF NOT EXISTS pg_trgm`.execute(db);
    await sql`CREATE EXTENSION IF NOT EXISTS btree_gin`.execute(db);
    await sql`CREATE INDEX users_search_trgm_idx ON users USING gin (tenant_id, search_text gin_trgm_ops)`.execute(
      db,
    );
    return;
  }
  await sql`CREATE VIRTUAL TABLE users_search USING fts5(search_text, content='users', content_rowid='rowid', tokenize='trigram')`.execute(
    db,
  );
  await sql`CREATE TRIGGER users_search_ai AFTER INSERT ON users BEGIN
    INSERT INTO users_search(rowid, search_text) VALUES (new.rowid, new.search_text); END`.execute(db);
  await sql`CREATE TRIGGER users_search_ad AFTER DELETE ON users BEGIN
    INSERT INTO users_search(users_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text); END`.execute(
    db,
  );
  await sql`CREATE TRIGGER users_search_au AFTER UPDATE OF search_text ON users BEGIN
    INSERT INTO users_search(users_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO users_search(rowid, search_text) VALUES (new.rowid, new.search_text); END`.execute(db);
  await sql`INSERT INTO users_search(users_search) VALUES ('rebuild')`.execute(db);
}
