/**
 * The hash of the password an administrator marked compromised, kept so that it is never accepted
 * again as that user's password (NIST 800-63B: the verifier SHALL force a change on evidence of
 * compromise; the SECURITY.md audit of 2026-12-06 set it again through the reset link it sent).
 */
import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not depend on today's row types.
type Db = Kysely<any>;

export async function up(db: Db): Promise<void> {
  await sql`alter table users add column compromised_hash text`.execute(db);
}
