/**
 * The JSON log (SECURITY.md I-63, I-64, I-66; ASVS 16.2.1, 16.2.2, 16.4.3): every line JSON with
 * an ISO 8601 UTC time; committed audit events streamed with Logging Vocabulary names, the tenant,
 * the actor's id, the target's id, the outcome, the request id and the address; refusals with
 * their tenant and actor; never a label that a person typed. Last, the Vocabulary names that need
 * more than an action's own: a success after failures, the failure that reached the limit, the
 * session a sign-in made, a session ended for its time at its next use, a used link presented again.
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { totpCodeAt, totpStepAt } from "../../core/src/auth/mfa.rules.ts";
import {
  CANARY_PASSWORD,
  captureLog,
  problemOf,
  startTestApp,
  type TestApp,
  type TestTenant,
} from "./harness.ts";
import { auditOf, createRole, createUser, resetLinkToken } from "./lifecycle-fixtures.ts";

describe(`JSON log (${process.env.STAFFGATE_TEST_DB ?? "sqlite"})`, () => {
  const { lines: raw, parsed: lines, logger } = captureLog();
  let t: TestApp;
  let a: TestTenant;
  const withEvent = (event: string) => lines().filter((l) => l.event === event);
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

  it("writes one JSON object per line, each with an ISO 8601 UTC time", async () => {
    await a.admin.auth.me();
    expect(raw.length).toBeGreaterThan(0);
    for (const line of lines()) expect(line.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it("streams committed audit events with vocabulary names and ids, never labels", async () => {
    const made = await createUser(t, a);
    const sessionLine = withEvent("authn_login_success").find((l) => l.actorId === made.user.id);
    expect(sessionLine).toMatchObject({ tenantId: a.id, action: "auth.login.succeeded", outcome: "success" });
    expect(sessionLine?.requestId).toMatch(/^req_/);
    const created = withEvent("user_created").find((l) => l.targetId === made.user.id);
    expect(created).toMatchObject({
      tenantId: a.id,
      actorType: "user",
      actorId: a.adminUserId,
      targetType: "user",
    });
    expect(typeof created?.seq).toBe("number");

    const roleId = await createRole(a, ["patients.read"]);
    expect(withEvent("privilege_permissions_changed").some((l) => l.targetId === roleId)).toBe(true);
    const token = await a.admin.apiTokens.create({ name: "Log line", roleId });
    expect(withEvent("authn_token_created").some((l) => l.targetId === token.id)).toBe(true);

    // Names and typed values stay in the audit trail, out of the log.
    expect(raw.join("\n")).not.toContain(made.user.username);
    expect(raw.join("\n")).not.toContain(made.user.email);
  });

  it("logs a lock as authn_login_lock, and a rolled-back change not at all", async () => {
    const made = await createUser(t, a);
    await a.admin.settings.update({ lockoutThreshold: 2 });
    try {
      for (let i = 0; i < 2; i++) {
        await problemOf(() =>
          t.anonymous.auth.login({
            tenant: a.slug,
            login: made.user.username,
            password: `${CANARY_PASSWORD}x`,
          }),
        );
      }
      expect(withEvent("authn_login_lock").some((l) => l.targetId === made.user.id)).toBe(true);
    } finally {
      await a.admin.settings.update({ lockoutThreshold: 5 });
    }
    // A refused change commits nothing, so nothing is streamed for it.
    const before = raw.length;
    const refused = await problemOf(() => a.admin.workspaces.create({ slug: "Not A Slug!", name: "x" }));
    expect(refused.status).toBe(400);
    expect(
      lines()
        .slice(before)
        .filter((l) => l.action === "workspace.created"),
    ).toEqual([]);
  });

  it('names the tenant on every line of a signed-in caller\'s request, "request completed" included, once', async () => {
    const me = await a.admin.auth.me();
    const completed = lines().filter((l) => l.msg === "request completed");
    const mine = completed.filter((l) => l.tenantId === a.id);
    expect(mine.length).toBeGreaterThan(0);
    // The request just made is among them; a request without a caller names none.
    expect(completed.some((l) => l.tenantId === undefined)).toBe(true);
    expect(me.tenant.id).toBe(a.id);
    // A key written twice would be two JSON members of one name: each line names its tenant once.
    for (const l of raw) expect(l.match(/"tenantId":/g)?.length ?? 0).toBeLessThanOrEqual(1);
  });

  it("logs a refusal with its tenant, actor and address", async () => {
    const nobody = await createUser(t, a, { roleId: await createRole(a, []) });
    await problemOf(() => nobody.client.workspaces.create({ slug: "nope", name: "Nope" }));
    const refused = withEvent("authz_fail").find((l) => l.actorId === nobody.user.id);
    expect(refused).toMatchObject({ tenantId: a.id, actorType: "user", code: "FORBIDDEN", ip: "127.0.0.1" });
  });

  it("logs every refused sign-in as authn_login_fail with the tenant's id and the address, a wrong code too", async () => {
    const made = await createUser(t, a);
    const failed = () => withEvent("authn_login_fail").at(-1);
    await problemOf(() =>
      t.anonymous.auth.login({ tenant: a.slug, login: made.user.username, password: `${CANARY_PASSWORD}x` }),
    );
    expect(failed()).toMatchObject({
      code: "INVALID_CREDENTIALS",
      tenant: a.slug,
      tenantId: a.id,
      ip: "127.0.0.1",
    });
    // What was typed as a tenant that is none may be a password in the wrong field: not kept.
    await problemOf(() =>
      t.anonymous.auth.login({ tenant: "typed-my-passphrase-here", login: "x", password: "y" }),
    );
    expect(failed()).toMatchObject({ code: "INVALID_CREDENTIALS", ip: "127.0.0.1" });
    expect(failed()?.tenant).toBeUndefined();
    expect(failed()?.tenantId).toBeUndefined();
    expect(raw.join("\n")).not.toContain("typed-my-passphrase-here");

    // The right password with a wrong TOTP code: the same refusal, so the same event (docs/logging.md).
    const { secret } = await made.client.mfa.startTotp();
    await made.client.mfa.confirmTotp(totpCodeAt(secret, totpStepAt(t.clock.now().getTime())));
    t.clock.advance(30_000);
    const code = totpCodeAt(secret, totpStepAt(t.clock.now().getTime()));
    const before = raw.length;
    await problemOf(() =>
      t.anonymous.auth.login({
        tenant: a.slug,
        login: made.user.username,
        password: CANARY_PASSWORD,
        totp: code === "000000" ? "111111" : "000000",
      }),
    );
    const events = lines()
      .slice(before)
      .map((l) => l.event)
      .filter(Boolean);
    expect(events).toEqual(["authn_login_fail"]);
    expect(failed()).toMatchObject({ code: "INVALID_CREDENTIALS", tenantId: a.id, ip: "127.0.0.1" });
  });

  it("logs a refused reset link, which no tenant's audit can hold", async () => {
    const bogus = `sgr_${"A".repeat(43)}`;
    const p = await problemOf(() =>
      t.anonymous.credentials.resetPassword({ token: bogus, newPassword: "a brand new passphrase here" }),
    );
    expect(p.code).toBe("INVALID_TOKEN");
    const line = withEvent("authn_token_invalid").at(-1);
    expect(line).toMatchObject({
      code: "INVALID_TOKEN",
      route: "/api/v1/auth/reset-password",
      ip: "127.0.0.1",
    });
    expect(raw.join("\n")).not.toContain(bogus);
  });

  it("logs refused input as input_validation_fail, naming the fields and never their values", async () => {
    const typed = `${CANARY_PASSWORD}-typed-into-the-wrong-field`;
    const res = await a.admin.transport.raw("POST", "/api/v1/workspaces", {
      body: { slug: typed, name: 42, colour: "blue" },
    });
    expect(res.status).toBe(400);
    const line = withEvent("input_validation_fail").at(-1);
    expect(line).toMatchObject({
      code: "VALIDATION_FAILED",
      method: "POST",
      route: "/api/v1/workspaces",
      tenantId: a.id,
      actorId: a.adminUserId,
      ip: "127.0.0.1",
    });
    expect(line?.fields).toEqual(expect.arrayContaining(["slug", "name", "colour"]));
    const malformed = await t.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      headers: { "content-type": "application/json" },
      payload: `{"password": "${typed}"`,
    });
    expect(malformed.statusCode).toBe(400);
    expect(withEvent("input_validation_fail").at(-1)).toMatchObject({
      code: "MALFORMED_JSON",
      route: "/api/v1/auth/login",
    });
    expect(raw.join("\n")).not.toContain(typed);
  });

  it("logs a URL's secret query values redacted (a token pasted into a link)", async () => {
    const res = await t.app.inject({
      method: "GET",
      url: "/reset-password?token=sgr_CANARYQUERYTOKEN456&lang=en",
    });
    expect(res.statusCode).toBeLessThan(500);
    // A CSRF token or a session a client misplaced into the query (the SECURITY.md audit).
    await t.app.inject({ method: "GET", url: "/api/v1/auth/me?csrf=CANARYCSRF789&session=CANARYSESSION012" });
    // Other names clients give credentials, and Staffgate's own secrets under any name.
    await t.app.inject({
      method: "GET",
      url: "/api/v1/users?apiToken=CANARYA1&bearer=Bearer%20CANARYB2&authorization=CANARYC3&api_key=CANARYD4&pw=CANARYE5&passwd=CANARYF6&otp=CANARYG7&jwt=CANARYH8&recovery=CANARYI9&x=sgs_CANARYJ10&y=%20sgt%5FCANARYK11&q=kim",
    });
    const all = raw.join("\n");
    for (const canary of ["A1", "B2", "C3", "D4", "E5", "F6", "G7", "H8", "I9", "J10", "K11"]) {
      expect(all).not.toContain(`CANARY${canary}`);
    }
    // What is not a secret stays readable.
    expect(all).toContain("&q=kim");
    expect(all).not.toContain("CANARYQUERYTOKEN456");
    expect(all).not.toContain("CANARYCSRF789");
    expect(all).not.toContain("CANARYSESSION012");
    expect(
      lines().some(
        (l) => (l.req as { url?: string } | undefined)?.url === "/reset-password?token=[redacted]&lang=en",
      ),
    ).toBe(true);
  });

  // PostgreSQL's errors carry the failing row ("Failing row contains (…)") in `detail`: labels,
  // changed values, and on another table password hashes. The log keeps the error, not the row.
  it.skipIf(process.env.STAFFGATE_TEST_DB !== "postgres")(
    "logs a database error without the row it failed on",
    async () => {
      const { user } = await createUser(t, a);
      const marker = user.username;
      await sql`alter table audit_events add constraint logs_test_refuse check (action <> 'user.deactivated')`.execute(
        t.db.kysely,
      );
      try {
        const res = await a.admin.transport.raw("POST", `/api/v1/users/${user.id}/deactivate`);
        expect(res.status).toBe(500);
      } finally {
        await sql`alter table audit_events drop constraint logs_test_refuse`.execute(t.db.kysely);
      }
      const failed = lines().filter((l) => l.level === 50);
      expect(failed.length).toBeGreaterThan(0);
      expect(JSON.stringify(failed)).toContain("logs_test_refuse");
      expect(JSON.stringify(failed)).not.toContain(marker);
    },
  );

  // SECURITY.md I-63 names that need more than an action's own (the audit-trail audit, 2026-12-05).
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
    const token = await resetLinkToken(t, a.id, made.user.email);
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
