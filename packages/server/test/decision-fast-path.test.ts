/**
 * The decision routes check their bodies without zod when they can (routes/decision-fast-path.ts):
 * the quick test must never accept what the contract's schema refuses (nor accept it changed), and
 * every body it does not accept must still get the schema's own 400 with its field paths.
 */
import { isDeepStrictEqual } from "node:util";
import { BatchCheckBody, CheckBody, MAX_BATCH_CHECKS } from "@staffgate/contract";
import * as fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { zodFieldErrors } from "../src/http/problem.ts";
import { isBatchCheckBody, isCheckBody } from "../src/routes/decision-fast-path.ts";
import { startTestApp, type TestApp, type TestTenant } from "./harness.ts";

/** Strings around every length limit of CheckBody (1, 64, 80, 200). */
const edgeString = fc.oneof(
  fc.string({ maxLength: 3 }),
  ...[63, 64, 65, 79, 80, 81, 199, 200, 201].map((n) => fc.constant("x".repeat(n))),
  fc.constant("é".repeat(64)),
);
const anyValue = fc.oneof(
  edgeString,
  fc.constant(null),
  fc.constant(undefined),
  fc.integer(),
  fc.boolean(),
  fc.array(fc.string(), { maxLength: 2 }),
  fc.object({ maxDepth: 1 }),
);
const key = fc.constantFrom("userId", "permission", "workspaceId", "patientRef", "extra", "__proto__x", "");
/** Mostly near-valid check bodies: known keys with edge values, sometimes an unknown key. */
const checkish = fc.oneof(
  fc.dictionary(key, anyValue, { maxKeys: 5 }),
  fc.record(
    {
      userId: edgeString,
      permission: edgeString,
      workspaceId: fc.oneof(fc.constant(null), edgeString),
      patientRef: fc.oneof(fc.constant(null), edgeString),
    },
    { requiredKeys: ["userId", "permission"] },
  ),
  anyValue,
);
const batchish = fc.oneof(
  fc.record({ checks: fc.array(checkish, { maxLength: 4 }) }),
  fc.record({ checks: fc.array(checkish, { maxLength: 2 }), other: anyValue }),
  fc.record({ checks: anyValue }),
  anyValue,
);

