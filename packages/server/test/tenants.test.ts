import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../src/app.ts";
import { CANARY_PASSWORD, OPERATOR_TOKEN, problemOf, startTestApp, type TestApp } from "./harness.ts";

describe(`tenants and the operator API (${process.env.STAFFGATE_TEST_DB ?? "sqlite"})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const admin = (slug: string) => ({
    username: "owner",
    email: `owner@${slug}.example`,
    firstName: "Olive",
    lastName: "Owner",
    password: CANARY_PASSWORD,
  });

  it("creates a tenant with its preset's roles and a working administrator", async () => {
    const tenant = await t.operator.tenants.create({
      slug: "vet-clinic",
      name: "Vet Clinic",
      catalogPreset: "veterinary",
      admin: admin("vet-clinic"),
    });
    expect(tenant).toMatchObject({ slug: "vet-clinic", name: "Vet Clinic", catalog: "veterinary" });
    expect(tenant.id).toMatch(/^ten_/);
    const owner = await t.signIn("vet-clinic", "owner");
    const me = await owner.auth.me();
    expect(me.tenant.slug).toBe("vet-clinic");
    expect(me.permissions).toEqual(
      expect.arrayContaining(["users.manage", "roles.manage", "invoices.write"]),
    );
    const perms = await owner.permissions.list();
    expect(perms.catalog.name).toBe("veterinary");
    const roles = await t.db.kysely
      .selectFrom("roles")
      .select(["name", "locked"])
      .where("tenant_id", "=", tenant.id)
      .execute();
    expect(roles.map((r) => r.name).sort()).toEqual(["Administrator", "Manager", "Reports", "Users"]);
  });

  it("uses the deployment's default catalogue when no preset is named", async () => {
    const tenant = await t.operator.tenants.create({ slug: "rt-dept", name: "RT", admin: admin("rt-dept") });
    expect(tenant.catalog).toBe("radiotherapy");
  });

  it("refuses an unknown preset, a taken slug (case-insensitively) and a weak admin password", async () => {
    const p1 = await problemOf(() =>
      t.operator.tenants.create({ slug: "x1", name: "X", catalogPreset: "dental", admin: admin("x1") }),
    );
    expect(p1.errors[0]?.path).toBe("catalogPreset");
    await t.operator.tenants.create({ slug: "taken", name: "Taken", admin: admin("taken") });
    const p2 = await problemOf(() =>
      t.operator.tenants.create({ slug: "taken", name: "Again", admin: admin("taken") }),
    );
    expect(p2.status).toBe(409);
    expect(p2.code).toBe("TENANT_SLUG_TAKEN");
    expect(p2.errors.map((e) => e.path)).toEqual(["slug"]);
    const p3 = await problemOf(() =>
      t.operator.tenants.create({
        slug: "weak",
        name: "Weak",
        admin: { ...admin("weak"), password: "short" },
      }),
    );
    expect(p3.errors[0]?.path).toBe("admin.password");
    expect(
      await t.operator.tenants.list({ limit: 200 }).then((l) => l.items.some((x) => x.slug === "weak")),
    ).toBe(false);
  });

  it("takes a slug in any case, stores it in lower case and refuses it again in another case", async () => {
    const tenant = await t.operator.tenants.create({ slug: "Mixed-Case", name: "M", admin: admin("mixed") });
    expect(tenant.slug).toBe("mixed-case");
    const again = await problemOf(() =>
      t.operator.tenants.create({ slug: "MIXED-CASE", name: "M2", admin: admin("mixed2") }),
    );
    expect([again.status, again.code]).toEqual([409, "TENANT_SLUG_TAKEN"]);
    expect((await t.signIn("MIXED-case", "owner")).withToken).toBeTypeOf("function");
  });

  it("lists tenants with cursor pagination", async () => {
    const first = await t.operator.tenants.list({ limit: 1 });
    expect(first.items).toHaveLength(1);
    const second = await t.operator.tenants.list({ limit: 1, cursor: first.nextCursor! });
    expect(second.items[0]?.id).not.toBe(first.items[0]?.id);
    // A cursor this API did not send is refused, as on every other list.
    for (const cursor of ["garbage", "!!!", Buffer.from('["a","b"]').toString("base64url")]) {
      const p = await problemOf(() => t.operator.tenants.list({ cursor }));
      expect([p.status, p.code], cursor).toEqual([400, "INVALID_CURSOR"]);
    }
  });

  it("is closed to tenant tokens (403: signed in, not permitted), anonymous callers and wrong operator tokens (401)", async () => {
    const a = await t.createTenant();
    for (const [client, status, code] of [
      [a.admin, 403, "FORBIDDEN"],
      [t.anonymous, 401, "UNAUTHENTICATED"],
      [t.anonymous.withToken(`${OPERATOR_TOKEN}x`), 401, "UNAUTHENTICATED"],
    ] as const) {
      const p = await problemOf(() => client.tenants.list());
      expect([p.status, p.code]).toEqual([status, code]);
      const c = await problemOf(() =>
        client.tenants.create({ slug: "sneaky", name: "S", admin: admin("sneaky") }),
      );
      expect([c.status, c.code]).toEqual([status, code]);
    }
    const all = await t.operator.tenants.list({ limit: 200 });
    expect(all.items.some((x) => x.slug === "sneaky")).toBe(false);
  });

  it("does not let the operator token act inside a tenant", async () => {
    const p = await problemOf(() => t.operator.workspaces.list());
    expect(p.status).toBe(401);
  });

  it("audits tenant creation with the operator as actor", async () => {
    const tenant = await t.operator.tenants.create({
      slug: "audited-tenant",
      name: "A",
      admin: admin("audited-tenant"),
    });
    const rows = await t.db.kysely
      .selectFrom("audit_events")
      .select(["action", "actor_type", "changes"])
      .where("tenant_id", "=", tenant.id)
      .orderBy("seq")
      .execute();
    expect(rows.map((r) => r.action)).toEqual(["tenant.created", "user.created"]);
    expect(rows[0]?.actor_type).toBe("operator");
    expect(JSON.stringify(rows)).not.toContain(CANARY_PASSWORD);
    // The first administrator's creation records every field, as any user's creation does.
    const changes = rows[1]!.changes;
    const fields = Object.keys(typeof changes === "string" ? JSON.parse(changes) : (changes ?? {}));
    expect(fields).toEqual(
      expect.arrayContaining([
        "username",
        "email",
        "firstName",
        "lastName",
        "roleId",
        "workspaceAccess",
        "status",
      ]),
    );
  });

  it("says that the operator API is off when no operator token is configured", async () => {
    const off = await buildApp({ db: t.db, clock: t.clock });
    try {
      const res = await off.inject({
        method: "POST",
        url: "/api/v1/tenants",
        headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, "content-type": "application/json" },
        payload: "{}",
      });
      expect([res.statusCode, res.json().code]).toEqual([401, "UNAUTHENTICATED"]);
      expect(res.json().detail).toMatch(/operator API is off.*STAFFGATE_OPERATOR_TOKEN/);
      // /metrics then answers this machine only, and says so to another.
      const metrics = await off.inject({ method: "GET", url: "/metrics", remoteAddress: "203.0.113.9" });
      expect([metrics.statusCode, metrics.json().detail]).toEqual([
        401,
        "Metrics are read from this machine only: this server was started without STAFFGATE_OPERATOR_TOKEN",
      ]);
      // Configured, the same request is told what it lacks.
      const on = await t.app.inject({ method: "GET", url: "/api/v1/tenants" });
      expect(on.json().detail).toBe("The operator token is required");
    } finally {
      await off.close();
    }
  });
});
