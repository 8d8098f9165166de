import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp, type TestTenant } from "./harness.ts";

describe(`API conventions (${process.env.STAFFGATE_TEST_DB ?? "sqlite"})`, () => {
  let t: TestApp;
  let a: TestTenant;
  let token: string;
  beforeAll(async () => {
    t = await startTestApp();
    a = await t.createTenant();
    token = (await t.anonymous.auth.login({ tenant: a.slug, login: "admin", password: a.password })).token;
  });
  afterAll(() => t.close());

  const inject = (opts: {
    method: string;
    url: string;
    headers?: Record<string, string>;
    payload?: string;
  }) =>
    t.app.inject({
      method: opts.method as "GET",
      url: opts.url,
      headers: { authorization: `Bearer ${token}`, ...opts.headers },
      ...(opts.payload !== undefined ? { payload: opts.payload } : {}),
    });

  it("answers problems as application/problem+json with a stable code, status and title", async () => {
    const res = await inject({ method: "GET", url: "/api/v1/nope" });
    expect(res.statusCode).toBe(404);
    expect(res.headers["content-type"]).toBe("application/problem+json; charset=utf-8");
    expect(res.json()).toMatchObject({
      code: "ROUTE_NOT_FOUND",
      status: 404,
      type: expect.stringContaining("route-not-found"),
    });
  });

  it("refuses names with control characters or lone surrogates, naming the field, and stores nothing", async () => {
    const post = (url: string, body: unknown) =>
      inject({
        method: "POST",
        url,
        headers: { "content-type": "application/json" },
        payload: JSON.stringify(body),
      });
    for (const name of ["x\u0000y", "x\ud800y", "line\nbreak", "esc\u001b[31m"]) {
      const res = await post("/api/v1/workspaces", { slug: "ctl-names", name });
      expect([res.statusCode, res.json().errors?.[0]?.path], JSON.stringify(name)).toEqual([400, "name"]);
    }
    const list = await inject({ method: "GET", url: "/api/v1/workspaces?limit=200" });
    expect(list.json().items.some((w: { slug: string }) => w.slug === "ctl-names")).toBe(false);
    // Astral characters (a valid surrogate pair) and accents are text.
    const ok = await post("/api/v1/workspaces", { slug: "ctl-names", name: "Ward 🏥 Zoë" });
    expect(ok.statusCode).toBe(201);
  });

  it("names each unknown field on its own (never joined into what reads as one nested path)", async () => {
    const res = await inject({
      method: "POST",
      url: "/api/v1/workspaces",
      headers: { "content-type": "application/json" },
      payload: JSON.stringify({ slug: "unknown-fields", name: "Unknown fields", foo: 1, bar: 2 }),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([
      { path: "foo", message: "is not a known field" },
      { path: "bar", message: "is not a known field" },
    ]);
  });

  it("refuses malformed JSON, wrong media types and oversized bodies with their own codes", async () => {
    const bad = await inject({
      method: "POST",
      url: "/api/v1/workspaces",
      headers: { "content-type": "application/json" },
      payload: "{nope",
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe("MALFORMED_JSON");
    const text = await inject({
      method: "POST",
      url: "/api/v1/workspaces",
      headers: { "content-type": "text/plain" },
      payload: "slug=x",
    });
    expect(text.statusCode).toBe(415);
    expect(text.json().code).toBe("UNSUPPORTED_MEDIA_TYPE");
    // JSON is UTF-8: a body declared in another charset is refused, not read as UTF-8 anyway.
    for (const charset of ["utf-16", "ISO-8859-1", '"latin1"']) {
      const other = await inject({
        method: "POST",
        url: "/api/v1/workspaces",
        headers: { "content-type": `application/json; charset=${charset}` },
        payload: JSON.stringify({ slug: "other-charset", name: "Other" }),
      });
      expect(other.statusCode, charset).toBe(415);
      expect(other.json().code, charset).toBe("UNSUPPORTED_MEDIA_TYPE");
    }
    // A coded body is not decoded, nor a plain one under a coding's label read as if unlabelled.
    for (const coding of ["gzip", "br, gzip"]) {
      const coded = await inject({
        method: "POST",
        url: "/api/v1/workspaces",
        headers: { "content-type": "application/json", "content-encoding": coding },
        payload: JSON.stringify({ slug: "coded-body", name: "Coded" }),
      });
      expect([coding, coded.statusCode, coded.json().code]).toEqual([coding, 415, "UNSUPPORTED_MEDIA_TYPE"]);
    }
    expect((await a.admin.workspaces.list()).items.map((w) => w.slug)).not.toContain("coded-body");
    const utf8 = await inject({
      method: "POST",
      url: "/api/v1/workspaces",
      headers: { "content-type": "application/json; charset=UTF-8" },
      payload: JSON.stringify({ slug: "utf8-charset", name: "UTF-8" }),
    });
    expect(utf8.statusCode).toBe(201);
    const huge = await inject({
      method: "POST",
      url: "/api/v1/workspaces",
      headers: { "content-type": "application/json" },
      payload: JSON.stringify({ slug: "big", name: "x".repeat(2 * 1024 * 1024) }),
    });
    expect(huge.statusCode).toBe(413);
    expect(huge.json().code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("says in words what a field must be, once per field: the field's own bound, not zod's", async () => {
    const res = await inject({
      method: "POST",
      url: "/api/v1/workspaces",
      headers: { "content-type": "application/json" },
      payload: JSON.stringify({ name: "Words", protected: "yes", idleTimeoutSeconds: 1e308 }),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([
      { path: "slug", message: "is required" },
      { path: "protected", message: "must be true or false" },
      { path: "idleTimeoutSeconds", message: "must be at most 28800" },
    ]);
  });

  it('says in words what a union field takes (found by the issue 3 re-walk: zod\'s "Invalid input")', async () => {
    const res = await inject({
      method: "POST",
      url: "/api/v1/users",
      headers: { "content-type": "application/json" },
      payload: JSON.stringify({
        username: "union-words",
        email: "union-words@example.test",
        firstName: "Una",
        lastName: "Words",
        roleId: "rol_x",
        workspaceAccess: "some",
      }),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([
      { path: "workspaceAccess", message: 'must be "all" or a list of workspace ids' },
    ]);
  });

  it("takes an empty body sent as JSON for no body: an action or a DELETE answers, a create says what is missing", async () => {
    const viewer = (await a.admin.roles.list()).items.find((r) => r.name === "Viewer")!;
    const staff = await a.admin.users.create({
      username: "empty-body",
      email: "empty-body@example.test",
      firstName: "Emma",
      lastName: "Empty",
      roleId: viewer.id,
      password: "a-long-enough-passphrase-for-empty-body",
    });
    const json = { "content-type": "application/json" };
    const action = await inject({
      method: "POST",
      url: `/api/v1/users/${staff.id}/deactivate`,
      headers: json,
    });
    expect([action.statusCode, action.json().status]).toEqual([200, "inactive"]);
    const ws = await a.admin.workspaces.create({ slug: "empty-body", name: "Empty body", protected: false });
    const removed = await inject({ method: "DELETE", url: `/api/v1/workspaces/${ws.id}`, headers: json });
    expect(removed.statusCode).toBe(204);
    // No body where one is required names what it lacks, as `{}` does (was one "(body)" entry).
    const paths = (res: { json(): { errors?: { path: string }[] } }) => res.json().errors?.map((e) => e.path);
    const create = await inject({ method: "POST", url: "/api/v1/workspaces", headers: json });
    expect([create.statusCode, create.json().code, paths(create)]).toEqual([
      400,
      "VALIDATION_FAILED",
      ["slug", "name"],
    ]);
    const bare = await inject({ method: "POST", url: "/api/v1/workspaces" });
    expect([bare.statusCode, paths(bare)]).toEqual([400, ["slug", "name"]]);
    const mfaOff = await inject({ method: "DELETE", url: "/api/v1/auth/mfa" });
    expect([mfaOff.statusCode, paths(mfaOff)]).toEqual([400, ["password"]]);
  });

  it("refuses query parameters a write does not take, and does nothing (a dry run asked in the query is no dry run)", async () => {
    const csv = "username,email,firstName,lastName,role\nqq-query,qq-query@example.test,Q,Query,Viewer\n";
    const res = await inject({
      method: "POST",
      url: "/api/v1/users/import?dryRun=true",
      headers: { "content-type": "application/json" },
      payload: JSON.stringify({ csv }),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([{ path: "query.dryRun", message: "is not a known field" }]);
    const found = await a.admin.users.list({ q: "qq-query", status: "all" });
    expect(found.items).toEqual([]);
  });

  it("refuses prototype pollution and changes nothing", async () => {
    for (const payload of [
      '{"slug":"p1","name":"P","__proto__":{"isAdmin":true}}',
      '{"slug":"p2","name":"P","constructor":{"prototype":{"isAdmin":true}}}',
    ]) {
      const res = await inject({
        method: "POST",
        url: "/api/v1/workspaces",
        headers: { "content-type": "application/json" },
        payload,
      });
      expect(res.statusCode).toBe(400);
    }
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    const list = await a.admin.workspaces.list();
    expect(list.items.map((w) => w.slug)).not.toContain("p1");
  });

  it("refuses repeated query parameters and strings where booleans belong", async () => {
    const res = await inject({ method: "GET", url: "/api/v1/workspaces?q=a&q=b" });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([{ path: "query.q", message: "must be given once" }]);
    const twice = await inject({ method: "GET", url: "/api/v1/users?limit=10&status=active&limit=20" });
    expect(twice.json().errors).toEqual([{ path: "query.limit", message: "must be given once" }]);
    // An unknown one given twice is unknown first; a parameter SCIM ignores stays ignored.
    const unknown = await inject({ method: "GET", url: "/api/v1/users?foo=1&foo=2" });
    expect(unknown.json().errors).toEqual([{ path: "query.foo", message: "is not a known field" }]);
    const typed = await inject({
      method: "POST",
      url: "/api/v1/workspaces",
      headers: { "content-type": "application/json" },
      payload: JSON.stringify({ slug: "typed", name: "T", protected: "false" }),
    });
    expect(typed.statusCode).toBe(400);
    expect(typed.json().errors[0].path).toBe("protected");
  });

  it("names a created resource's URL in Location (201), which reads it back, also when a retry is replayed", async () => {
    const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
      inject({
        method: "POST",
        url,
        headers: { "content-type": "application/json", ...headers },
        payload: JSON.stringify(body),
      });
    const roleId = (await a.admin.roles.list({ limit: 200 })).items.find((r) => r.name === "Viewer")!.id;
    const created = [
      await post("/api/v1/workspaces", { slug: "loc-ws", name: "Loc" }),
      await post("/api/v1/roles", { name: "Loc role", permissions: ["users.view"] }),
      await post(`/api/v1/roles/${roleId}/copy`, {}),
      await post("/api/v1/users", {
        username: "loc-user",
        email: "loc-user@x.example",
        firstName: "Lo",
        lastName: "Cation",
        roleId,
      }),
      await post("/api/v1/api-tokens", { name: "loc-app", roleId }),
    ];
    for (const res of created) {
      expect(res.statusCode, res.body).toBe(201);
      const location = res.headers.location as string;
      expect(location).toMatch(/^\/api\/v1\/[a-z-]+\/[^/]+$/);
      const back = await inject({ method: "GET", url: location });
      expect([back.statusCode, back.json().id]).toEqual([200, res.json().id]);
    }
    const key = { "idempotency-key": "loc-retry-1" };
    const first = await post("/api/v1/workspaces", { slug: "loc-ws-2", name: "Loc 2" }, key);
    const again = await post("/api/v1/workspaces", { slug: "loc-ws-2", name: "Loc 2" }, key);
    expect(again.headers["idempotent-replayed"]).toBe("true");
    expect(again.headers.location).toBe(first.headers.location);
    expect(first.headers.location).toBe(`/api/v1/workspaces/${first.json().id}`);
    // An action that creates nothing addressable has none.
    const check = await post("/api/v1/check", { userId: created[3]!.json().id, permission: "users.view" });
    expect([check.statusCode, check.headers.location]).toEqual([200, undefined]);
  });

  it("rejects a malformed If-Match and a bad cursor", async () => {
    const ws = await a.admin.workspaces.create({ slug: "etag-check", name: "E" });
    const renameIfMatch = (ifMatch: string) =>
      inject({
        method: "PATCH",
        url: `/api/v1/workspaces/${ws.id}`,
        headers: { "content-type": "application/json", "if-match": ifMatch },
        payload: JSON.stringify({ name: "F" }),
      });
    expect((await renameIfMatch("nonsense")).statusCode).toBe(412);
    // A number no counter reaches is no ETag this API sent, said in words (it read "1e+23").
    const huge = await renameIfMatch('"99999999999999999999999"');
    expect(huge.statusCode).toBe(412);
    expect(huge.json().detail).not.toMatch(/e\+/);
    expect((await a.admin.workspaces.get(ws.id)).name).toBe("E");
    const cursor = await inject({ method: "GET", url: "/api/v1/workspaces?cursor=!!!" });
    expect(cursor.statusCode).toBe(400);
    expect(cursor.json().code).toBe("INVALID_CURSOR");
  });

  it("sets security headers and a request id on every answer", async () => {
    const res = await inject({ method: "GET", url: "/api/v1/auth/me" });
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    expect(res.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(res.headers["strict-transport-security"]).toContain("max-age=31536000");
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(res.headers["x-request-id"]).toMatch(/^req_/);
    expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
    // SCIM at its identity-provider root and /metrics carry personal data too: never cached.
    for (const url of ["/scim/v2/Users", "/scim/v2/ServiceProviderConfig", "/metrics"]) {
      expect((await inject({ method: "GET", url })).headers["cache-control"], url).toBe("no-store");
    }
  });

  it("never answers TRACE (405, with the methods the path does serve) and never changes state on GET", async () => {
    const trace = await t.app.inject({ method: "TRACE" as "GET", url: "/api/v1/workspaces" });
    expect(trace.statusCode).toBe(405);
    expect(trace.json().code).toBe("METHOD_NOT_ALLOWED");
    expect(trace.headers.allow).toBe("GET, HEAD, POST");
    const one = await t.app.inject({ method: "TRACE" as "GET", url: "/api/v1/workspaces/wsp_x?y=1" });
    expect(one.headers.allow).toBe("DELETE, GET, HEAD, PATCH");
    // No resource there allows anything (the console's pages: console-serving.test.ts).
    const nowhere = await t.app.inject({ method: "TRACE" as "GET", url: "/api/v1/nowhere" });
    expect([nowhere.statusCode, nowhere.headers.allow]).toEqual([405, ""]);
    // A state-changing action is never reachable by GET.
    const get = await t.app.inject({ method: "GET", url: "/api/v1/users/usr_x/deactivate" });
    expect([get.statusCode, get.headers.allow]).toEqual([405, "POST"]);
  });

  it("answers an endpoint asked with a method it does not serve 405 with Allow, the same for any id", async () => {
    const put = await inject({ method: "PUT", url: "/api/v1/workspaces" });
    expect([put.statusCode, put.json().code, put.headers.allow]).toEqual([
      405,
      "METHOD_NOT_ALLOWED",
      "GET, HEAD, POST",
    ]);
    expect(put.headers["content-type"]).toBe("application/problem+json; charset=utf-8");
    const mine = (await a.admin.users.list({ limit: 1 })).items[0]!.id;
    const answers = [];
    for (const id of [mine, "usr_missing"]) {
      const res = await inject({ method: "POST", url: `/api/v1/users/${id}` });
      answers.push([res.statusCode, res.headers.allow, res.json().detail]);
    }
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0]![0]).toBe(405);
    // Nothing ran: an unauthenticated caller hears the same, and a path no endpoint has is 404.
    const anonymous = await t.app.inject({ method: "DELETE", url: "/api/v1/workspaces" });
    expect([anonymous.statusCode, anonymous.headers.allow]).toEqual([405, "GET, HEAD, POST"]);
    expect((await inject({ method: "PUT", url: "/api/v1/nothing-here" })).statusCode).toBe(404);
    const scim = await inject({ method: "DELETE", url: "/scim/v2/Users" });
    expect([scim.statusCode, scim.json().status, scim.headers.allow]).toEqual([
      405,
      "405",
      "GET, HEAD, POST",
    ]);
  });

  it("serves health, readiness, the OpenAPI document and a docs page", async () => {
    expect((await t.app.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(200);
    expect((await t.app.inject({ method: "GET", url: "/readyz" })).json()).toEqual({ status: "ready" });
    const doc = (await t.app.inject({ method: "GET", url: "/api/openapi.json" })).json();
    expect(doc.openapi).toBe("3.1.0");
    // HEAD, 405 and 404 are answered on every path, so the document says so once.
    expect(doc.info.description).toMatch(/HEAD[\s\S]*405 `METHOD_NOT_ALLOWED`[\s\S]*404 `ROUTE_NOT_FOUND`/);
    for (const r of t.app.routesRegistry) {
      const path = r.url.replace(/:([A-Za-z]+)/g, "{$1}");
      expect(doc.paths[path]?.[r.method.toLowerCase()], `${r.method} ${r.url} in OpenAPI`).toBeDefined();
    }
    expect(
      doc.paths["/api/v1/workspaces"].post.requestBody.content["application/json"].schema.properties.slug,
    ).toBeDefined();
    // A body the route may go without is not required: API.md starts MFA enrolment with none.
    expect(doc.paths["/api/v1/workspaces"].post.requestBody.required).toBe(true);
    expect(doc.paths["/api/v1/auth/mfa/totp"].post.requestBody.required).toBe(false);
    expect(doc.paths["/api/v1/users/{id}/restore"].post.requestBody.required).toBe(false);
    // API.md's statuses are named on each operation they can answer, not only under `default`,
    // so that a client or a suite generated from the document sees them.
    for (const r of t.app.routesRegistry) {
      const path = r.url.replace(/:([A-Za-z]+)/g, "{$1}");
      const codes = Object.keys(doc.paths[path][r.method.toLowerCase()].responses);
      const name = `${r.method} ${r.url}`;
      expect(codes, name).toContain("400");
      if (r.auth !== "public") expect(codes, name).toContain("401");
      if (r.auth === "tenant") expect(codes, name).toContain("403");
      if (path.includes("{")) expect(codes, name).toContain("404");
    }
    const user = doc.paths["/api/v1/users/{id}"].get.responses;
    expect(Object.keys(user["404"].content)).toEqual(["application/problem+json"]);
    // SCIM routes refuse with SCIM's Error message in its media type, and read either body type.
    for (const path of ["/scim/v2/Users", "/api/v1/scim/v2/Users"]) {
      const post = doc.paths[path].post;
      for (const code of ["400", "401", "403", "default"]) {
        expect(Object.keys(post.responses[code].content), `${path} ${code}`).toEqual([
          "application/scim+json",
        ]);
      }
      expect(post.responses["400"].content["application/scim+json"].schema.required).toEqual([
        "schemas",
        "status",
      ]);
      expect(Object.keys(post.requestBody.content)).toEqual(["application/scim+json", "application/json"]);
      // The conflicts a SCIM client must handle are named: uniqueness on writes, a held group.
      expect(Object.keys(post.responses["409"].content)).toEqual(["application/scim+json"]);
      for (const method of ["put", "patch"]) {
        const conflict = doc.paths[`${path}/{id}`][method].responses["409"];
        expect(conflict.description, `${method} ${path}/{id}`).toContain("uniqueness");
        expect(Object.keys(conflict.content)).toEqual(["application/scim+json"]);
      }
    }
    expect(doc.paths["/scim/v2/Groups/{id}"].delete.responses["409"].description).toContain("ROLE_IN_USE");
    const bulk = await t.app.inject({ method: "POST", url: "/scim/v2/Bulk", payload: {} });
    expect([bulk.statusCode, bulk.headers["content-type"]]).toEqual([
      501,
      "application/scim+json; charset=utf-8",
    ]);
    expect(Object.keys(doc.paths["/scim/v2/Bulk"].post.responses["501"].content)).toEqual([
      "application/scim+json",
    ]);
    // Every operation has its own operationId, for code generators (OpenAPI: unique, case-sensitive).
    const ids = t.app.routesRegistry.map((r) => {
      const id = doc.paths[r.url.replace(/:([A-Za-z]+)/g, "{$1}")][r.method.toLowerCase()].operationId;
      expect(id, `${r.method} ${r.url}`).toMatch(/^[a-z]+[A-Z][A-Za-z0-9]*$/);
      return id;
    });
    expect(new Set(ids).size).toBe(ids.length);
    expect(doc.paths["/api/v1/users/{id}/effective-permissions"].get.operationId).toBe(
      "getUsersByIdEffectivePermissions",
    );
    const docs = await t.app.inject({ method: "GET", url: "/api/docs" });
    expect(docs.headers["content-type"]).toContain("text/html");
    // Its one inline stylesheet is allowed by its hash, and nothing else inline is.
    const style = /<style>([\s\S]*?)<\/style>/.exec(docs.body)![1]!;
    const hash = createHash("sha256").update(style).digest("base64");
    expect(docs.headers["content-security-policy"]).toContain(`style-src 'self' 'sha256-${hash}'`);
    expect(docs.headers["content-security-policy"]).toContain("default-src 'self'");
    expect(docs.headers["content-security-policy"]).not.toContain("unsafe-inline");
    // The public paths are in the document too, as public operations.
    for (const path of ["/healthz", "/readyz", "/api/docs", "/api/openapi.json"]) {
      expect((await t.app.inject({ method: "GET", url: path })).statusCode, path).toBe(200);
      expect(doc.paths[path]?.get, `GET ${path} in OpenAPI`).toBeDefined();
      expect(doc.paths[path].get.security, path).toEqual([]);
    }
  });

  it("documents If-Match (and its 412) on every write API.md gives a version, and both ways to authenticate", async () => {
    const doc = (await t.app.inject({ method: "GET", url: "/api/openapi.json" })).json();
    const writes = [
      ["patch", "/api/v1/workspaces/{id}"],
      ["delete", "/api/v1/workspaces/{id}"],
      ["patch", "/api/v1/roles/{id}"],
      ["delete", "/api/v1/roles/{id}"],
      ["patch", "/api/v1/users/{id}"],
      ["delete", "/api/v1/users/{id}"],
      ["put", "/api/v1/users/{id}/permissions"],
      ["patch", "/api/v1/settings"],
      ["delete", "/api/v1/api-tokens/{id}"],
      ["delete", "/api/v1/patients/{patientRef}/access/{userId}"],
      ["delete", "/api/v1/auth/sessions/{id}"],
      ["delete", "/api/v1/auth/mfa"],
    ] as const;
    for (const [method, path] of writes) {
      const op = doc.paths[path]?.[method];
      const names = (op?.parameters ?? []).map((p: { name: string; in: string }) => `${p.in}:${p.name}`);
      expect(names, `${method} ${path}`).toContain("header:If-Match");
      // The 412 is a problem like every other refusal, and says so.
      expect(Object.keys(op.responses["412"]?.content ?? {}), `${method} ${path}`).toEqual([
        "application/problem+json",
      ]);
    }
    // What a read hands back for If-Match, and when to come back after a 429.
    const read = doc.paths["/api/v1/workspaces/{id}"].get.responses;
    expect(Object.keys(read["200"].headers ?? {})).toEqual(["ETag"]);
    expect(Object.keys(read["429"].headers ?? {})).toEqual(["Retry-After"]);
    expect(Object.keys(doc.paths["/api/v1/auth/login"].post.responses["429"].headers)).toEqual([
      "Retry-After",
    ]);
    expect(doc.paths["/healthz"].get.responses["429"]).toBeUndefined();
    // Not on a read.
    const names = (op: { parameters?: { name: string }[] }) => (op.parameters ?? []).map((p) => p.name);
    expect(names(doc.paths["/api/v1/workspaces/{id}"].get)).not.toContain("If-Match");
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(["bearer", "cookie"]);
    // A streamed answer says what it streams.
    expect(Object.keys(doc.paths["/api/v1/audit/export"].get.responses["200"].content).sort()).toEqual([
      "application/x-ndjson; charset=utf-8",
      "text/csv; charset=utf-8",
    ]);
    expect(doc.components.securitySchemes.cookie).toMatchObject({
      in: "cookie",
      name: "__Host-staffgate_session",
    });
  });

  it("requires authentication on every tenant route", async () => {
    for (const r of t.app.routesRegistry.filter((x) => x.auth !== "public")) {
      const url = r.url.replace(/:([A-Za-z]+)/g, "x");
      const res = await t.app.inject({
        method: r.method,
        url,
        ...(r.method === "GET" || r.method === "DELETE" ? {} : { payload: {} }),
      });
      expect(res.statusCode, `${r.method} ${r.url}`).toBe(401);
    }
  });
});
