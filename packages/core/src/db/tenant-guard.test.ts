import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Db, openDatabase } from "./database.ts";
import { migrateToLatest } from "./migrate.ts";
import { prepared } from "./prepared.ts";
import { TENANT_OWNED_TABLES, TenantGuardError } from "./tenant-guard.ts";

describe("the tenant guard (a query that forgets its tenant is refused before it runs)", () => {
  let db: Db;
  beforeAll(async () => {
    db = openDatabase(":memory:");
    await migrateToLatest(db.allTenants as never);
  });
  afterAll(() => db.destroy());

  const refused = (run: () => Promise<unknown>, table: string) =>
    expect(run()).rejects.toSatisfy(
      (e: unknown) => e instanceof TenantGuardError && e.message.includes(table),
      `refused, naming ${table}`,
    );

  it("knows every table that has a tenant_id column, and no other", async () => {
    const tables = await db.allTenants.introspection.getTables();
    const owned = tables.filter((t) => t.columns.some((c) => c.name === "tenant_id")).map((t) => t.name);
    expect(new Set(owned)).toEqual(TENANT_OWNED_TABLES);
  });

  it("refuses a SELECT, UPDATE or DELETE over a tenant's table with no tenant_id condition", async () => {
    await refused(
      () => db.kysely.selectFrom("users").select("id").where("username", "=", "x").execute(),
      "users",
    );
    await refused(
      () => db.kysely.updateTable("sessions").set({ ip: null }).where("id", "=", "x").execute(),
      "sessions",
    );
    await refused(() => db.kysely.deleteFrom("outbox").where("id", "=", "x").execute(), "outbox");
    // UPDATE … FROM reads a tenant's table as a SELECT would.
    await refused(
      () =>
        db.kysely
          .updateTable("tenants")
          .from("sessions")
          .set({ name: "x" })
          .whereRef("sessions.ip", "=", "tenants.name")
          .execute(),
      "sessions",
    );
  });

  it("refuses an INSERT into a tenant's table that sets no tenant_id", async () => {
    await refused(
      () =>
        db.kysely
          .insertInto("password_history")
          .values({ user_id: "usr_x", password_hash: "h", created_at: "2026-01-01" } as never)
          .execute(),
      "password_history",
    );
  });

  it("refuses a subquery or a joined table that forgets the tenant, even when the outer query names it", async () => {
    await refused(
      () =>
        db.kysely
          .selectFrom("users")
          .select("id")
          .where("tenant_id", "=", "ten_a")
          .where("id", "in", (eb) => eb.selectFrom("sessions").select("user_id"))
          .execute(),
      "sessions",
    );
    await refused(
      () =>
        db.kysely
          .selectFrom("roles")
          .innerJoin("users", "users.role_id", "roles.id")
          .select("users.id")
          .execute(),
      "roles, users",
    );
  });

  it("runs what names its tenant (in WHERE or a join's ON), tables no tenant owns, and db.allTenants", async () => {
    await db.kysely.selectFrom("users").select("id").where("users.tenant_id", "=", "ten_a").execute();
    await db.kysely
      .selectFrom("roles")
      .innerJoin("users", (j) =>
        j.onRef("users.role_id", "=", "roles.id").onRef("users.tenant_id", "=", "roles.tenant_id"),
      )
      .select("users.id")
      .where("roles.tenant_id", "=", "ten_a")
      .execute();
    await db.kysely.selectFrom("tenants").select("id").execute();
    await db.kysely
      .transaction()
      .execute((trx) =>
        trx.deleteFrom("outbox").where("tenant_id", "=", "ten_a").where("id", "=", "x").execute(),
      );
    expect(await db.allTenants.selectFrom("users").select("id").execute()).toEqual([]);
  });

  it("refuses a query compiled once (db/prepared.ts) that names no tenant, whichever connection compiled it first", async () => {
    const noTenant = prepared(["id"], (d, v) =>
      d.selectFrom("sessions").select("user_id").where("id", "=", v.id),
    );
    // First on db.allTenants, which has no plugin: the template would then serve db.kysely unchecked.
    await refused(() => noTenant.rows(db.allTenants, { id: "x" }), "sessions");
    await refused(() => noTenant.rows(db.kysely, { id: "x" }), "sessions");
    const named = prepared(["tenantId", "id"], (d, v) =>
      d.selectFrom("sessions").select("user_id").where("tenant_id", "=", v.tenantId).where("id", "=", v.id),
    );
    expect(await named.rows(db.allTenants, { tenantId: "ten_a", id: "x" })).toEqual([]);
    expect(await named.rows(db.kysely, { tenantId: "ten_a", id: "x" })).toEqual([]);
  });

  it("holds inside a transaction as outside", async () => {
    await refused(
      () => db.kysely.transaction().execute((trx) => trx.selectFrom("api_tokens").selectAll().execute()),
      "api_tokens",
    );
  });
});
