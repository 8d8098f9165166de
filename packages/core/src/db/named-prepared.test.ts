import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "./database.ts";
import { migrateToLatest } from "./migrate.ts";
import { namedPrepared } from "./named-prepared.ts";
import { planStable } from "./plan-stable.ts";

describe("named prepared queries and plan-stable values (SQLite; PostgreSQL runs them on every request of the server suite)", async () => {
  const db = openDatabase(":memory:");
  await migrateToLatest(db.kysely as never);
  afterAll(() => db.destroy());

  it("binds each call's values, in every place a name is used", async () => {
    const echo = namedPrepared<{ x: string; y: string }, { a: string; b: string; c: string }>(
      "test_echo",
      ["x", "y"],
      (k, v) =>
        k.selectNoFrom([
          sql<string>`${v.x}`.as("a"),
          sql<string>`${v.y}`.as("b"),
          sql<string>`${v.x}`.as("c"),
        ]),
    );
    expect(await echo.first(db.kysely, { x: "1", y: "2" })).toEqual({ a: "1", b: "2", c: "1" });
    expect(await echo.first(db.kysely, { x: "3", y: "4" })).toEqual({ a: "3", b: "4", c: "3" });
  });

  it("refuses a query whose value is inlined, or that has parameters of its own", async () => {
    const inlined = namedPrepared<{ x: string }, { a: string }>("test_inlined", ["x"], (k, v) =>
      k.selectNoFrom(sql.lit(v.x).as("a") as never),
    );
    await expect(inlined.first(db.kysely, { x: "y" })).rejects.toThrow(/must be a parameter/);
    const constant = namedPrepared<{ x: string }, { a: string }>("test_constant", ["x"], (k, v) =>
      k.selectNoFrom([sql<string>`${v.x}`.as("a"), sql<string>`${"fixed"}`.as("b")]),
    );
    await expect(constant.first(db.kysely, { x: "y" })).rejects.toThrow(/only values/);
  });

  it("keeps the index lookup for a plan-stable value once the database has statistics", async () => {
    const k = db.kysely;
    await k
      .insertInto("tenants")
      .values({
        id: "ten_1",
        slug: "t",
        slug_key: "t",
        name: "T",
        time_zone: "UTC",
        catalog: "radiotherapy",
        work_roles: "[]",
        settings: "{}",
        policy_version: 0,
        version: 1,
        created_at: "2026",
        updated_at: "2026",
      })
      .execute();
    for (let i = 0; i < 200; i++) {
      await k
        .insertInto("sessions")
        .values({
          tenant_id: "ten_1",
          id: `ses_${i}`,
          user_id: "usr_1",
          token_hash: `hash_${i}`,
          created_at: "2026",
          last_used_at: "2026",
          expires_at: "2027",
          purpose: "full",
        })
        .execute();
    }
    await sql`ANALYZE`.execute(k);
    const plan = await sql<{
      detail: string;
    }>`EXPLAIN QUERY PLAN SELECT id FROM sessions WHERE token_hash = ${planStable("hash_7")}`.execute(k);
    expect(plan.rows.map((r) => r.detail).join(" ")).toMatch(/USING INDEX/);
  });
});
