/** Prometheus `/metrics` (PRODUCT.md §7): operator only, bounded labels, counts from the database. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CANARY_PASSWORD,
  OPERATOR_TOKEN,
  startTestApp,
  TEST_DB,
  type TestApp,
  type TestTenant,
} from "./harness.ts";
import { createUser } from "./lifecycle-fixtures.ts";

/** The value of one sample line, e.g. `staffgate_users{status="active"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe(`metrics (${TEST_DB})`, () => {
  let t: TestApp;
  let a: TestTenant;
  const scrape = async (token = OPERATOR_TOKEN) =>
    t.app.inject({ method: "GET", url: "/metrics", headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    t = await startTestApp();
    a = await t.createTenant();
  });
  afterAll(() => t.close());

  it("answers the operator, or a scraper on this machine; from elsewhere an anonymous caller gets 401, a tenant's session 403", async () => {
    const remote = "203.0.113.9";
    /** The status of a scrape from `from`, with these headers. */
    const statusFrom = async (from: string, headers: Record<string, string> = {}) =>
      (await t.app.inject({ method: "GET", url: "/metrics", remoteAddress: from, headers })).statusCode;
    expect(await statusFrom(remote)).toBe(401);
    const { token } = await t.anonymous.auth.login({
      tenant: a.slug,
      login: "admin",
      password: CANARY_PASSWORD,
    });
    expect(await statusFrom(remote, { authorization: `Bearer ${token}` })).toBe(403);
    expect(await statusFrom(remote, { authorization: `Bearer ${OPERATOR_TOKEN}` })).toBe(200);
    // This machine: a local agent needs no token, unless a proxy on it relays someone else.
    expect(await statusFrom("127.0.0.1")).toBe(200);
    for (const header of ["x-forwarded-for", "forwarded", "x-real-ip"]) {
      const value = header === "forwarded" ? `for=${remote}` : remote;
      expect([header, await statusFrom("::1", { [header]: value })]).toEqual([header, 401]);
    }
    const res = await scrape();
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("text/plain; version=0.0.4; charset=utf-8");
    expect(res.body).toContain("# TYPE staffgate_http_requests_total counter");
    expect(res.body).toContain("# TYPE process_cpu_seconds_total counter");
  });

  it("counts requests by route pattern and status, never by raw path or id", async () => {
    const { user } = await createUser(t, a);
    for (let i = 0; i < 3; i++) await a.admin.users.get(user.id);
    await t.app.inject({ method: "GET", url: `/api/v1/no-such-thing/${user.id}` });
    const text = (await scrape()).body;
    expect(
      sample(text, 'staffgate_http_requests_total{method="GET",route="/api/v1/users/:id",status="200"}'),
    ).toBe(3);
    expect(
      sample(text, 'staffgate_http_request_duration_seconds_count{method="GET",route="/api/v1/users/:id"}'),
    ).toBe(3);
    expect(text).not.toContain(user.id);
    expect(text).not.toContain("no-such-thing");
    expect(sample(text, 'staffgate_http_requests_total{method="GET",route="unmatched",status="404"}')).toBe(
      1,
    );
  });

  it("reads the database at scrape time: tenants, users by status, locked users, sessions", async () => {
    const before = (await scrape()).body;
    const { user } = await createUser(t, a);
    for (let i = 0; i < 5; i++) {
      await t.app.inject({
        method: "POST",
        url: "/api/v1/auth/login",
        payload: { tenant: a.slug, login: user.username, password: "wrong-Pa55word-heron-4410" },
      });
    }
    const after = (await scrape()).body;
    expect(sample(after, "staffgate_tenants")).toBe(sample(before, "staffgate_tenants"));
    expect(sample(after, 'staffgate_users{status="active"}')).toBe(
      sample(before, 'staffgate_users{status="active"}')! + 1,
    );
    expect(sample(after, "staffgate_users_locked")).toBe(sample(before, "staffgate_users_locked")! + 1);
    // createUser signed the new user in once.
    expect(sample(after, "staffgate_sessions")).toBe(sample(before, "staffgate_sessions")! + 1);
    expect(after).not.toContain(user.username);
    expect(after).not.toContain(CANARY_PASSWORD);
  });

  it("says on PostgreSQL whether the instance holds its lease (kept reads), and nothing on SQLite", async () => {
    if (TEST_DB === "postgres") await t.db.changes!.trusted!();
    const body = (await scrape()).body;
    expect(sample(body, "staffgate_change_watch_trusted")).toBe(TEST_DB === "postgres" ? 1 : undefined);
  });
});
