import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CANARY_PASSWORD,
  captureLog,
  OPERATOR_TOKEN,
  problemOf,
  startTestApp,
  type TestApp,
} from "./harness.ts";

describe(`secrets never leak (${process.env.STAFFGATE_TEST_DB ?? "sqlite"})`, () => {
  // Every log line the app writes, at the most verbose level, with production redaction.
  const logs = captureLog("trace");
  let t: TestApp;
  let sessionToken = "";
  let slug = "";
  beforeAll(async () => {
    t = await startTestApp({ logger: logs.logger });
    const a = await t.createTenant();
    slug = a.slug;
    sessionToken = (
      await t.anonymous.auth.login({ tenant: a.slug, login: "admin", password: CANARY_PASSWORD })
    ).token;
    await problemOf(() =>
      t.anonymous.auth.login({ tenant: a.slug, login: "admin", password: `${CANARY_PASSWORD}-wrong` }),
    );
    await problemOf(() =>
      t.anonymous.auth.login({ tenant: "no-such-practice", login: "admin", password: CANARY_PASSWORD }),
    );
    await t.anonymous.withToken(sessionToken).workspaces.create({ slug: "logs", name: "Logs" });
    await t.anonymous.withToken(sessionToken).auth.me();
  });
  afterAll(() => t.close());

  it("keeps the canary password, session token and operator token out of every log line", () => {
    const all = logs.lines.join("");
    expect(logs.lines.length).toBeGreaterThan(5);
    expect(all).not.toContain(CANARY_PASSWORD);
    expect(all).not.toContain(sessionToken);
    expect(all).not.toContain(OPERATOR_TOKEN);
  });

  it("logs every refused sign-in, also for an unknown tenant, naming only a tenant that exists, and no secret", () => {
    const refused = logs.lines
      .map((l) => JSON.parse(l) as { event?: string; tenant?: string; code?: string })
      .filter((l) => l.event === "authn_login_fail");
    // Typed text that names no tenant may be a password in the wrong field: not kept.
    expect(refused.map((l) => l.tenant ?? null)).toEqual([slug, null]);
    expect(logs.lines.join("")).not.toContain("no-such-practice");
    expect(refused.every((l) => l.code === "INVALID_CREDENTIALS")).toBe(true);
    expect(JSON.stringify(refused)).not.toContain(CANARY_PASSWORD);
  });

  it("keeps them out of every audit row", async () => {
    const rows = await t.db.allTenants.selectFrom("audit_events").selectAll().execute();
    const all = JSON.stringify(rows);
    expect(rows.length).toBeGreaterThan(3);
    expect(all).not.toContain(CANARY_PASSWORD);
    expect(all).not.toContain(sessionToken);
    expect(all).not.toMatch(/\$argon2/);
  });

  it("stores passwords only as argon2id hashes", async () => {
    const rows = await t.db.allTenants.selectFrom("users").select("password_hash").execute();
    for (const r of rows) expect(r.password_hash).toMatch(/^\$argon2id\$/);
  });
});
