/**
 * The Idempotency-Key header (SECURITY.md §5.2 point 5, docs/api.md "Idempotency-Key"): a change
 * sent again with the same key is carried out once; the retry gets the first answer, marked
 * `Idempotent-Replayed: true`. Keys are the caller's own, last 24 hours, are claimed only by a
 * change that commits, and never keep a one-time secret.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CANARY_PASSWORD, startTestApp, type TestApp, type TestTenant } from "./harness.ts";
import { createUser, roleIdByName } from "./lifecycle-fixtures.ts";

describe(`Idempotency-Key (${process.env.STAFFGATE_TEST_DB ?? "sqlite"})`, () => {
  let t: TestApp;
  let a: TestTenant;
  let token: string;
  let viewerRole: string;
  let n = 0;

  const login = async (tenant: string, username: string) => {
    const res = await t.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { tenant, login: username, password: CANARY_PASSWORD },
    });
    return res.json().token as string;
  };
  const send = (method: "POST" | "PATCH" | "DELETE", url: string, body: unknown, key?: string, as = token) =>
    t.app.inject({
      method,
      url,
      headers: {
        authorization: `Bearer ${as}`,
        ...(key !== undefined ? { "idempotency-key": key } : {}),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
  const newUser = () => {
    n += 1;
    return {
      username: `idem${n}`,
      email: `idem${n}@${a.slug}.example`,
      firstName: "Ida",
      lastName: `Idem${n}`,
      roleId: viewerRole,
    };
  };
  const countUsers = async (username: string) =>
    Number(
      (
        await t.db.kysely
          .selectFrom("users")
          .select((eb) => eb.fn.countAll().as("n"))
          .where("tenant_id", "=", a.id)
          .where("username", "=", username)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const auditCount = async (action: string) =>
    (await t.anonymous.withToken(token).audit.list({ action, limit: 200 })).items.length;

  beforeAll(async () => {
    t = await startTestApp();
    a = await t.createTenant();
    token = await login(a.slug, "admin");
    viewerRole = await roleIdByName(t, a, "Viewer");
  });
  afterAll(() => t?.close());

  it("carries out a retried create once and answers the retry with the first answer", async () => {
    const body = newUser();
    const created = await auditCount("user.created");
    const first = await send("POST", "/api/v1/users", body, "create-1");
    const again = await send("POST", "/api/v1/users", body, "create-1");
    expect(first.statusCode).toBe(201);
    expect(first.headers["idempotent-replayed"]).toBeUndefined();
    expect([again.statusCode, again.headers["idempotent-replayed"]]).toEqual([201, "true"]);
    expect(again.json()).toEqual(first.json());
    expect(again.headers.etag).toBe(first.headers.etag);
    expect(again.headers["content-type"]).toMatch(/^application\/json/);
    expect(await countUsers(body.username)).toBe(1);
    expect(await auditCount("user.created")).toBe(created + 1);
    // Without the key, the same body is a new request (and the username is taken).
    expect((await send("POST", "/api/v1/users", body)).statusCode).toBe(409);
  });

  it("leaves passwords out of what identifies a request: a retry with another password is the same request", async () => {
    const body = { ...newUser(), password: CANARY_PASSWORD, mustChangePassword: false };
    const first = await send("POST", "/api/v1/users", body, "with-password");
    const again = await send(
      "POST",
      "/api/v1/users",
      { ...body, password: "another-long-passphrase-9" },
      "with-password",
    );
    expect([first.statusCode, again.statusCode, again.headers["idempotent-replayed"]]).toEqual([
      201,
      201,
      "true",
    ]);
    const rows = await t.db.kysely
      .selectFrom("idempotency_keys")
      .selectAll()
      .where("tenant_id", "=", a.id)
      .execute();
    expect(JSON.stringify(rows)).not.toContain(CANARY_PASSWORD);
  });

  it("gives one success among 50 parallel sends of one key, and the same answer to all", async () => {
    const body = newUser();
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => send("POST", "/api/v1/users", body, "parallel-1")),
    );
    expect(answers.map((r) => r.statusCode)).toEqual(Array(50).fill(201));
    expect(answers.filter((r) => r.headers["idempotent-replayed"] === "true")).toHaveLength(49);
    expect(new Set(answers.map((r) => r.json().id)).size).toBe(1);
    expect(await countUsers(body.username)).toBe(1);
  });

  it("refuses the key with a different request (422) and changes nothing", async () => {
    const body = newUser();
    expect((await send("POST", "/api/v1/users", body, "reuse-1")).statusCode).toBe(201);
    const other = newUser();
    const reused = await send("POST", "/api/v1/users", other, "reuse-1");
    expect([reused.statusCode, reused.json().code]).toEqual([422, "IDEMPOTENCY_KEY_REUSED"]);
    expect(await countUsers(other.username)).toBe(0);
    // The same body on another path is another request too.
    const elsewhere = await send(
      "POST",
      "/api/v1/workspaces",
      { slug: "reuse-ws", name: "Reuse" },
      "reuse-1",
    );
    expect(elsewhere.statusCode).toBe(422);
  });

  it("keeps no key for a refused change: sent again, it runs again", async () => {
    const ws = { slug: `ward-${n}`, name: "Ward", protected: false };
    const existing = (await send("POST", "/api/v1/workspaces", ws)).json();
    const refused = await send("POST", "/api/v1/workspaces", ws, "refused-1");
    expect([refused.statusCode, refused.json().code]).toEqual([409, "WORKSPACE_SLUG_TAKEN"]);
    expect((await send("DELETE", `/api/v1/workspaces/${existing.id}`, undefined)).statusCode).toBe(204);
    const retried = await send("POST", "/api/v1/workspaces", ws, "refused-1");
    expect([retried.statusCode, retried.headers["idempotent-replayed"]]).toEqual([201, undefined]);
  });

  it("replays an answer without a body (204)", async () => {
    const ws = (
      await send("POST", "/api/v1/workspaces", { slug: "gone-ws", name: "Gone", protected: false })
    ).json();
    const first = await send("DELETE", `/api/v1/workspaces/${ws.id}`, undefined, "delete-1");
    const again = await send("DELETE", `/api/v1/workspaces/${ws.id}`, undefined, "delete-1");
    expect([first.statusCode, again.statusCode, again.headers["idempotent-replayed"]]).toEqual([
      204,
      204,
      "true",
    ]);
    // Without the key the workspace is simply not there any more.
    expect((await send("DELETE", `/api/v1/workspaces/${ws.id}`, undefined)).statusCode).toBe(404);
  });

  it("keeps keys per caller: another administrator's same key is their own", async () => {
    const { user } = await createUser(t, { ...a, admin: await t.signIn(a.slug, "admin") });
    const other = await login(a.slug, user.username);
    const mine = await send("POST", "/api/v1/workspaces", { slug: "mine-ws", name: "Mine" }, "shared-key");
    const theirs = await send(
      "POST",
      "/api/v1/workspaces",
      { slug: "theirs-ws", name: "Theirs" },
      "shared-key",
      other,
    );
    expect([mine.statusCode, theirs.statusCode, theirs.headers["idempotent-replayed"]]).toEqual([
      201,
      201,
      undefined,
    ]);
    expect(theirs.json().slug).toBe("theirs-ws");
  });

  it("never keeps a one-time secret: a retried token creation creates one token and says so", async () => {
    const body = { name: "Once", roleId: viewerRole };
    const first = await send("POST", "/api/v1/api-tokens", body, "token-1");
    const again = await send("POST", "/api/v1/api-tokens", body, "token-1");
    expect(first.statusCode).toBe(201);
    expect([again.statusCode, again.json().code]).toEqual([409, "IDEMPOTENT_RESPONSE_NOT_KEPT"]);
    expect(JSON.stringify(again.json())).not.toContain(first.json().token);
    const tokens = await t.db.kysely
      .selectFrom("api_tokens")
      .select("id")
      .where("tenant_id", "=", a.id)
      .where("name", "=", "Once")
      .execute();
    expect(tokens).toHaveLength(1);
    const rows = await t.db.kysely
      .selectFrom("idempotency_keys")
      .selectAll()
      .where("tenant_id", "=", a.id)
      .execute();
    expect(rows.find((r) => r.key === "token-1")).toMatchObject({ status: 201, body: null, secret: 1 });
    expect(JSON.stringify(rows)).not.toContain(first.json().token);
  });

  it("forgets a key after 24 hours: the same request then runs again", async () => {
    const ws = { slug: "daily-ws", name: "Daily" };
    expect((await send("POST", "/api/v1/workspaces", ws, "daily-1")).statusCode).toBe(201);
    // A new session each time: the old one has ended long before (idle and absolute limits).
    t.clock.advance(24 * 60 * 60 * 1000 - 1);
    token = await login(a.slug, "admin");
    expect((await send("POST", "/api/v1/workspaces", ws, "daily-1")).headers["idempotent-replayed"]).toBe(
      "true",
    );
    t.clock.advance(2);
    token = await login(a.slug, "admin");
    const later = await send("POST", "/api/v1/workspaces", ws, "daily-1");
    expect([later.statusCode, later.json().code]).toEqual([409, "WORKSPACE_SLUG_TAKEN"]);
  });

  it("is sent by the SDK's withIdempotencyKey, and a retry through it gets the first answer", async () => {
    const once = (await t.signIn(a.slug, "admin")).withIdempotencyKey("sdk-1");
    const body = newUser();
    const first = await once.users.create(body as never);
    const again = await once.users.create(body as never);
    expect(again).toEqual(first);
    expect(await countUsers(body.username)).toBe(1);
  });

  it("answers a retry before anything runs: a password change retried gets its 204, not a wrong-password 403", async () => {
    const { user } = await createUser(t, { ...a, admin: await t.signIn(a.slug, "admin") });
    const own = await login(a.slug, user.username);
    const change = { currentPassword: CANARY_PASSWORD, newPassword: "a brand new passphrase 77" };
    const first = await send("POST", "/api/v1/auth/password", change, "pw-1", own);
    const again = await send("POST", "/api/v1/auth/password", change, "pw-1", own);
    expect([first.statusCode, again.statusCode, again.headers["idempotent-replayed"]]).toEqual([
      204,
      204,
      "true",
    ]);
    expect(await auditCount("auth.password.change_failed")).toBe(0);
  });

  it("carries out a patient grant once, also when 30 copies arrive at once", async () => {
    const { user } = await createUser(t, { ...a, admin: await t.signIn(a.slug, "admin") });
    const grant = { userId: user.id, reason: "referral" };
    const before = await auditCount("patient_access.granted");
    const answers = await Promise.all(
      Array.from({ length: 30 }, () => send("POST", "/api/v1/patients/pat-idem-1/access", grant, "grant-1")),
    );
    expect(new Set(answers.map((r) => r.statusCode))).toEqual(new Set([201]));
    expect(answers.filter((r) => r.headers["idempotent-replayed"] === "true")).toHaveLength(29);
    expect(await auditCount("patient_access.granted")).toBe(before + 1);
    const revoke = `/api/v1/patients/pat-idem-1/access/${user.id}`;
    const revoked = [
      await send("DELETE", revoke, undefined, "revoke-1"),
      await send("DELETE", revoke, undefined, "revoke-1"),
    ];
    expect(revoked.map((r) => [r.statusCode, r.headers["idempotent-replayed"]])).toEqual([
      [204, undefined],
      [204, "true"],
    ]);
  });

  it("ends a session once when 30 copies of its end arrive at once (a change outside the tenant lock)", async () => {
    const { user } = await createUser(t, { ...a, admin: await t.signIn(a.slug, "admin") });
    // createUser's own sign-in is the session ended, from a second one.
    const other = await login(a.slug, user.username);
    const mine = await t.anonymous.withToken(other).auth.sessions();
    const target = mine.items.find((s) => !s.current)!;
    const answers = await Promise.all(
      Array.from({ length: 30 }, () =>
        send("DELETE", `/api/v1/auth/sessions/${target.id}`, undefined, "end-1", other),
      ),
    );
    expect(new Set(answers.map((r) => r.statusCode))).toEqual(new Set([204]));
    expect(answers.filter((r) => r.headers["idempotent-replayed"] === "true")).toHaveLength(29);
    const left = await t.anonymous.withToken(other).auth.sessions();
    expect(left.items.map((x) => x.id)).not.toContain(target.id);
    expect(left.items).toHaveLength(mine.items.length - 1);
  });

  it("tells requests apart by meaning: member order and a trailing slash are the same request, a policy number is not", async () => {
    const ws = { slug: "order-ws", name: "Order", protected: false };
    expect((await send("POST", "/api/v1/workspaces", ws, "order-1")).statusCode).toBe(201);
    const reordered = { protected: false, name: "Order", slug: "order-ws" };
    expect(
      (await send("POST", "/api/v1/workspaces/", reordered, "order-1")).headers["idempotent-replayed"],
    ).toBe("true");
    // Fields named like passwords are not secrets: their values tell requests apart.
    expect((await send("PATCH", "/api/v1/settings", { passwordMinLength: 20 }, "policy-1")).statusCode).toBe(
      200,
    );
    const other = await send("PATCH", "/api/v1/settings", { passwordMinLength: 16 }, "policy-1");
    expect([other.statusCode, other.json().code]).toEqual([422, "IDEMPOTENCY_KEY_REUSED"]);
    await send("PATCH", "/api/v1/settings", { passwordMinLength: 15 });
    // Sending a password or not is a different request (an invitation is not a set password).
    const body = newUser();
    expect(
      (await send("POST", "/api/v1/users", { ...body, password: CANARY_PASSWORD }, "invite-1")).statusCode,
    ).toBe(201);
    expect((await send("POST", "/api/v1/users", body, "invite-1")).statusCode).toBe(422);
  });

  it("drops the stored answers that show a purged user, and a retry of its creation does not bring it back", async () => {
    const body = newUser();
    const created = (await send("POST", "/api/v1/users", body, "purged-1")).json();
    const stored = () =>
      t.db.kysely
        .selectFrom("idempotency_keys")
        .select(["body", "secret"])
        .where("tenant_id", "=", a.id)
        .where("key", "=", "purged-1")
        .execute();
    expect((await stored())[0]?.body).toContain(body.email);
    expect((await send("POST", `/api/v1/users/${created.id}/purge`, undefined)).statusCode).toBe(204);
    expect(await stored()).toEqual([{ body: null, secret: 2 }]);
    const retried = await send("POST", "/api/v1/users", body, "purged-1");
    expect([retried.statusCode, retried.json().code]).toEqual([409, "IDEMPOTENT_RESPONSE_NOT_KEPT"]);
    expect(await countUsers(body.username)).toBe(0);
  });

  it("is listed in the OpenAPI document on changes only, never on SCIM, reads or decisions", async () => {
    const doc = (await t.app.inject({ method: "GET", url: "/api/openapi.json" })).json() as {
      paths: Record<string, Record<string, { parameters?: { name: string }[] }>>;
    };
    const taking = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => op.parameters?.some((p) => p.name === "Idempotency-Key"))
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    expect(taking).toContain("POST /api/v1/users");
    expect(
      taking.filter((op) => op.includes("/scim/") || op.startsWith("GET ") || op.endsWith("/check")),
    ).toEqual([]);
  });

  it("refuses a malformed key as a field error and changes nothing", async () => {
    for (const key of ["", "has space", "x".repeat(256), "ключ", '"unbalanced', 'unbalanced"', '""']) {
      const body = newUser();
      const res = await send("POST", "/api/v1/users", body, key);
      expect([res.statusCode, res.json().code, res.json().errors?.[0]?.path]).toEqual([
        400,
        "VALIDATION_FAILED",
        "header.Idempotency-Key",
      ]);
      expect(await countUsers(body.username)).toBe(0);
    }
    // The quoted form of the draft standard is the same key as the bare one.
    const body = newUser();
    expect((await send("POST", "/api/v1/users", body, '"quoted-1"')).statusCode).toBe(201);
    expect((await send("POST", "/api/v1/users", body, "quoted-1")).headers["idempotent-replayed"]).toBe(
      "true",
    );
    // A structured-field string may hold a space and escaped quotes.
    const spaced = newUser();
    const key = String.raw`"a \"quoted\" key"`;
    expect((await send("POST", "/api/v1/users", spaced, key)).statusCode).toBe(201);
    expect((await send("POST", "/api/v1/users", spaced, key)).headers["idempotent-replayed"]).toBe("true");
  });
});
