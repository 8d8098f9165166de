/** The two-connection SQLite driver: reads never wait for a writer and never see its uncommitted work. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { type Db, openDatabase } from "./database.ts";

describe("SQLite file: a reader beside the writer", () => {
  const opened: { db: Db; dir: string }[] = [];
  afterEach(async () => {
    for (const { db, dir } of opened.splice(0)) {
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  async function fresh(): Promise<Db> {
    const dir = mkdtempSync(path.join(tmpdir(), "sg-split-"));
    const db = openDatabase(path.join(dir, "t.db"));
    opened.push({ db, dir });
    await sql`CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)`.execute(db.allTenants);
    await sql`INSERT INTO t (id, v) VALUES (1, 'before')`.execute(db.allTenants);
    return db;
  }

  /** A transaction that writes, then waits for `release` before it commits (or throws). */
  function heldTransaction(db: Db, outcome: "commit" | "rollback" = "commit") {
    let release = () => {};
    const released = new Promise<void>((r) => {
      release = r;
    });
    let wrote = () => {};
    const written = new Promise<void>((r) => {
      wrote = r;
    });
    const done = db.allTenants
      .transaction()
      .execute(async (trx) => {
        await sql`UPDATE t SET v = 'during' WHERE id = 1`.execute(trx);
        wrote();
        await released;
        if (outcome === "rollback") throw new Error("rolled back");
      })
      .catch((e: unknown) => e);
    return { written, release, done };
  }

  const value = async (db: Db) =>
    (
      await db.allTenants
        .selectFrom("t" as never)
        .select(sql<string>`v`.as("v"))
        .executeTakeFirst()
    )?.v;

  it("answers a read while a transaction is open, with what was committed before it", async () => {
    const db = await fresh();
    const tx = heldTransaction(db);
    await tx.written;
    // With one connection this read waited for the COMMIT (a CSV import held /check for seconds).
    expect(await value(db)).toBe("before");
    expect((await sql<{ v: string }>`SELECT v FROM t WHERE id = 1`.execute(db.allTenants)).rows[0]?.v).toBe(
      "before",
    );
    tx.release();
    await tx.done;
    expect(await value(db)).toBe("during");
  });

  it("never shows a read what a transaction rolled back", async () => {
    const db = await fresh();
    const tx = heldTransaction(db, "rollback");
    await tx.written;
    expect(await value(db)).toBe("before");
    tx.release();
    expect(String(await tx.done)).toContain("rolled back");
    expect(await value(db)).toBe("before");
  });

  it("keeps writers one at a time: a write outside a transaction waits for the open one", async () => {
    const db = await fresh();
    const tx = heldTransaction(db);
    await tx.written;
    const order: string[] = [];
    const write = sql`UPDATE t SET v = 'after' WHERE id = 1`
      .execute(db.allTenants)
      .then(() => order.push("write"));
    const second = db.allTenants
      .transaction()
      .execute(async (trx) => {
        await sql`INSERT INTO t (id, v) VALUES (2, 'second')`.execute(trx);
      })
      .then(() => order.push("second transaction"));
    await new Promise((r) => setTimeout(r, 20));
    expect(order).toEqual([]);
    order.push("commit");
    tx.release();
    await Promise.all([tx.done, write, second]);
    expect(order).toEqual(["commit", "write", "second transaction"]);
    expect(await value(db)).toBe("after");
  });

  it("sees its own commits at once, and data_version moves with them", async () => {
    const db = await fresh();
    const version = db.changes!.dataVersion();
    await db.allTenants.transaction().execute(async (trx) => {
      await sql`UPDATE t SET v = 'committed' WHERE id = 1`.execute(trx);
    });
    expect(await value(db)).toBe("committed");
    expect(db.changes!.dataVersion()).not.toBe(version);
  });

  it("streams from a connection of its own: the writer and the reader stay free meanwhile", async () => {
    const db = await fresh();
    for (let i = 2; i <= 50; i++)
      await sql`INSERT INTO t (id, v) VALUES (${i}, 'row')`.execute(db.allTenants);
    const seen: number[] = [];
    for await (const row of db.allTenants
      .selectFrom("t" as never)
      .select(sql<number>`id`.as("id"))
      .orderBy(sql`id`)
      .stream()) {
      seen.push(row.id);
      if (row.id === 10) {
        // Mid-stream: a write commits and a read sees it; the stream keeps its own snapshot.
        await sql`DELETE FROM t WHERE id = 40`.execute(db.allTenants);
        expect(
          (await sql<{ n: number }>`SELECT count(*) AS n FROM t`.execute(db.allTenants)).rows[0]?.n,
        ).toBe(49);
      }
    }
    expect(seen).toHaveLength(50);
  });

  it("lets a failed BEGIN or COMMIT go of the writer", async () => {
    const db = await fresh();
    const failed = await db.allTenants
      .transaction()
      .execute(async (trx) => {
        await sql`INSERT INTO t (id, v) VALUES (1, 'duplicate key')`.execute(trx);
      })
      .catch((e: unknown) => e);
    expect(String(failed)).toContain("UNIQUE");
    await db.allTenants.transaction().execute(async (trx) => {
      await sql`UPDATE t SET v = 'next' WHERE id = 1`.execute(trx);
    });
    expect(await value(db)).toBe("next");
  });
});

describe("SQLite file: statements that change the connection go to the writer", () => {
  it("applies a pragma or a savepoint run as raw SQL where the writes are", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "sg-split-raw-"));
    const db = openDatabase(path.join(dir, "t.db"));
    try {
      await sql`CREATE TABLE p (id INTEGER PRIMARY KEY)`.execute(db.allTenants);
      await sql`CREATE TABLE c (id INTEGER PRIMARY KEY, p INTEGER REFERENCES p(id))`.execute(db.allTenants);
      await sql`PRAGMA foreign_keys = off`.execute(db.allTenants);
      // On the reader, the pragma would have left the writer checking the key.
      await sql`INSERT INTO c (id, p) VALUES (1, 42)`.execute(db.allTenants);
      await sql`PRAGMA foreign_keys = on`.execute(db.allTenants);
      // A savepoint on the reader would pin its snapshot: later commits unseen, data_version frozen.
      await sql`SAVEPOINT s`.execute(db.allTenants);
      await sql`INSERT INTO p (id) VALUES (1)`.execute(db.allTenants);
      await sql`RELEASE s`.execute(db.allTenants);
      const version = db.changes!.dataVersion();
      await sql`INSERT INTO p (id) VALUES (2)`.execute(db.allTenants);
      expect(db.changes!.dataVersion()).not.toBe(version);
      expect((await sql<{ n: number }>`SELECT count(*) AS n FROM p`.execute(db.allTenants)).rows[0]?.n).toBe(
        2,
      );
    } finally {
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
