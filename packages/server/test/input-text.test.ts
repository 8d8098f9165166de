/**
 * Text that is not text (http/input-text.ts), and the field rules beside it: every answer is a 400
 * naming the field, and nothing is written, not even an audit event. Before these rules a lone
 * surrogate in a failed sign-in's login broke the tenant's audit chain, and NUL gave 500s on
 * PostgreSQL (and on SQLite in the users search).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR_TOKEN, startTestApp, type TestApp, type TestTenant } from "./harness.ts";

describe(`Input that is not text (${process.env.STAFFGATE_TEST_DB ?? "sqlite"})`, () => {
  let t: TestApp;
  let a: TestTenant;
  let token: string;
  beforeAll(async () => {
    t = await startTestApp();
    a = await t.createTenant();
    token = (await t.anonymous.auth.login({ tenant: a.slug, login: "admin", password: a.password })).token;
  });
  afterAll(() => t.close());

  const send = (method: string, url: string, payload?: string | Buffer, bearer: string | null = token) =>
    t.app.inject({
      method: method as "GET",
      url,
      headers: {
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
        ...(payload !== undefined ? { "content-type": "application/json" } : {}),
      },
      ...(payload !== undefined ? { payload } : {}),
    });
  const lastSeq = async () => (await a.admin.audit.list({ limit: 1 })).items[0]?.seq;
  const fieldOf = (res: { statusCode: number; json(): { code?: string; errors?: { path: string }[] } }) => [
    res.statusCode,
    res.json().code,
    res.json().errors?.[0]?.path,
  ];

  it("refuses a lone surrogate or NUL in a sign-in as a 400, and the audit chain stays whole", async () => {
    const before = await lastSeq();
    for (const login of ["\ud800", "admin\u0000", "\udc00x"]) {
      const res = await send(
        "POST",
        "/api/v1/auth/login",
        JSON.stringify({ tenant: a.slug, login, password: "x" }),
        null,
      );
      expect(fieldOf(res), JSON.stringify(login)).toEqual([400, "VALIDATION_FAILED", "login"]);
    }
    const tenant = await send(
      "POST",
      "/api/v1/auth/login",
      JSON.stringify({ tenant: "a\u0000", login: "x", password: "y" }),
      null,
    );
    expect(fieldOf(tenant)).toEqual([400, "VALIDATION_FAILED", "tenant"]);
    expect(await lastSeq()).toBe(before);
    expect(await a.admin.audit.verify()).toMatchObject({ ok: true });
  });

  it("names NUL in a path or query parameter, never a 500, and an export writes no audit event", async () => {
    const before = await lastSeq();
    expect(fieldOf(await send("GET", "/api/v1/workspaces/%00"))).toEqual([
      400,
      "VALIDATION_FAILED",
      "params.id",
    ]);
    expect(fieldOf(await send("GET", "/api/v1/users?q=a%00b"))).toEqual([
      400,
      "VALIDATION_FAILED",
      "query.q",
    ]);
    expect(fieldOf(await send("GET", "/api/v1/users/export?q=a%00b"))).toEqual([
      400,
      "VALIDATION_FAILED",
      "query.q",
    ]);
    expect(fieldOf(await send("GET", "/api/v1/audit/export?actor=a%00b"))).toEqual([
      400,
      "VALIDATION_FAILED",
      "query.actor",
    ]);
    expect(await lastSeq()).toBe(before);
  });

  it("walks nested bodies, naming the field", async () => {
    const role = await send(
      "POST",
      "/api/v1/roles",
      JSON.stringify({
        name: "Desk",
        permissions: [],
        workspaces: [{ workspaceId: "w\u0000", permissions: [] }],
      }),
    );
    expect(fieldOf(role)).toEqual([400, "VALIDATION_FAILED", "workspaces.0.workspaceId"]);
    // An escaped backslash before "u0000" is six characters of text, not NUL.
    const literal = await send("POST", "/api/v1/workspaces", '{"slug":"escaped","name":"a \\\\u0000 b"}');
    expect([literal.statusCode, literal.json().name]).toEqual([201, "a \\u0000 b"]);
  });

  it("refuses a body that is not UTF-8 instead of replacing its bytes", async () => {
    const bytes = Buffer.concat([
      Buffer.from('{"slug":"latin","name":"x'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}'),
    ]);
    const res = await send("POST", "/api/v1/workspaces", bytes);
    expect([res.statusCode, res.json().code]).toEqual([400, "MALFORMED_JSON"]);
    expect((await a.admin.workspaces.list({ limit: 200 })).items.some((w) => w.slug === "latin")).toBe(false);
  });

  it("refuses control characters in a user's texts and a role's description, keeping lines in paragraphs", async () => {
    const user = {
      username: "ctl-user",
      email: "ctl-user@x.example",
      firstName: "Cal",
      lastName: "Trl",
      roleId: (await a.admin.roles.list({ limit: 200 })).items[0]!.id,
    };
    for (const [field, value] of [
      ["title", "x\u001b[31mred"],
      ["initials", "A\u0007"],
      ["employeeNumber", "7\n8"],
      ["qualifications", "MSc\u0000"],
      // At either end too: refused, not trimmed away.
      ["title", "Dr\r\n"],
      ["firstName", "\tCal"],
    ] as const) {
      const res = await send("POST", "/api/v1/users", JSON.stringify({ ...user, [field]: value }));
      expect(fieldOf(res), field).toEqual([400, "VALIDATION_FAILED", field]);
    }
    const ok = await send(
      "POST",
      "/api/v1/users",
      JSON.stringify({ ...user, qualifications: "MSc\nPhD", title: "Dr 🩺" }),
    );
    expect([ok.statusCode, ok.json().qualifications]).toEqual([201, "MSc\nPhD"]);
    const role = await send(
      "POST",
      "/api/v1/roles",
      JSON.stringify({ name: "Bell", description: "ding\u0007" }),
    );
    expect(fieldOf(role)).toEqual([400, "VALIDATION_FAILED", "description"]);
  });

  it("refuses a new tenant whose administrator's names hold control characters, or an unknown time zone", async () => {
    const body = (over: Record<string, unknown>, admin: Record<string, unknown> = {}) =>
      JSON.stringify({
        slug: "ctl-tenant",
        name: "Ctl",
        ...over,
        admin: {
          username: "admin",
          email: "a@ctl.example",
          firstName: "A",
          lastName: "B",
          password: "x".repeat(20),
          ...admin,
        },
      });
    const op = (payload: string) => send("POST", "/api/v1/tenants", payload, OPERATOR_TOKEN);
    expect(fieldOf(await op(body({}, { firstName: "A\u0007" })))).toEqual([
      400,
      "VALIDATION_FAILED",
      "admin.firstName",
    ]);
    expect(fieldOf(await op(body({ timeZone: "Mars/Olympus" })))).toEqual([
      400,
      "VALIDATION_FAILED",
      "timeZone",
    ]);
    expect((await op(body({ timeZone: "Europe/Oslo" }))).statusCode).toBe(201);
  });

  it("names the cursor of a list when it is not one the list returned", async () => {
    for (const url of [
      "/api/v1/users?cursor=garbage",
      "/api/v1/audit?cursor=garbage",
      "/api/v1/auth/sessions?cursor=garbage",
    ]) {
      expect(fieldOf(await send("GET", url)), url).toEqual([400, "INVALID_CURSOR", "query.cursor"]);
    }
  });

  it("refuses null or an array as the body of an action that takes none", async () => {
    for (const payload of ["null", "[]"]) {
      const res = await send("POST", "/api/v1/auth/logout", payload);
      expect([res.statusCode, res.json().code], payload).toEqual([400, "VALIDATION_FAILED"]);
    }
    expect((await a.admin.auth.me()).user.id).toBe(a.adminUserId);
  });

  it("refuses null or an array as the body of an action whose body is optional, and copies nothing", async () => {
    const role = await a.admin.roles.create({ name: "Copied", permissions: ["users.view"] });
    const before = (await a.admin.roles.list()).items.length;
    for (const payload of ["null", "[]"]) {
      const res = await send("POST", `/api/v1/roles/${role.id}/copy`, payload);
      expect([res.statusCode, res.json().code], payload).toEqual([400, "VALIDATION_FAILED"]);
    }
    expect((await a.admin.roles.list()).items).toHaveLength(before);
    expect((await send("POST", `/api/v1/roles/${role.id}/copy`, "{}")).statusCode).toBe(201);
  });
});
