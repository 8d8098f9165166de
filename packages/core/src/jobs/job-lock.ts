/**
 * Scheduled jobs run once across instances (PRODUCT.md §7): on PostgreSQL a pass first takes a
 * session-level advisory lock named for its job on one reserved connection, and an instance that
 * finds it taken skips the pass (the holder is doing the same work). The pass itself uses the pool,
 * so it needs a pool of two connections or more (the default is 10). SQLite is one node: it runs.
 * The passes were already safe to run at once (each change is its own tenant transaction that
 * re-checks its row); the lock spares the other instances the same scans.
 */
import { sql } from "kysely";
import type { Deps } from "../shared/deps.ts";

export function jobLockName(job: string): string {
  return `staffgate.job.${job}`;
}

/** `work()`, unless another instance holds the job's lock: then undefined, and `work` is not called. */
export async function exclusively<T>(
  deps: Deps,
  job: string,
  work: () => Promise<T>,
): Promise<T | undefined> {
  if (deps.db.dialect !== "postgres") return work();
  const name = jobLockName(job);
  return deps.db.kysely.connection().execute(async (connection) => {
    const taken = await sql<{ ok: boolean }>`SELECT pg_try_advisory_lock(hashtext(${name})) AS ok`.execute(
      connection,
    );
    if (!taken.rows[0]?.ok) return undefined;
    try {
      return await work();
    } finally {
      await sql`SELECT pg_advisory_unlock(hashtext(${name}))`.execute(connection);
    }
  });
}
