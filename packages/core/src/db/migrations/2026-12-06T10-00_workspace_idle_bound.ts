/**
 * A workspace's idle limit keeps to the tenant's bound, 480 minutes (docs/decisions.md "Idle
 * timeout"): until now it could be 24 hours. A workspace saved with more is brought down to the
 * bound (and its version moves, so an ETag read before names a stale version), instead of every
 * reader capping what is stored and the console refusing to save the form it shows.
 */
import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not depend on today's row types.
type Db = Kysely<any>;

/** IDLE_TIMEOUT_MAX_MINUTES × 60 on the day of this migration (frozen here on purpose). */
const BOUND_SECONDS = 28_800;

export async function up(db: Db): Promise<void> {
  await sql`update workspaces set idle_timeout_seconds = ${BOUND_SECONDS}, version = version + 1
    where idle_timeout_seconds > ${BOUND_SECONDS}`.execute(db);
}
