import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { problemOf, startTestApp, type TestApp, type TestTenant } from "./harness.ts";

describe(`minimal sign-in (${process.env.STAFFGATE_TEST_DB ?? "sqlite"})`, () => {
  let t: TestApp;
  let a: TestTenant;
  beforeAll(async () => {
    t = await startTestApp();
    a = await t.createTenant();
  });
  afterAll(() => t.close());

  it("signs in by username or email, case-insensitively, and returns an opaque token", async () => {
    const byName = await t.anonymous.auth.login({
      tenant: a.slug.toUpperCase(),
      login: "ADMIN",
      password: a.password,
    });
    expect(byName.token).toMatch(/^sgs_[A-Za-z0-9_-]{43}$/);
    expect(byName.user.username).toBe("admin");
    expect(byName.mustChangePassword).toBe(false);
    const byEmail = await t.anonymous.auth.login({
      tenant: a.slug,
      login: `Admin@${a.slug}.example`,
      password: a.password,
    });
    expect(byEmail.token).not.toBe(byName.token);
  });

  it("resolves a login that is one user's username and another's email to the username", async () => {
    const me = await t.anonymous.auth.login({ tenant: a.slug, login: "admin", password: a.password });
    const login = `shared@${a.slug}.example`;
    const common = { firstName: "Tie", lastName: "Break", roleId: me.user.roleId, mustChangePassword: false };
    // "aa-…" sorts before "shared@…": ordering by username would pick the email match.
    await a.admin.users.create({
      ...common,
      username: "aa-by-email",
      email: login,
      password: "copper-lantern-harbour-91",
    });
    const second = await a.admin.users.create({
      ...common,
      username: "zz-second",
      email: `other@${a.slug}.example`,
      password: "usernames-own-pass-1",
    });
    // Such a pair can no longer be made through the API (login-identifiers.test.ts); one made
    // before that rule is written here directly.
    await t.db.kysely
      .updateTable("users")
      .set({ username: login, username_key: login })
      .where("tenant_id", "=", a.id)
      .where("id", "=", second.id)
      .execute();
    const signedIn = await t.anonymous.auth.login({
      tenant: a.slug,
      login,
      password: "usernames-own-pass-1",
    });
    expect(signedIn.user.username).toBe(login);
    const refused = await problemOf(() =>
      t.anonymous.auth.login({ tenant: a.slug, login, password: "copper-lantern-harbour-91" }),
    );
    expect(refused.code).toBe("INVALID_CREDENTIALS");
  });

  it("stores only a hash of the session token", async () => {
    const { token } = await t.anonymous.auth.login({ tenant: a.slug, login: "admin", password: a.password });
    const rows = await t.db.allTenants.selectFrom("sessions").select("token_hash").execute();
    expect(rows.some((r) => r.token_hash === token)).toBe(false);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.token_hash))).toBe(true);
  });

  it("answers every failure with one identical INVALID_CREDENTIALS body", async () => {
    const attempts = [
      { tenant: "no-such-tenant", login: "admin", password: a.password },
      { tenant: a.slug, login: "nobody", password: a.password },
      { tenant: a.slug, login: "admin", password: "wrong-password-entirely" },
    ];
    const bodies = [];
    for (const body of attempts) {
      const res = await t.anonymous.transport.raw("POST", "/api/v1/auth/login", { body });
      expect(res.status).toBe(401);
      bodies.push(await res.text());
    }
    expect(new Set(bodies).size).toBe(1);
    expect(JSON.parse(bodies[0]!)).toMatchObject({ code: "INVALID_CREDENTIALS", status: 401 });
  });

  it("audits failed and successful sign-ins", async () => {
    await problemOf(() =>
      t.anonymous.auth.login({ tenant: a.slug, login: "admin", password: "not-the-password-at-all" }),
    );
    await t.anonymous.auth.login({ tenant: a.slug, login: "admin", password: a.password });
    const rows = await t.db.kysely
      .selectFrom("audit_events")
      .select(["action", "outcome"])
      .where("tenant_id", "=", a.id)
      .where("action", "like", "auth.login.%")
      .orderBy("seq", "desc")
      .limit(2)
      .execute();
    expect(rows).toEqual([
      { action: "auth.login.succeeded", outcome: "success" },
      { action: "auth.login.failed", outcome: "failure" },
    ]);
  });

  it("gives the signed-in user, tenant and tenant-level permissions", async () => {
    const me = await a.admin.auth.me();
    expect(me.user.id).toBe(a.adminUserId);
    expect(me.tenant).toEqual({ id: a.id, slug: a.slug, name: `Tenant ${a.slug}` });
    expect(me.permissions).toEqual(expect.arrayContaining(["users.manage", "roles.manage", "audit.view"]));
    expect(JSON.stringify(me)).not.toMatch(/password_hash|passwordHash|\$argon2/);
  });

  it("describes the session: its purpose and the idle limit the console warns before", async () => {
    const me = await a.admin.auth.me();
    expect(me.session).toMatchObject({ purpose: "full", idleTimeoutSeconds: 15 * 60 });
    const { items } = await a.admin.auth.sessions();
    const current = items.find((s) => s.current)!;
    expect(me.session).toEqual({
      id: current.id,
      purpose: "full",
      idleTimeoutSeconds: 900,
      expiresAt: current.expiresAt,
    });
    await a.admin.settings.update({ idleTimeoutMinutes: 5 });
    expect((await a.admin.auth.me()).session?.idleTimeoutSeconds).toBe(300);
    await a.admin.settings.update({ idleTimeoutMinutes: 15 });
  });

  it("ends the session on logout: the token stops working", async () => {
    const s = await t.signIn(a.slug, "admin");
    await s.auth.logout();
    expect((await problemOf(() => s.auth.me())).status).toBe(401);
  });

  it("refuses missing, malformed and unknown tokens with 401", async () => {
    for (const token of [undefined, "garbage", "sgs_unknown"]) {
      const p = await problemOf(() => t.anonymous.withToken(token).auth.me());
      expect(p.status).toBe(401);
      expect(p.code).toBe("UNAUTHENTICATED");
    }
  });

  it("expires sessions at the absolute limit, even with constant activity (fake clock)", async () => {
    const s = await t.signIn(a.slug, "admin");
    // Active every 10 minutes (inside the 15-minute idle limit) for 12 hours less a second.
    for (let i = 0; i < 71; i++) {
      t.clock.advance(10 * 60_000);
      await s.auth.me();
    }
    t.clock.advance(10 * 60_000 - 1000);
    await expect(s.auth.me()).resolves.toBeDefined();
    t.clock.advance(2000);
    expect((await problemOf(() => s.auth.me())).status).toBe(401);
  });
});
