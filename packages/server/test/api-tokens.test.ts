/**
 * API tokens (issue 4 item 10; PRODUCT.md §4, SECURITY.md §F-44): shown once, stored hashed,
 * each acting as a virtual integration user of one tenant holding one role; revocation and expiry
 * hold from the very next request; decisions are open to every token; nothing else is, beyond
 * what the role grants; the operator API never is.
 */
import { createHash } from "node:crypto";
import type { CreatedApiToken } from "@staffgate/contract";
import type { Staffgate } from "@staffgate/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { problemOf, startTestApp, type TestApp, type TestTenant } from "./harness.ts";
import { auditOf, createRole, createUser, roleIdByName, userRow } from "./lifecycle-fixtures.ts";

describe(`API tokens (${process.env.STAFFGATE_TEST_DB ?? "sqlite"})`, () => {
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;
  let adminRole: string;
  let noPermsRole: string;
  let readerRole: string;
  /** Every token the suite saw: none may appear in any audit row. */
  const seen: string[] = [];
  let n = 0;

  beforeAll(async () => {
    t = await startTestApp();
    a = await t.createTenant();
    b = await t.createTenant();
    adminRole = await roleIdByName(t, a, "Administrator");
    noPermsRole = await createRole(a, []);
    readerRole = await createRole(a, ["patients.read"]);
  });
  afterAll(() => t?.close());

  async function makeToken(
    by: Staffgate,
    roleId: string,
    extra: { expiresAt?: string } = {},
  ): Promise<{ created: CreatedApiToken; client: Staffgate }> {
    n += 1;
    const created = await by.apiTokens.create({ name: `Lab system ${n}`, roleId, ...extra });
    seen.push(created.token);
    return { created, client: t.anonymous.withToken(created.token) };
  }

  async function status(client: Staffgate, method: string, url: string, body?: unknown) {
    const res = await client.transport.raw(method, url, body === undefined ? {} : { body });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
  }

  it("is shown once, stored only as its hash, and acts as a new virtual integration user", async () => {
    const { created, client } = await makeToken(a.admin, readerRole);
    expect(created.token).toMatch(/^sgt_[A-Za-z0-9_-]{43}$/);
    expect(created).toMatchObject({ name: `Lab system ${n}`, roleId: readerRole, expiresAt: null });

    const row = await t.db.kysely
      .selectFrom("api_tokens")
      .selectAll()
      .where("tenant_id", "=", a.id)
      .where("id", "=", created.id)
      .executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(createHash("sha256").update(created.token).digest("hex"));
    expect(row.created_by).toBe(a.adminUserId);
    // No row of any of these tables holds the token itself.
    for (const table of ["api_tokens", "users", "sessions", "audit_events"] as const) {
      const rows = await t.db.allTenants.selectFrom(table).selectAll().execute();
      expect(JSON.stringify(rows), table).not.toContain(created.token);
    }

    const user = await a.admin.users.get(created.userId);
    expect(user).toMatchObject({
      firstName: "Integration",
      lastName: `Lab system ${n}`,
      virtual: true,
      status: "active",
      roleId: readerRole,
      workspaceAccess: "all",
    });
    expect(user.username).toMatch(new RegExp(`^integration-lab-system-${n}-[a-z0-9]{6}$`));
    expect(user.email).toMatch(new RegExp(`^integration\\+[a-z0-9]+@${a.slug}\\.invalid$`));

    // The token authenticates; /auth/me answers its integration user and the role's permissions.
    const me = await client.auth.me();
    // A token is not a session: no idle limit, nothing for a console to warn about.
    expect(me.session).toBeNull();
    expect(me.user.id).toBe(created.userId);
    expect(me.tenant.id).toBe(a.id);
    expect(me.permissions).toEqual(["patients.read"]);

    const audit = await auditOf(t, a, created.id);
    expect(audit.map((e) => e.action)).toEqual(["api_token.created"]);
    expect(audit[0]!.changes).toEqual({
      name: { after: `Lab system ${n}` },
      roleId: { after: readerRole },
      expiresAt: { after: null },
      userId: { after: created.userId },
    });
    expect((await auditOf(t, a, created.userId)).map((e) => e.action)).toEqual(["user.created"]);
  });

  it('names its integration user "Integration <name>" once, also when the name begins with the word', async () => {
    const created = await a.admin.apiTokens.create({ name: "integration Lab", roleId: readerRole });
    seen.push(created.token);
    const user = await a.admin.users.get(created.userId);
    expect([user.firstName, user.lastName]).toEqual(["Integration", "Lab"]);
  });

  it("lists tokens without the token or its hash", async () => {
    const { created } = await makeToken(a.admin, readerRole);
    const list = await a.admin.apiTokens.list();
    const item = list.items.find((i) => i.id === created.id)!;
    expect(item).toEqual({
      id: created.id,
      version: 1,
      name: created.name,
      userId: created.userId,
      roleId: readerRole,
      createdAt: created.createdAt,
      createdBy: a.adminUserId,
      expiresAt: null,
      lastUsedAt: null,
      revokedAt: null,
      heldBack: false,
    });
    const text = JSON.stringify(list);
    const hash = createHash("sha256").update(created.token).digest("hex");
    for (const token of seen) expect(text).not.toContain(token);
    expect(text).not.toContain(hash);
    // Another tenant sees none of them.
    expect((await b.admin.apiTokens.list()).items).toEqual([]);
    // Pagination.
    const first = await a.admin.apiTokens.list({ limit: 1 });
    expect(first.items).toHaveLength(1);
    expect(first.nextCursor).not.toBeNull();
    const second = await a.admin.apiTokens.list({ limit: 1, cursor: first.nextCursor! });
    expect(second.items[0]!.id).not.toBe(first.items[0]!.id);
  });

  it("may ask for decisions whatever its role, and may check its own virtual user", async () => {
    const { created, client } = await makeToken(a.admin, noPermsRole);
    const reader = await makeToken(a.admin, readerRole);
    // Someone who may create patients, so that the application's report of one is believed.
    const writerRole = await createRole(a, ["patients.write", "patients.phi"]);
    const person = (await createUser(t, a, { roleId: writerRole })).user.id;

    // A permissionless token asks about anyone: check, batch, explain.
    expect(await client.access.check({ userId: person, permission: "patients.read" })).toMatchObject({
      allowed: true,
    });
    const batch = await client.access.checkBatch([
      { userId: person, permission: "patients.read" },
      { userId: person, permission: "users.manage" },
    ]);
    expect(batch.results.map((r) => r.allowed)).toEqual([true, false]);
    expect((await client.access.explain({ userId: person, permission: "patients.read" })).steps.length).toBe(
      (await a.admin.access.explain({ userId: person, permission: "patients.read" })).steps.length,
    );
    expect(created.userId).not.toBe(person);

    // A virtual user is decided normally only through its own token.
    const own = { userId: reader.created.userId, permission: "patients.read" };
    expect(await reader.client.access.check(own)).toMatchObject({ allowed: true });
    expect((await a.admin.access.check(own)).reason).toMatchObject({ code: "VIRTUAL_USER" });
    expect((await client.access.check(own)).reason).toMatchObject({ code: "VIRTUAL_USER" });

    // The application reports a created patient through its token.
    const reported = await status(client, "POST", "/api/v1/patients/patient-tok-0001/created", {
      userId: person,
    });
    expect(reported.status).toBe(201);
  });

  it("reaches everything else only by its role's permissions", async () => {
    const weak = await makeToken(a.admin, readerRole);
    const body = {
      username: `tok-made-${n}`,
      email: `tok-made-${n}@${a.slug}.example`,
      firstName: "Tok",
      lastName: "Made",
      roleId: readerRole,
    };
    const refused = await status(weak.client, "POST", "/api/v1/users", body);
    expect(refused.status).toBe(403);
    expect(refused.body?.code).toBe("FORBIDDEN");
    expect((await status(weak.client, "GET", "/api/v1/users")).status).toBe(403);
    expect((await status(weak.client, "GET", "/api/v1/api-tokens")).status).toBe(403);

    const strong = await makeToken(a.admin, adminRole);
    expect((await status(strong.client, "POST", "/api/v1/users", body)).status).toBe(201);
    expect((await status(strong.client, "GET", "/api/v1/api-tokens")).status).toBe(200);
  });

  it("never reaches the operator API (403: authenticated, not permitted)", async () => {
    const { client } = await makeToken(a.admin, adminRole);
    const list = await status(client, "GET", "/api/v1/tenants");
    expect([list.status, list.body?.code]).toEqual([403, "FORBIDDEN"]);
    const create = await status(client, "POST", "/api/v1/tenants", {
      slug: "from-a-token",
      name: "Nope",
      admin: {
        username: "x",
        email: "x@from-a-token.example",
        firstName: "X",
        lastName: "Y",
        password: "long-enough-password-1234",
      },
    });
    expect(create.status).toBe(403);
  });

  it("refuses a role exceeding the creator's grants (PRIVILEGE_ESCALATION), and needs api_tokens.manage", async () => {
    const managerRole = await createRole(a, ["api_tokens.manage", "users.view"]);
    const manager = (await createUser(t, a, { roleId: managerRole })).client;
    const before = await t.db.allTenants.selectFrom("api_tokens").select("id").execute();
    const refused = await problemOf(() => manager.apiTokens.create({ name: "Too much", roleId: adminRole }));
    expect(refused.status).toBe(403);
    expect(refused.code).toBe("PRIVILEGE_ESCALATION");
    expect(await t.db.allTenants.selectFrom("api_tokens").select("id").execute()).toHaveLength(before.length);
    const ghost = await t.db.kysely
      .selectFrom("users")
      .select("id")
      .where("tenant_id", "=", a.id)
      .where("last_name", "=", "Too much")
      .execute();
    expect(ghost).toEqual([]);
    // A role within the creator's grants is fine.
    const ok = await makeToken(manager, managerRole);
    expect(ok.created.roleId).toBe(managerRole);

    // Without api_tokens.manage: 403 on every route.
    const plain = (await createUser(t, a, { roleId: readerRole })).client;
    expect((await problemOf(() => plain.apiTokens.list())).status).toBe(403);
    expect((await problemOf(() => plain.apiTokens.create({ name: "x", roleId: readerRole }))).status).toBe(
      403,
    );
    expect((await problemOf(() => plain.apiTokens.revoke(ok.created.id))).status).toBe(403);

    // Invalid input.
    expect((await problemOf(() => a.admin.apiTokens.create({ name: "", roleId: readerRole }))).status).toBe(
      400,
    );
    expect(
      (await problemOf(() => a.admin.apiTokens.create({ name: "x".repeat(81), roleId: readerRole }))).status,
    ).toBe(400);
    const foreignRole = await roleIdByName(t, b, "Administrator");
    expect((await problemOf(() => a.admin.apiTokens.create({ name: "x", roleId: foreignRole }))).status).toBe(
      400,
    );
    const past = new Date(t.clock.now().getTime() - 1000).toISOString();
    const expired = await problemOf(() =>
      a.admin.apiTokens.create({ name: "x", roleId: readerRole, expiresAt: past }),
    );
    expect(expired.status).toBe(400);
  });

  it("stops working on the very next request after revocation, and archives its user", async () => {
    const { created, client } = await makeToken(a.admin, readerRole);
    expect((await client.auth.me()).user.id).toBe(created.userId);
    await a.admin.apiTokens.revoke(created.id);
    const after = await problemOf(() => client.auth.me());
    expect(after.status).toBe(401);
    expect(after.code).toBe("UNAUTHENTICATED");
    expect((await userRow(t, a, created.userId))?.status).toBe("archived");
    const listed = (await a.admin.apiTokens.list({ limit: 200 })).items.find((i) => i.id === created.id)!;
    expect(listed.revokedAt).toBe(t.clock.now().toISOString());
    // Revoking again changes nothing.
    await a.admin.apiTokens.revoke(created.id);
    expect((await auditOf(t, a, created.id)).map((e) => e.action)).toEqual([
      "api_token.created",
      "api_token.revoked",
    ]);
    expect((await auditOf(t, a, created.userId)).map((e) => e.action)).toEqual([
      "user.created",
      "user.archived",
    ]);
  });

  it("revoked while 100 of its requests are in flight: each answers 200 or 401, and every one sent after the revocation is 401 (SECURITY.md §5.3.6)", async () => {
    const { created, client } = await makeToken(a.admin, readerRole);
    const me = () => status(client, "GET", "/api/v1/auth/me").then((r) => r.status);
    const check = () =>
      status(client, "POST", "/api/v1/check", { userId: created.userId, permission: "patients.read" }).then(
        (r) => r.status,
      );
    const inFlight = Array.from({ length: 100 }, (_, i) => (i % 2 ? me() : check()));
    await a.admin.apiTokens.revoke(created.id);
    const during = await Promise.all(inFlight);
    expect(during.filter((s) => s !== 200 && s !== 401)).toEqual([]);
    const after = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? me() : check())));
    expect(new Set(after)).toEqual(new Set([401]));
  });

  it("carries an ETag (1 active, 2 revoked); DELETE with a stale If-Match is 412 and revokes nothing", async () => {
    const { created, client } = await makeToken(a.admin, readerRole);
    const res = await a.admin.transport.raw("GET", `/api/v1/api-tokens/${created.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("etag")).toBe('"1"');
    expect(await res.json()).toMatchObject({ id: created.id, version: 1, revokedAt: null });
    const stale = await problemOf(() => a.admin.apiTokens.revoke(created.id, { ifMatch: 2 }));
    expect([stale.status, stale.code]).toEqual([412, "PRECONDITION_FAILED"]);
    expect((await client.auth.me()).user.id).toBe(created.userId);
    expect((await auditOf(t, a, created.id)).map((e) => e.action)).toEqual(["api_token.created"]);
    await a.admin.apiTokens.revoke(created.id, { ifMatch: 1 });
    expect((await problemOf(() => client.auth.me())).status).toBe(401);
    const after = await a.admin.apiTokens.get(created.id);
    expect(after).toMatchObject({ version: 2, revokedAt: t.clock.now().toISOString() });
    expect((await a.admin.apiTokens.list()).items.find((k) => k.id === created.id)?.version).toBe(2);
  });

  it("answers 404 for another tenant's token id, exactly as for a missing one", async () => {
    const { created, client } = await makeToken(a.admin, readerRole);
    const gotForeign = await status(b.admin, "GET", `/api/v1/api-tokens/${created.id}`);
    const gotMissing = await status(b.admin, "GET", "/api/v1/api-tokens/tok_missing000000000000");
    expect([gotForeign.status, gotMissing.status]).toEqual([404, 404]);
    const foreign = await status(b.admin, "DELETE", `/api/v1/api-tokens/${created.id}`);
    const missing = await status(b.admin, "DELETE", "/api/v1/api-tokens/tok_missing000000000000");
    expect(foreign.status).toBe(404);
    expect(missing.status).toBe(404);
    const scrub = (x: unknown, s: string) => JSON.parse(JSON.stringify(x).replaceAll(s, "<id>"));
    expect(scrub(foreign.body, created.id)).toEqual(scrub(missing.body, "tok_missing000000000000"));
    // Still alive.
    expect((await client.auth.me()).user.id).toBe(created.userId);
    // A tenant-A token on a tenant-B user id: 404, as for any missing user.
    const strong = await makeToken(a.admin, adminRole);
    const foreignUser = await status(strong.client, "GET", `/api/v1/users/${b.adminUserId}`);
    expect(foreignUser.status).toBe(404);
  });

  it("ends when its integration user is deactivated or archived", async () => {
    const one = await makeToken(a.admin, readerRole);
    const two = await makeToken(a.admin, readerRole);
    await a.admin.userActions.deactivate(one.created.userId);
    expect((await problemOf(() => one.client.auth.me())).status).toBe(401);
    await a.admin.userActions.archive(two.created.userId);
    expect((await problemOf(() => two.client.auth.me())).status).toBe(401);
    // Reactivating the user does not bring the token back.
    await a.admin.userActions.reactivate(one.created.userId);
    expect((await problemOf(() => one.client.auth.me())).status).toBe(401);
    const items = (await a.admin.apiTokens.list({ limit: 200 })).items;
    expect(items.find((i) => i.id === one.created.id)!.revokedAt).not.toBeNull();
    expect(items.find((i) => i.id === two.created.id)!.revokedAt).not.toBeNull();
  });

  it("ends with the person who created it: their reset, compromise, ended sessions or archiving", async () => {
    const cases: [string, (creatorId: string) => Promise<unknown>][] = [
      ["ended sessions", (id) => a.admin.userActions.revokeSessions(id)],
      ["compromised", (id) => a.admin.credentials.setUserPassword(id, { compromised: true })],
      ["random password", (id) => a.admin.credentials.setUserPassword(id, { random: true })],
      ["archived", (id) => a.admin.userActions.archive(id)],
    ];
    for (const [what, act] of cases) {
      const creator = await createUser(t, a, { roleId: adminRole });
      const made = await makeToken(creator.client, readerRole);
      const other = await makeToken(a.admin, readerRole);
      expect((await made.client.auth.me()).user.id, what).toBe(made.created.userId);
      await act(creator.user.id);
      expect((await problemOf(() => made.client.auth.me())).status, what).toBe(401);
      // Tokens someone else created are not touched.
      expect((await other.client.auth.me()).user.id, what).toBe(other.created.userId);
      // No audit, no change: the revocation is recorded with its cause, and the token's
      // integration user is archived with it, as when the token is revoked by hand.
      const revoked = await a.admin.audit.list({ action: "api_token.revoked", targetId: made.created.id });
      expect(revoked.items, what).toHaveLength(1);
      expect(revoked.items[0]?.changes, what).toMatchObject({
        userId: { before: made.created.userId },
        cause: { after: expect.any(String) },
      });
      expect((await a.admin.users.get(made.created.userId)).status, what).toBe("archived");
    }
  });

  it("never holds more than its maker holds now: a demoted maker's token is refused at once (pentest audit)", async () => {
    const maker = await createUser(t, a, { roleId: adminRole });
    const strong = await makeToken(maker.client, adminRole);
    const weak = await makeToken(maker.client, readerRole);
    // A token made by that token: judged up the chain to the person.
    const child = await makeToken(strong.client, adminRole);
    const me = async (c: Staffgate) => (await status(c, "GET", "/api/v1/auth/me")).status;
    expect([await me(strong.client), await me(weak.client), await me(child.client)]).toEqual([200, 200, 200]);

    // Demoted to the reader role: the Administrator tokens stop on the next request, and cannot
    // put their maker back; the reader token, still covered, goes on.
    await a.admin.users.update(maker.user.id, { roleId: readerRole });
    expect(await me(strong.client)).toBe(401);
    expect(await me(child.client)).toBe(401);
    expect(await me(weak.client)).toBe(200);
    // The list says which are held back, and why they answer 401.
    const listed = new Map(
      (await a.admin.apiTokens.list({ limit: 200 })).items.map((x) => [x.id, x.heldBack]),
    );
    expect([
      listed.get(strong.created.id),
      listed.get(child.created.id),
      listed.get(weak.created.id),
    ]).toEqual([true, true, false]);
    expect((await a.admin.apiTokens.get(strong.created.id)).heldBack).toBe(true);
    const restore = await status(strong.client, "PATCH", `/api/v1/users/${maker.user.id}`, {
      roleId: adminRole,
    });
    expect(restore.status).toBe(401);
    expect((await a.admin.users.get(maker.user.id)).roleId).toBe(readerRole);

    // Narrowed by private permissions or by workspace access, the same.
    await a.admin.users.update(maker.user.id, { roleId: adminRole });
    expect(await me(strong.client)).toBe(200);
    await a.admin.userActions.setPermissions(maker.user.id, {
      permissions: ["patients.read"],
      workspaces: [],
    });
    expect(await me(strong.client)).toBe(401);
    await a.admin.users.update(maker.user.id, { roleId: adminRole });
    const ward = await a.admin.workspaces.create({ slug: `ward-${n}`, name: `Ward ${n}` });
    await a.admin.users.update(maker.user.id, { workspaceAccess: [ward.id] });
    expect(await me(strong.client)).toBe(401);
    expect(await me(child.client)).toBe(401);
    await a.admin.users.update(maker.user.id, { workspaceAccess: "all" });
    expect([await me(strong.client), await me(child.client)]).toEqual([200, 200]);
    expect((await a.admin.apiTokens.get(strong.created.id)).heldBack).toBe(false);

    // Editing the role the maker holds narrows the maker too.
    const editable = await createRole(a, ["users.view", "users.manage", "api_tokens.manage"]);
    const editor = await createUser(t, a, { roleId: editable });
    const viaRole = await makeToken(editor.client, await createRole(a, ["users.view", "users.manage"]));
    expect(await me(viaRole.client)).toBe(200);
    await a.admin.roles.update(editable, { permissions: ["users.view", "api_tokens.manage"] });
    expect(await me(viaRole.client)).toBe(401);
  });

  it("logout with a token is refused (403: revoke it instead), and the token stays valid", async () => {
    const { created, client } = await makeToken(a.admin, readerRole);
    const p = await problemOf(() => client.auth.logout());
    expect(p).toMatchObject({ status: 403, code: "FORBIDDEN" });
    expect(p.problem.detail).toContain("revoked");
    expect((await client.auth.me()).user.id).toBe(created.userId);
  });

  it("records last use at most once a minute", async () => {
    const { created, client } = await makeToken(a.admin, readerRole);
    const lastUsed = async () =>
      (
        await t.db.kysely
          .selectFrom("api_tokens")
          .select("last_used_at")
          .where("tenant_id", "=", a.id)
          .where("id", "=", created.id)
          .executeTakeFirstOrThrow()
      ).last_used_at;
    expect(await lastUsed()).toBeNull();
    await client.auth.me();
    const first = await lastUsed();
    expect(first).toBe(t.clock.now().toISOString());
    t.clock.advance(30_000);
    await client.auth.me();
    expect(await lastUsed()).toBe(first);
    t.clock.advance(31_000);
    await client.auth.me();
    expect(await lastUsed()).toBe(t.clock.now().toISOString());
  });

  it("stops working once its expiry passes (fake clock)", async () => {
    const expiresAt = new Date(t.clock.now().getTime() + 3_600_000).toISOString();
    const { created, client } = await makeToken(a.admin, readerRole, { expiresAt });
    expect(created.expiresAt).toBe(expiresAt);
    t.clock.advance(3_600_000 - 1000);
    expect((await client.auth.me()).user.id).toBe(created.userId);
    t.clock.advance(1000);
    expect((await problemOf(() => client.auth.me())).status).toBe(401);
  });

  it("makes no token outliving the token that makes it: none given takes its maker's expiry, a later one is 400", async () => {
    const expiresAt = new Date(t.clock.now().getTime() + 60_000).toISOString();
    // The tests above moved the clock past the admin session's idle limit: a new sign-in.
    const admin = await t.signIn(a.slug, a.adminUsername, a.password);
    const { client: maker } = await makeToken(admin, adminRole, { expiresAt });
    const later = await problemOf(() =>
      maker.apiTokens.create({ name: "Outliving", roleId: readerRole, expiresAt: "2099-01-01T00:00:00Z" }),
    );
    expect([later.status, later.errors[0]?.path]).toEqual([400, "expiresAt"]);
    const child = await maker.apiTokens.create({ name: "Child", roleId: readerRole });
    seen.push(child.token);
    expect(child.expiresAt).toBe(expiresAt);
    t.clock.advance(61_000);
    const p = await problemOf(() => t.anonymous.withToken(child.token).auth.me());
    expect(p.status).toBe(401);
  });

  it("never writes a token into the audit (canary)", async () => {
    expect(seen.length).toBeGreaterThan(10);
    const rows = await t.db.allTenants.selectFrom("audit_events").selectAll().execute();
    const all = JSON.stringify(rows);
    expect(rows.some((r) => r.action === "api_token.created")).toBe(true);
    for (const token of seen) {
      expect(all).not.toContain(token);
      expect(all).not.toContain(createHash("sha256").update(token).digest("hex"));
    }
  });
});
