/**
 * Patient grants get a version: granting the same user, patient and workspace again refreshes the
 * grant's reason and expiry in place, and an `If-Match` on its revocation must be able to say
 * that it changed (API audit: it was compared with a constant 1, which could never be stale).
 */
import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not depend on today's row types.
type Db = Kysely<any>;

export async function up(db: Db): Promise<void> {
  await sql`alter table patient_grants add column version integer not null default 1`.execute(db);
}
