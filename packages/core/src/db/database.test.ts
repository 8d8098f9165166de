import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";
import SqliteDatabase from "better-sqlite3";
import { Kysely, Migrator, SqliteDialect, sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { type Db, openDatabase, probeSqliteWrite } from "./database.ts";

describe("SQLite file database", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("applies migrations all or nothing: one that fails part-way leaves no statement of any behind", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "sg-db-"));
    dirs.push(dir);
    const db = openDatabase(path.join(dir, "t.db"));
    try {
      const migrator = new Migrator({
        db: db.kysely,
        provider: {
          getMigrations: async () => ({
            "1_first": { up: async (k) => void (await sql`CREATE TABLE first (x)`.execute(k)) },
            "2_second": {
              up: async (k) => {
                await sql`ALTER TABLE first ADD COLUMN y`.execute(k);
                throw new Error("killed here");
              },
            },
          }),
        },
      });
      const { error } = await migrator.migrateToLatest();
      expect(String(error)).toContain("killed here");
      const tables = await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE name = 'first'`.execute(
        db.kysely,
      );
      expect(tables.rows).toEqual([]);
      expect((await migrator.getMigrations()).filter((m) => m.executedAt)).toEqual([]);
    } finally {
      await db.destroy();
    }
  });

  it("writes a file it can write, so that a read-only one is found at start-up", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "sg-db-"));
    dirs.push(dir);
    const db = openDatabase(path.join(dir, "t.db"));
    try {
      await expect(probeSqliteWrite(db)).resolves.toBeUndefined();
    } finally {
      await db.destroy();
    }
    // What SQLite does with a file it may not write: it opens it read-only, without a word.
    const kysely = new Kysely({
      dialect: new SqliteDialect({
        database: new SqliteDatabase(path.join(dir, "t.db"), { readonly: true }),
      }),
    });
    try {
      await expect(probeSqliteWrite({ kysely } as unknown as Db)).rejects.toMatchObject({
        code: "SQLITE_READONLY",
      });
    } finally {
      await kysely.destroy();
    }
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

  it("makes a transaction that reads first wait for another process's writer instead of failing", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "sg-db-"));
    dirs.push(dir);
    const file = path.join(dir, "t.db");
    const db = openDatabase(file);
    await sql`CREATE TABLE t (n INTEGER)`.execute(db.kysely);
    // Another connection on its own thread, as another process would be: it writes, waiting up
    // to its busy timeout for the lock, while this transaction is open between its read and write.
    const other = new Worker(
      `const { parentPort, workerData } = require("node:worker_threads");
       const db = new (require("better-sqlite3"))(workerData);
       db.pragma("busy_timeout = 5000");
       parentPort.on("message", () => {
         parentPort.postMessage("trying");
         db.prepare("INSERT INTO t VALUES (2)").run();
         parentPort.postMessage("wrote");
       });`,
      { eval: true, workerData: file },
    );
    const said = (word: string) =>
      new Promise<void>((resolve) => other.on("message", (m) => m === word && resolve()));
    try {
      const wrote = said("wrote");
      await db.kysely.transaction().execute(async (trx) => {
        await sql`SELECT count(*) FROM t`.execute(trx);
        const trying = said("trying");
        other.postMessage("go");
        await trying;
        // Time for the other writer to commit, if it can get the lock now (a deferred BEGIN).
        await new Promise((r) => setTimeout(r, 200));
        await sql`INSERT INTO t VALUES (1)`.execute(trx);
      });
      await wrote;
      const rows = await sql<{ n: number }>`SELECT n FROM t ORDER BY rowid`.execute(db.kysely);
      // This transaction held the write lock from its BEGIN: the other writer went second.
      expect(rows.rows.map((r) => r.n)).toEqual([1, 2]);
    } finally {
      await other.terminate();
      await db.destroy();
    }
  });
});
