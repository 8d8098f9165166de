/**
 * SECURITY.md I-63's Logging Vocabulary names that need more than an action's own name (found by
 * the audit-trail audit, 2026-12-05): a success after failures, the failure that reached the
 * limit, the session a sign-in made, a session ended for its time at its next use (audited too:
 * K-4, automatic logoff), and a used link presented again.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CANARY_PASSWORD,
  captureLog,
  problemOf,
  startTestApp,
  type TestApp,
  type TestTenant,
} from "./harness.ts";
import { auditOf, createUser } from "./lifecycle-fixtures.ts";

type Line = Record<string, unknown>;

describe(`Logging Vocabulary (${process.env.STAFFGATE_TEST_DB ?? "sqlite"})`, () => {
  const { lines: raw, logger } = captureLog();
  let t: TestApp;
  let a: TestTenant;
  const lines = (): Line[] => raw.map((l) => JSON.parse(l) as Line);
  const eventsSince = (n: number) =>
    lines()
      .slice(n)
      .map((l) => l.event)
      .filter((e): e is string => typeof e === "string");
  const wrong = (login: string) =>
    problemOf(() => t.anonymous.auth.login({ tenant: a.slug, login, password: `${CANARY_PASSWORD}x` }));

  beforeAll(async () => {
    t = await startTestApp({ logger });
    a = await t.createTenant();
  });
  afterAll(() => t?.close());

  it("names a sign-in after failures authn_login_successafterfail, audits the failures it reset, and logs the session it made", async () => {
    const made = await createUser(t, a);
    let before = raw.length;
    await t.signIn(a.slug, made.user.username);
    expect(eventsSince(before)).toEqual(["authn_login_success", "session_created"]);

    await wrong(made.user.username);
    await wrong(made.user.username);
    before = raw.length;
    await t.signIn(a.slug, made.user.username);
    expect(eventsSince(before)).toEqual(["authn_login_successafterfail", "session_created"]);
    const success = (await auditOf(t, a, made.user.id))
      .filter((e) => e.action === "auth.login.succeeded")
      .at(-1);
    expect(success?.changes).toMatchObject({ failedAttempts: { before: 2, after: 0 } });
  });

  it("logs the failure that reaches the limit as authn_login_fail_max, besides the lock", async () => {
    const made = await createUser(t, a);
    await a.admin.settings.update({ lockoutThreshold: 2 });
    try {
      await wrong(made.user.username);
      const before = raw.length;
      await wrong(made.user.username);
      const events = eventsSince(before);
      // The lock's lines at its commit, then the refusal's (the request ends after the commit).
      expect(events).toEqual(["authn_login_lock", "authn_login_fail_max", "authn_login_fail"]);
      const max = lines()
        .slice(before)
        .find((l) => l.event === "authn_login_fail_max");
      expect(max).toMatchObject({ tenantId: a.id, targetId: made.user.id, action: "auth.locked" });
    } finally {
      await a.admin.settings.update({ lockoutThreshold: 5 });
    }
  });

  it("logs a used reset link presented again as authn_token_reuse, a bogus one as authn_token_invalid", async () => {
    const made = await createUser(t, a);
    await t.anonymous.credentials.forgotPassword({ tenant: a.slug, email: made.user.email });
    const mail = await t.db.kysely
      .selectFrom("outbox")
      .select("body")
      .where("tenant_id", "=", a.id)
      .where("to_address", "=", made.user.email)
      .where("kind", "=", "auth.password.reset_link")
      .executeTakeFirstOrThrow();
    const token = /#token=([A-Za-z0-9_-]+)/.exec(mail.body)![1]!;
    const reset = () =>
      t.anonymous.credentials.resetPassword({
        token,
        newPassword: "a brand new passphrase for the log test",
      });
    await reset();
    let before = raw.length;
    expect((await problemOf(reset)).code).toBe("INVALID_TOKEN");
    expect(eventsSince(before)).toContain("authn_token_reuse");
    expect(eventsSince(before)).not.toContain("authn_token_invalid");
    before = raw.length;
    const bogus = () =>
      t.anonymous.credentials.resetPassword({
        token: `sgr_${"B".repeat(43)}`,
        newPassword: "whatever it is now",
      });
    expect((await problemOf(bogus)).code).toBe("INVALID_TOKEN");
    expect(eventsSince(before)).toContain("authn_token_invalid");
    expect(eventsSince(before)).not.toContain("authn_token_reuse");
  });

  // Last: it moves the shared clock past every session's idle limit.
  it("ends a session past its idle limit at its next use: 401, audited once, logged as session_expired and session_use_after_expire", async () => {
    const made = await createUser(t, a);
    await made.client.auth.me();
    t.clock.advance(16 * 60_000);
    const before = raw.length;
    expect((await problemOf(() => made.client.auth.me())).status).toBe(401);
    expect(eventsSince(before)).toEqual(
      expect.arrayContaining(["session_expired", "session_use_after_expire"]),
    );
    const expired = (await auditOf(t, a, made.user.id)).filter((e) => e.action === "auth.session.expired");
    expect(expired).toHaveLength(1);
    expect(expired[0]).toMatchObject({ actor_type: "system", changes: { limit: { after: "idle" } } });
    // The session is gone: a second use is an unknown token, and records nothing more.
    expect((await problemOf(() => made.client.auth.me())).status).toBe(401);
    expect(
      (await auditOf(t, a, made.user.id)).filter((e) => e.action === "auth.session.expired"),
    ).toHaveLength(1);
  });
});
