import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "./database.ts";

describe("SQLite file database", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("checkpoints the WAL in the background, not in a commit", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "sg-db-"));
    dirs.push(dir);
    const file = path.join(dir, "t.db");
    const db = openDatabase(file);
    try {
      await sql`CREATE TABLE blobs (b BLOB)`.execute(db.kysely);
      await sql`INSERT INTO blobs VALUES (randomblob(1000000))`.execute(db.kysely);
      // About 250 pages: under the connection's own threshold, so the commit left them in the WAL.
      const before = statSync(file).size;
      expect(before).toBeLessThan(100_000);
      await expect
        .poll(() => statSync(file).size, { timeout: 5_000, interval: 50 })
        .toBeGreaterThan(1_000_000);
    } finally {
      await db.destroy();
    }
  });
});