describe("the decision routes' quick body test", () => {
  it("accepts only what the schema accepts, and unchanged", async () => {
    await fc.assert(
      fc.property(checkish, (body) => {
        if (!isCheckBody(body)) return;
        const parsed = CheckBody.safeParse(body);
        expect(parsed.success).toBe(true);
        expect(isDeepStrictEqual(parsed.data, body)).toBe(true);
      }),
      { numRuns: 3000 },
    );
    await fc.assert(
      fc.property(batchish, (body) => {
        if (!isBatchCheckBody(body)) return;
        const parsed = BatchCheckBody.safeParse(body);
        expect(parsed.success).toBe(true);
        expect(isDeepStrictEqual(parsed.data, body)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it("accepts the ordinary valid bodies (so the fast path is the one taken)", () => {
    const ok = { userId: "usr_1", permission: "patients.read", workspaceId: null, patientRef: "P-1" };
    expect(isCheckBody(ok)).toBe(true);
    expect(isCheckBody({ userId: "usr_1", permission: "patients.read" })).toBe(true);
    expect(isBatchCheckBody({ checks: [ok, ok] })).toBe(true);
    expect(isBatchCheckBody({ checks: Array.from({ length: MAX_BATCH_CHECKS }, () => ok) })).toBe(true);
    expect(isBatchCheckBody({ checks: Array.from({ length: MAX_BATCH_CHECKS + 1 }, () => ok) })).toBe(false);
    expect(isBatchCheckBody({ checks: [] })).toBe(false);
    expect(isCheckBody(JSON.parse('{"userId":"u","permission":"p","__proto__":{"x":1}}'))).toBe(false);
  });
});

describe("invalid decision bodies over HTTP", () => {
  let t: TestApp;
  let a: TestTenant;
  let token: string;
  beforeAll(async () => {
    t = await startTestApp();
    a = await t.createTenant();
    token = (await t.anonymous.auth.login({ tenant: a.slug, login: "admin", password: a.password })).token;
  });
  afterAll(() => t.close());

  const post = (url: string, payload: string) =>
    t.app.inject({
      method: "POST",
      url,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      payload,
    });

  const cases: [string, unknown, string[]][] = [
    ["/api/v1/check", { permission: "patients.read" }, ["userId"]],
    ["/api/v1/check", { userId: "", permission: "patients.read" }, ["userId"]],
    ["/api/v1/check", { userId: "u".repeat(65), permission: "patients.read" }, ["userId"]],
    ["/api/v1/check", { userId: "usr_1", permission: "p".repeat(81) }, ["permission"]],
    ["/api/v1/check", { userId: "usr_1", permission: "patients.read", workspaceId: "" }, ["workspaceId"]],
    ["/api/v1/check", { userId: "usr_1", permission: "patients.read", patientRef: 7 }, ["patientRef"]],
    [
      "/api/v1/check",
      { userId: "usr_1", permission: "patients.read", patientRef: "P".repeat(201) },
      ["patientRef"],
    ],
    ["/api/v1/check", { userId: "usr_1", permission: "patients.read", patientRef: "P\t1" }, ["patientRef"]],
    ["/api/v1/check", { userId: "usr_1", permission: "patients.read", patientRef: ".." }, ["patientRef"]],
    ["/api/v1/check", { userId: "usr_1", permission: "patients.read", role: "x" }, ["role"]],
    ["/api/v1/check", [], ["(body)"]],
    ["/api/v1/check", "usr_1", ["(body)"]],
    ["/api/v1/check/batch", { checks: [] }, ["checks"]],
    ["/api/v1/check/batch", { checks: {} }, ["checks"]],
    ["/api/v1/check/batch", {}, ["checks"]],
    ["/api/v1/check/batch", { checks: [{ userId: "usr_1", permission: "a" }], more: 1 }, ["more"]],
    [
      "/api/v1/check/batch",
      { checks: [{ userId: "usr_1", permission: "a" }, { userId: "usr_1" }, { userId: 3, permission: "b" }] },
      ["checks.1.permission", "checks.2.userId"],
    ],
    ["/api/v1/check/batch", { checks: [{ userId: "usr_1", permission: "a", x: null }] }, ["checks.0.x"]],
    [
      "/api/v1/check/batch",
      { checks: Array.from({ length: MAX_BATCH_CHECKS + 1 }, () => ({ userId: "u", permission: "a" })) },
      ["checks"],
    ],
  ];

  it("refuses every invalid body with the schema's 400 and field paths", async () => {
    for (const [url, body, paths] of cases) {
      const res = await post(url, JSON.stringify(body));
      expect(res.statusCode, `${url} ${JSON.stringify(body).slice(0, 80)}`).toBe(400);
      const problem = res.json();
      expect(problem.code).toBe("VALIDATION_FAILED");
      const schema = url.endsWith("/batch") ? BatchCheckBody : CheckBody;
      const parsed = schema.safeParse(body);
      expect(parsed.success).toBe(false);
      expect(problem.errors).toEqual(zodFieldErrors(parsed.error!));
      expect(problem.errors.map((e: { path: string }) => e.path)).toEqual(paths);
    }
  });

  it("answers valid bodies with application/json, as before", async () => {
    const res = await post(
      "/api/v1/check",
      JSON.stringify({ userId: a.adminUserId, permission: "users.view" }),
    );
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(res.json()).toMatchObject({ allowed: true, reason: { code: "GRANTED_TENANT" } });
    const batch = await post(
      "/api/v1/check/batch",
      JSON.stringify({ checks: [{ userId: a.adminUserId, permission: "users.view" }] }),
    );
    expect(batch.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(batch.json().results).toHaveLength(1);
  });
});
