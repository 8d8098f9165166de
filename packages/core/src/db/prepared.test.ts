import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "./database.ts";
import { migrateToLatest } from "./migrate.ts";
import { prepared } from "./prepared.ts";

describe("prepared queries", async () => {
  const db = openDatabase(":memory:");
  await migrateToLatest(db.kysely as never);
  afterAll(() => db.destroy());

  const upsert = prepared<{ key: string; at: string }, { key: string; count: number }>(
    ["key", "at"],
    (k, v) =>
      k
        .insertInto("login_throttle")
        .values({ key: v.key, window_start: v.at, count: 1 })
        .onConflict((oc) => oc.column("key").doUpdateSet({ count: sql<number>`login_throttle.count + 1` }))
        .returning(["key", "count"]),
  );

  it("binds each call's values and keeps the query's own constants", async () => {
    expect(await upsert.first(db.kysely, { key: "a", at: "2026" })).toEqual({ key: "a", count: 1 });
    expect(await upsert.first(db.kysely, { key: "b", at: "2026" })).toEqual({ key: "b", count: 1 });
    expect(await upsert.first(db.kysely, { key: "a", at: "2026" })).toEqual({ key: "a", count: 2 });
  });

  it("runs inside a transaction and rolls back with it", async () => {
    await expect(
      db.kysely.transaction().execute(async (trx) => {
        expect(await upsert.first(trx, { key: "c", at: "2026" })).toEqual({ key: "c", count: 1 });
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    const rows = await db.kysely.selectFrom("login_throttle").select("key").where("key", "=", "c").execute();
    expect(rows).toEqual([]);
  });

  it("binds a name used twice in every place", async () => {
    const twice = prepared<{ x: string }, { a: string; b: string }>(["x"], (k, v) =>
      k.selectNoFrom([sql<string>`${v.x}`.as("a"), sql<string>`${v.x}`.as("b")]),
    );
    expect(await twice.first(db.kysely, { x: "y" })).toEqual({ a: "y", b: "y" });
  });

  it("refuses a query whose value is not a parameter", async () => {
    const inlined = prepared<{ x: string }, { a: string }>(["x"], (k, v) =>
      k.selectNoFrom(sql.lit(v.x).as("a") as never),
    );
    await expect(inlined.first(db.kysely, { x: "y" })).rejects.toThrow(/not a parameter/);
  });
});
