/**
 * The general request rate limit (SECURITY.md H-56, ASVS 2.4.1): per caller and per tenant, API
 * and decisions apart, 429 THROTTLED with Retry-After, refilled with the (fake) clock.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { costOf, secondsUntil, TokenBuckets } from "../src/http/rate-limit.ts";
import { captureLog, problemOf, startTestApp, type TestApp } from "./harness.ts";
import { roleIdByName } from "./lifecycle-fixtures.ts";

const SECOND = 1000;

describe(`request rate limit (${process.env.STAFFGATE_TEST_DB ?? "sqlite"})`, () => {
  const { lines, logger } = captureLog();
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      rateLimits: { perCaller: 60, perTenant: 100, decisionsPerCaller: 30, decisionsPerTenant: 0 },
      logger,
    });
  });
  afterAll(() => t?.close());

  /** Spends `n` requests of the caller's API budget; returns the first refusal's response, if any. */
  async function spend(
    client: Awaited<ReturnType<TestApp["signIn"]>>,
    n: number,
  ): Promise<Response | undefined> {
    for (let i = 0; i < n; i++) {
      const res = await client.transport.raw("GET", "/api/v1/auth/me");
      if (res.status !== 200) return res;
    }
    return undefined;
  }

  it("refuses a caller past its budget with 429 THROTTLED and Retry-After, and lets it in once refilled", async () => {
    const a = await t.createTenant();
    const s = await t.signIn(a.slug, "admin");
    expect(await spend(s, 60)).toBeUndefined();
    const refused = await s.transport.raw("GET", "/api/v1/auth/me");
    expect(refused.status).toBe(429);
    // 60 a minute: one request's worth comes back every second.
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(refused.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(await refused.json()).toMatchObject({ status: 429, code: "THROTTLED", retryAfter: 1 });
    // A refused request took nothing: after the wait it passes, and only one does.
    t.clock.advance(SECOND);
    expect((await s.transport.raw("GET", "/api/v1/auth/me")).status).toBe(200);
    expect((await s.transport.raw("GET", "/api/v1/auth/me")).status).toBe(429);
    // Another session of the same user is another caller.
    expect(await spend(await t.signIn(a.slug, "admin"), 5)).toBeUndefined();
    t.clock.advance(60 * SECOND);
    expect(await spend(s, 30)).toBeUndefined();
  });

  it("counts every caller of a tenant against the tenant's budget; other tenants are not touched", async () => {
    const a = await t.createTenant();
    const b = await t.createTenant();
    // createTenant's own requests used a little of the budget: fill the rest from two callers.
    const first = await t.signIn(a.slug, "admin");
    const second = await t.signIn(a.slug, "admin");
    const refusedAt = async () => {
      for (let i = 0; i < 120; i++) {
        const by = i % 2 === 0 ? first : second;
        const res = await by.transport.raw("GET", "/api/v1/auth/me");
        if (res.status === 429) return { i, res };
      }
      return undefined;
    };
    const refused = await refusedAt();
    expect(refused).toBeDefined();
    // Each caller spent about half: under its own 60, so the tenant's 100 refused.
    expect(refused!.i).toBeLessThan(100);
    expect(refused!.i).toBeGreaterThan(90);
    expect(await refused!.res.json()).toMatchObject({ code: "THROTTLED" });
    await expect(b.admin.auth.me()).resolves.toBeDefined();
    expect(lines.some((l) => /"event":"excess_rate_limit_exceeded".*"scope":"tenant"/.test(l))).toBe(true);
  });

  it("keeps decisions apart from the administration API, with their own budget", async () => {
    const a = await t.createTenant();
    const viewer = await roleIdByName(t, a, "Viewer");
    const token = await a.admin.apiTokens.create({ name: "Clinical app", roleId: viewer });
    const app = t.anonymous.withToken(token.token);
    const question = { userId: a.adminUserId, permission: "users.view" };
    for (let i = 0; i < 30; i++) expect((await app.access.check(question)).allowed).toBe(true);
    const refused = await problemOf(() => app.access.check(question));
    expect([refused.status, refused.code]).toEqual([429, "THROTTLED"]);
    // The same token's administration budget is untouched.
    await expect(app.auth.me()).resolves.toBeDefined();
    t.clock.advance(2 * SECOND);
    expect((await app.access.check(question)).allowed).toBe(true);
  });

  it("charges a page of a list by its size: a caller cannot page a tenant out at full speed", async () => {
    const a = await t.createTenant();
    const s = await t.signIn(a.slug, "admin");
    // A page of 50 costs 26: two fit in 60, the third does not.
    expect((await s.transport.raw("GET", "/api/v1/users?limit=50")).status).toBe(200);
    expect((await s.transport.raw("GET", "/api/v1/users?limit=50")).status).toBe(200);
    const refused = await s.transport.raw("GET", "/api/v1/users?limit=50");
    expect(refused.status).toBe(429);
    // 26 − 8 left = 18 units at one a second.
    expect(refused.headers.get("retry-after")).toBe("18");
    // A small page still fits (1 + 10/2 = 6).
    expect((await s.transport.raw("GET", "/api/v1/users?limit=10")).status).toBe(200);
  });

  it("does not count the operator or requests without a caller", async () => {
    for (let i = 0; i < 150; i++) {
      expect((await t.operator.transport.raw("GET", "/api/v1/tenants?limit=1")).status).toBe(200);
    }
    for (let i = 0; i < 150; i++) {
      expect((await t.anonymous.transport.raw("GET", "/api/v1/auth/me")).status).toBe(401);
    }
  });
});

describe("what a request costs, and how a bucket refills", () => {
  it("costs by page size for lists, 1 for a SCIM lookup without a count, 1,000 for a bulk export", () => {
    expect(costOf("api", {})).toBe(1);
    expect(costOf("decision", { limit: "200" })).toBe(1);
    expect(costOf("list", {})).toBe(26);
    expect(costOf("list", { limit: "200" })).toBe(101);
    expect(costOf("list", { limit: "nonsense" })).toBe(26);
    expect(costOf("scim-list", { filter: 'userName eq "a"' })).toBe(1);
    expect(costOf("scim-list", { count: "100" })).toBe(51);
    expect(costOf("bulk", {})).toBe(1000);
  });

  it("holds a minute's budget, refills continuously, and never goes above it", () => {
    const b = new TokenBuckets();
    const spendAll = (now: number) => {
      const bucket = b.at("k", 60, now);
      bucket.level -= 60;
    };
    expect(secondsUntil(b.at("k", 60, 0), 60, 60)).toBe(0);
    spendAll(0);
    expect(secondsUntil(b.at("k", 60, 0), 60, 1)).toBe(1);
    expect(secondsUntil(b.at("k", 60, 1000), 60, 1)).toBe(0);
    // A cost above the whole budget waits for a full bucket instead of never passing.
    expect(secondsUntil(b.at("k", 60, 60_000), 60, 500)).toBe(0);
    // An hour idle is still one minute's budget.
    spendAll(3_600_000);
    expect(secondsUntil(b.at("k", 60, 3_600_000), 60, 1)).toBe(1);
  });
});
