/**
 * Account expiry is checked every second (jobs/expiry.job.ts): "is any account that is not yet
 * archived past its expiry?" must cost one index probe however many archived, expired accounts
 * pile up over the years, so the index holds only the accounts still to archive.
 */
import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not depend on today's row types.
type Db = Kysely<any>;

export async function up(db: Db): Promise<void> {
  await sql`create index users_expiry_due_idx on users (expires_at) where status <> 'archived' and expires_at is not null`.execute(
    db,
  );
}

export async function down(db: Db): Promise<void> {
  await sql`drop index users_expiry_due_idx`.execute(db);
}
