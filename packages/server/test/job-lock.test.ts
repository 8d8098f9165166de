/**
 * Scheduled jobs run once across instances (PRODUCT.md §7): on PostgreSQL a pass runs only while
 * its advisory lock is free, so a second instance skips a pass the first is running; SQLite is one
 * node and always runs.
 */
import { exclusively, jobLockName } from "@staffgate/core";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, TEST_DB, type TestApp } from "./harness.ts";

describe(`scheduled jobs run once (${TEST_DB})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  it("runs the pass when no other instance holds its lock, and frees the lock afterwards", async () => {
    const deps = t.app.core.deps;
    expect(await exclusively(deps, "expiry", async () => "ran")).toBe("ran");
    expect(await exclusively(deps, "expiry", async () => "again")).toBe("again");
  });

  it.skipIf(TEST_DB !== "postgres")("skips the pass while another session holds the job's lock", async () => {
    const deps = t.app.core.deps;
    let calls = 0;
    await t.db.kysely.connection().execute(async (other) => {
      await sql`SELECT pg_advisory_lock(hashtext(${jobLockName("retention")}))`.execute(other);
      try {
        expect(await exclusively(deps, "retention", async () => ++calls)).toBeUndefined();
        // Another job's lock is another name: it still runs.
        expect(await exclusively(deps, "expiry", async () => ++calls)).toBe(1);
      } finally {
        await sql`SELECT pg_advisory_unlock(hashtext(${jobLockName("retention")}))`.execute(other);
      }
    });
    expect(await exclusively(deps, "retention", async () => ++calls)).toBe(2);
  });

  it("frees the lock when the pass fails", async () => {
    const deps = t.app.core.deps;
    // `other` stays reserved meanwhile, so the pass runs on another session; advisory locks are
    // re-entrant within a session, so only another session can tell whether it was released.
    await t.db.kysely.connection().execute(async (other) => {
      await expect(
        exclusively(deps, "expiry", async () => Promise.reject(new Error("boom"))),
      ).rejects.toThrow("boom");
      if (TEST_DB !== "postgres") return;
      const free = await sql<{
        ok: boolean;
      }>`SELECT pg_try_advisory_lock(hashtext(${jobLockName("expiry")})) AS ok`.execute(other);
      expect(free.rows[0]?.ok).toBe(true);
      await sql`SELECT pg_advisory_unlock(hashtext(${jobLockName("expiry")}))`.execute(other);
    });
  });
});
