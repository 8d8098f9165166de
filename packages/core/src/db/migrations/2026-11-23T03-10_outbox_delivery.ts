/** Outbox delivery bookkeeping (issue 4 item 11): when a row may be tried next, and how it left. */
import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not depend on today's row types.
type Db = Kysely<any>;

export async function up(db: Db): Promise<void> {
  // null = due now; set on each attempt (a lease while sending, then the backoff after a failure).
  await db.schema.alterTable("outbox").addColumn("next_attempt_at", "text").execute();
  // "smtp" or "log" (no SMTP configured: printed to the server log for local development).
  await db.schema.alterTable("outbox").addColumn("sent_via", "text").execute();
  await db.schema
    .createIndex("outbox_pending_idx")
    .on("outbox")
    .columns(["sent_at", "next_attempt_at"])
    .execute();
}
