/**
 * SECURITY.md D-34 (the Kratos lesson): 200 parallel wrong passwords on one account leave an exact
 * failed-attempts counter and a lock, and no sign-in succeeds while the account is locked, even
 * with the right password in the mix. The throttle is raised on a second app instance over the
 * same database (as two stateless instances would run), so every attempt reaches the counter.
 */
import { Staffgate } from "@staffgate/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp, type StaffgateApp } from "../src/app.ts";
import { CANARY_PASSWORD, injectFetch, startTestApp, type TestApp, type TestTenant } from "./harness.ts";
import { createUser, roleIdByName, userRow } from "./lifecycle-fixtures.ts";

const WRONG = "definitely-not-the-password-42";

describe(`sign-in races (${process.env.STAFFGATE_TEST_DB ?? "sqlite"})`, () => {
  let t: TestApp;
  let a: TestTenant;
  let viewer: string;
  let app2: StaffgateApp;
  let client: Staffgate;
  /** Made before any attempt: the attempts use up the shared per-address budget of the main app. */
  let first: { username: string; id: string };
  let second: { username: string; id: string };

  const attempt = (login: string, password: string) =>
    client.transport.raw("POST", "/api/v1/auth/login", { body: { tenant: a.slug, login, password } });

  const audit = (userId: string) =>
    t.db.kysely
      .selectFrom("audit_events")
      .select(["seq", "action", "changes"])
      .where("tenant_id", "=", a.id)
      .where("target_id", "=", userId)
      .where("action", "in", ["auth.login.failed", "auth.login.succeeded", "auth.locked"])
      .orderBy("seq")
      .execute();

  beforeAll(async () => {
    t = await startTestApp();
    a = await t.createTenant();
    viewer = await roleIdByName(t, a, "Viewer");
    first = (await createUser(t, a, { roleId: viewer })).user;
    second = (await createUser(t, a, { roleId: viewer })).user;
    await a.admin.settings.update({ lockoutThreshold: 100 });
    app2 = await buildApp({
      db: t.db,
      clock: t.clock,
      validateResponses: true,
      hasher: { memoryCost: 1024, timeCost: 1 },
      loginThrottle: { perAccount: 100_000, perAddress: 100_000 },
    });
    client = new Staffgate({ baseUrl: "http://staffgate.test", fetch: injectFetch(app2) });
  });
  afterAll(async () => {
    await app2?.close();
    await t?.close();
  });

  it("200 parallel wrong passwords (threshold 100): counter exactly 100, locked once, nothing counted after", async () => {
    const user = first;
    const answers = await Promise.all(Array.from({ length: 200 }, () => attempt(user.username, WRONG)));
    expect(answers.map((r) => r.status)).toEqual(Array(200).fill(401));
    const row = (await userRow(t, a, user.id))!;
    expect(row.failed_attempts).toBe(100);
    expect(row.locked).toBe(1);
    const events = await audit(user.id);
    expect(events.filter((e) => e.action === "auth.locked")).toHaveLength(1);
    const failed = events.filter((e) => e.action === "auth.login.failed");
    expect(failed).toHaveLength(200);
    // Each counted failure saw a distinct count 1…100: no lost update, no double count.
    const counts = failed
      .map((e) => JSON.parse(e.changes!).failedAttempts?.after as number | undefined)
      .filter((n) => n !== undefined);
    expect(counts.sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    // And the right password is refused now.
    expect((await attempt(user.username, CANARY_PASSWORD)).status).toBe(401);
  });

  it("200 wrong and 20 right passwords in parallel (threshold 5): no success once locked", async () => {
    await a.admin.settings.update({ lockoutThreshold: 5 });
    const user = second;
    // Its earlier events (created, signed in by the fixture) are not part of the race.
    const earlier = (await audit(user.id)).length;
    // A fixed interleaving of 220 attempts: every eleventh is the right password (20 right, 200 wrong).
    const order = Array.from({ length: 220 }, (_, i) => (i % 11 === 10 ? CANARY_PASSWORD : WRONG));
    const answers = await Promise.all(order.map((pw) => attempt(user.username, pw)));
    const ok = answers.filter((r) => r.status === 200).length;
    expect(answers.every((r) => r.status === 200 || r.status === 401)).toBe(true);
    const row = (await userRow(t, a, user.id))!;
    expect(row.locked).toBe(1);
    const events = (await audit(user.id)).slice(earlier);
    const lockAt = events.findIndex((e) => e.action === "auth.locked");
    expect(lockAt).toBeGreaterThan(-1);
    expect(events.filter((e) => e.action === "auth.locked")).toHaveLength(1);
    // Every success precedes the lock in the tenant's audit chain (commit order)…
    const successes = events.filter((e) => e.action === "auth.login.succeeded");
    expect(successes).toHaveLength(ok);
    expect(events.slice(lockAt).some((e) => e.action === "auth.login.succeeded")).toBe(false);
    // …and the counter equals the failures counted since the last success.
    const lastSuccess = events.map((e) => e.action).lastIndexOf("auth.login.succeeded");
    const countedSince = events
      .slice(lastSuccess + 1)
      .filter((e) => e.action === "auth.login.failed" && JSON.parse(e.changes!).failedAttempts);
    expect(row.failed_attempts).toBe(countedSince.length);
    expect(row.failed_attempts).toBe(5);
  });
});
