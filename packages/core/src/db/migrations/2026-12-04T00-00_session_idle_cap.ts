/**
 * The strictest idle limit a session has worked under: a workspace's shorter idle timeout binds
 * the session from its first request there, so leaving the workspace header out (or naming another
 * workspace) cannot outlast it (issue 4 item 9; SECURITY.md E-37, K-4 automatic logoff).
 */
import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not depend on today's row types.
type Db = Kysely<any>;

export async function up(db: Db): Promise<void> {
  await sql`alter table sessions add column idle_cap_seconds integer`.execute(db);
}

export async function down(db: Db): Promise<void> {
  await sql`alter table sessions drop column idle_cap_seconds`.execute(db);
}
