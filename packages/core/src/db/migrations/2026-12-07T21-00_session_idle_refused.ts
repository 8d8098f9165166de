/**
 * `sessions.idle_refused_at`: the last use of a session that a request found idle and that was kept
 * only because a workspace's longer idle limit could still serve it. Until it is used again, a
 * request that such a workspace does not serve is refused, whatever the limits say later: raising
 * the tenant's idle limit brought an automatically logged-off session back (the acceptance review,
 * 2026-12-07; HIPAA 164.312(a)(2)(iii), SECURITY.md K-4).
 */
import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not depend on today's row types.
type Db = Kysely<any>;

export async function up(db: Db): Promise<void> {
  await sql`alter table sessions add column idle_refused_at text`.execute(db);
}

export async function down(db: Db): Promise<void> {
  await sql`alter table sessions drop column idle_refused_at`.execute(db);
}
