/**
 * SCIM pages users in creation order (`startIndex`), and a filter that must look at every user
 * reads them in keyset chunks of that order: without an index each chunk sorted the whole tenant
 * (measured by bench/scim: 100,000 users, 16 s for one scan on SQLite).
 */
import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not depend on today's row types.
type Db = Kysely<any>;

export async function up(db: Db): Promise<void> {
  await sql`create index users_created_idx on users (tenant_id, created_at, id)`.execute(db);
}

export async function down(db: Db): Promise<void> {
  await sql`drop index users_created_idx`.execute(db);
}
