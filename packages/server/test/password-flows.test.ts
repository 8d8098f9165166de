/**
 * Issue 4 items 4–7 (PRODUCT.md §4; SECURITY.md, C-26…C-30): change
 * one's own password, forgot / reset, invitations, and the administrator's password actions.
 * Time moves only with the fake clock.
 */
import { DEFAULT_PUBLIC_URL, FORGOT_PASSWORD_MIN_MS } from "@staffgate/core";
import type { Staffgate } from "@staffgate/sdk";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CANARY_PASSWORD, problemOf, startTestApp, type TestApp, type TestTenant } from "./harness.ts";
import { createRole, createUser, inviteUser, roleIdByName, userRow } from "./lifecycle-fixtures.ts";

const NEW_PASSWORD = "violet-harbour-lantern-0420";
const OTHER_PASSWORD = "copper-meadow-whistle-8817";
const MINUTE = 60_000;

/** "within 60 minutes (until Mon, 5 Jan 2026, 10:00 UTC)": the link's end as a moment (a UTC practice). */
function untilWords(within: string, endsMs: number): RegExp {
  const d = new Date(endsMs);
  const two = (n: number) => String(n).padStart(2, "0");
  const when = `${d.getUTCDate()} \\w{3} ${d.getUTCFullYear()}, ${two(d.getUTCHours())}:${two(d.getUTCMinutes())} UTC`;
  return new RegExp(`within ${within} \\(until \\w{3}, ${when}\\)`);
}

describe(`password flows (${process.env.STAFFGATE_TEST_DB ?? "sqlite"})`, () => {
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;
  /** Every token an email carried, for the canary check at the end. */
  const issued: string[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    a = await t.createTenant();
    b = await t.createTenant();
  });
  afterAll(() => t?.close());
  // The fake clock jumps hours: the administrators' sessions idle out, so each test signs them in anew.
  const refreshed = async (x: TestTenant): Promise<TestTenant> => ({
    ...x,
    admin: await t.signIn(x.slug, x.adminUsername),
  });
  beforeEach(async () => {
    a = await refreshed(a);
    b = await refreshed(b);
  });

  /** A lock with no end, set in the database (as five failures under lockoutMinutes 0 leave it). */
  const lockUntilUnlocked = (userId: string) =>
    t.db.kysely
      .updateTable("users")
      .set({ locked: 1, locked_until: null, failed_attempts: 5 })
      .where("tenant_id", "=", a.id)
      .where("id", "=", userId)
      .execute();

  async function mails(tenantId: string, to: string, kind?: string) {
    let q = t.db.kysely
      .selectFrom("outbox")
      .selectAll()
      .where("tenant_id", "=", tenantId)
      .where("to_address", "=", to)
      .orderBy("created_at");
    if (kind) q = q.where("kind", "=", kind);
    return q.execute();
  }

  function tokenOf(body: string): string {
    const match = /#token=([A-Za-z0-9_-]+)/.exec(body);
    if (!match) throw new Error(`no link in ${body}`);
    issued.push(match[1]!);
    return match[1]!;
  }

  /** The newest reset link emailed to `email` (the clock is advanced between requests). */
  async function lastResetToken(tenantId: string, email: string): Promise<string> {
    const rows = await mails(tenantId, email, "auth.password.reset_link");
    return tokenOf(rows.at(-1)!.body);
  }

  async function forgot(slug: string, email: string, host?: string) {
    const res = await t.app.inject({
      method: "POST",
      url: "/api/v1/auth/forgot-password",
      headers: { "content-type": "application/json", ...(host ? { host } : {}) },
      payload: JSON.stringify({ tenant: slug, email }),
    });
    return { status: res.statusCode, body: res.json() as unknown };
  }

  async function status(client: Staffgate): Promise<number> {
    return (await client.transport.raw("GET", "/api/v1/auth/me")).status;
  }

  describe("forgot password", () => {
    it("answers the same 202 body for an unknown tenant, an unknown email, an ineligible and a real account", async () => {
      const { user } = await createUser(t, a);
      const inactive = (await createUser(t, a)).user;
      await a.admin.userActions.deactivate(inactive.id);
      const invited = await inviteUser(t, a);
      const answers = [
        await forgot("no-such-tenant", user.email),
        await forgot(a.slug, "nobody@nowhere.example"),
        await forgot(a.slug, inactive.email),
        await forgot(a.slug, invited.email),
        await forgot(a.slug, user.email),
        await forgot(b.slug, user.email),
      ];
      for (const answer of answers) expect(answer).toEqual(answers[0]);
      expect(answers[0]!.status).toBe(202);
      expect(answers[0]!.body).toMatchObject({ status: "accepted" });
      expect(await mails(a.id, user.email, "auth.password.reset_link")).toHaveLength(1);
      expect(await mails(a.id, inactive.email)).toHaveLength(0);
      // Someone invited has no password to reset: they are invited again (the invitations test).
      expect(await mails(a.id, invited.email, "auth.password.reset_link")).toHaveLength(0);
      expect(await mails(a.id, invited.email, "user.invitation")).toHaveLength(2);
      expect(await mails(b.id, user.email)).toHaveLength(0);
    });

    // SECURITY.md A-15's idea at a test's scale: 5 of each, not 200.
    it("takes as long for an unknown tenant or email as for a real account: never less than the floor", async () => {
      // Nine of each, interleaved: a median holds through four slow answers of a busy host (CI once
      // failed on five, a gap of 16 ms, while other work shared the machine).
      const real = [];
      for (let i = 0; i < 9; i++) real.push((await createUser(t, a)).user);
      const timed = async (slug: string, email: string) => {
        const started = performance.now();
        expect((await forgot(slug, email)).status).toBe(202);
        return performance.now() - started;
      };
      const times: Record<"unknownTenant" | "unknownEmail" | "real", number[]> = {
        unknownTenant: [],
        unknownEmail: [],
        real: [],
      };
      for (const [i, user] of real.entries()) {
        times.unknownTenant.push(await timed(`no-such-tenant-${i}`, user.email));
        times.unknownEmail.push(await timed(a.slug, `nobody-${i}@nowhere.example`));
        times.real.push(await timed(a.slug, user.email));
      }
      // Each real account was sent its link: the slowest path was the one timed.
      for (const user of real)
        expect(await mails(a.id, user.email, "auth.password.reset_link")).toHaveLength(1);
      // A timer may fire up to a millisecond early on the loop's clock.
      for (const ms of Object.values(times).flat())
        expect(ms).toBeGreaterThanOrEqual(FORGOT_PASSWORD_MIN_MS - 2);
      const medians = Object.values(times).map((xs) => [...xs].sort((x, y) => x - y)[4]!);
      expect(Math.max(...medians) - Math.min(...medians)).toBeLessThan(10);
    });

    it("builds the link from configuration, never from a hostile Host header; stores only the hash", async () => {
      const { user } = await createUser(t, a);
      await forgot(a.slug, user.email.toUpperCase(), "evil.example");
      const [mail] = await mails(a.id, user.email, "auth.password.reset_link");
      expect(mail!.body).toContain(`${DEFAULT_PUBLIC_URL}/reset-password#token=sgr_`);
      expect(mail!.body).not.toContain("evil.example");
      const token = tokenOf(mail!.body);
      // 256 random bits (≥ 128 required), base64url.
      expect(Buffer.from(token.slice(4), "base64url").length).toBeGreaterThanOrEqual(32);
      const rows = await t.db.allTenants
        .selectFrom("credential_tokens")
        .selectAll()
        .where("user_id", "=", user.id)
        .execute();
      expect(rows).toHaveLength(1);
      expect(JSON.stringify(rows)).not.toContain(token);
    });

    it("a link works for 60 minutes and not a second longer", async () => {
      const { user } = await createUser(t, a);
      await forgot(a.slug, user.email);
      const early = await lastResetToken(a.id, user.email);
      const [sent] = await mails(a.id, user.email, "auth.password.reset_link");
      expect(sent!.body).toMatch(untilWords("60 minutes", Date.parse(sent!.created_at) + 60 * MINUTE));
      t.clock.advance(60 * MINUTE - 1000);
      await t.anonymous.credentials.resetPassword({ token: early, newPassword: NEW_PASSWORD });

      t.clock.advance(MINUTE);
      await forgot(a.slug, user.email);
      const late = await lastResetToken(a.id, user.email);
      t.clock.advance(60 * MINUTE);
      const expired = await problemOf(() =>
        t.anonymous.credentials.resetPassword({ token: late, newPassword: OTHER_PASSWORD }),
      );
      expect([expired.status, expired.code]).toEqual([400, "INVALID_TOKEN"]);
      expect(expired.problem.errors?.map((e) => e.path)).toEqual(["token"]);
      await t.signIn(a.slug, user.username, NEW_PASSWORD);
    });

    it("a newer link voids the older one; a link works once", async () => {
      const { user } = await createUser(t, a);
      await forgot(a.slug, user.email);
      const first = await lastResetToken(a.id, user.email);
      t.clock.advance(1000);
      await forgot(a.slug, user.email);
      const second = await lastResetToken(a.id, user.email);
      expect(second).not.toBe(first);
      const voided = await problemOf(() =>
        t.anonymous.credentials.resetPassword({ token: first, newPassword: NEW_PASSWORD }),
      );
      await t.anonymous.credentials.resetPassword({ token: second, newPassword: NEW_PASSWORD });
      const reused = await problemOf(() =>
        t.anonymous.credentials.resetPassword({ token: second, newPassword: OTHER_PASSWORD }),
      );
      const junk = await problemOf(() =>
        t.anonymous.credentials.resetPassword({ token: "sgr_not-a-token", newPassword: OTHER_PASSWORD }),
      );
      // One answer for every bad link: voided, used, unknown.
      for (const p of [voided, reused, junk]) {
        expect([p.status, p.code, p.problem.detail]).toEqual([400, "INVALID_TOKEN", voided.problem.detail]);
      }
    });

    it("sends at most 3 emails per account per hour, always answering 202, never locking", async () => {
      const { user } = await createUser(t, a);
      const answers = [];
      for (let i = 0; i < 6; i++) {
        answers.push(await forgot(a.slug, user.email));
        t.clock.advance(1000);
      }
      for (const answer of answers) expect(answer).toEqual(answers[0]);
      expect(await mails(a.id, user.email, "auth.password.reset_link")).toHaveLength(3);
      const row = await userRow(t, a, user.id);
      expect([row!.locked, row!.failed_attempts]).toEqual([0, 0]);
      t.clock.advance(60 * MINUTE);
      await forgot(a.slug, user.email);
      expect(await mails(a.id, user.email, "auth.password.reset_link")).toHaveLength(4);
    });

    it("answers 429 with Retry-After past 100 requests from one address in 15 minutes, whatever the account; others go on", async () => {
      const ask = (remoteAddress: string, email: string) =>
        t.app.inject({
          method: "POST",
          url: "/api/v1/auth/forgot-password",
          remoteAddress,
          headers: { "content-type": "application/json" },
          payload: JSON.stringify({ tenant: a.slug, email }),
        });
      const flood = await Promise.all(
        Array.from({ length: 100 }, (_, i) => ask("198.51.100.7", `nobody-${i}@flood.example`)),
      );
      expect(flood.every((r) => r.statusCode === 202)).toBe(true);
      const refused = await ask("198.51.100.7", "nobody-else@flood.example");
      expect([refused.statusCode, refused.json().code]).toEqual([429, "THROTTLED"]);
      expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
      expect((await ask("198.51.100.8", "nobody-else@flood.example")).statusCode).toBe(202);
      // The next window starts afresh.
      t.clock.advance(15 * 60_000);
      expect((await ask("198.51.100.7", "nobody-else@flood.example")).statusCode).toBe(202);
    });

    it("a link sent before a deactivation does not work after the reactivation", async () => {
      const { user } = await createUser(t, a);
      await forgot(a.slug, user.email);
      const token = await lastResetToken(a.id, user.email);
      a = await refreshed(a);
      await a.admin.userActions.deactivate(user.id);
      await a.admin.userActions.reactivate(user.id);
      const p = await problemOf(() =>
        t.anonymous.credentials.resetPassword({ token, newPassword: NEW_PASSWORD }),
      );
      expect([p.status, p.code]).toEqual([400, "INVALID_TOKEN"]);
    });

    it("a reset unlocks, ends every session and API token, notifies, and does not sign in", async () => {
      const { user, client } = await createUser(t, a);
      const second = await t.signIn(a.slug, user.username);
      await lockUntilUnlocked(user.id);
      await forgot(a.slug, user.email);
      const token = await lastResetToken(a.id, user.email);
      const res = await t.app.inject({
        method: "POST",
        url: "/api/v1/auth/reset-password",
        headers: { "content-type": "application/json" },
        payload: JSON.stringify({ token, newPassword: NEW_PASSWORD }),
      });
      expect(res.statusCode).toBe(204);
      expect(res.headers["set-cookie"]).toBeUndefined();
      expect(res.body).toBe("");
      expect(await status(client)).toBe(401);
      expect(await status(second)).toBe(401);
      const row = await userRow(t, a, user.id);
      expect([row!.locked, row!.locked_until, row!.failed_attempts]).toEqual([0, null, 0]);
      const notices = await mails(a.id, user.email, "auth.password.reset");
      expect(notices).toHaveLength(1);
      expect(notices[0]!.body).not.toContain(NEW_PASSWORD);
      expect(notices[0]!.body).not.toContain("token=");
      const fresh = await t.signIn(a.slug, user.username, NEW_PASSWORD);
      expect(await status(fresh)).toBe(200);
    });

    it("refuses a weak new password naming the field, and the link still works afterwards", async () => {
      const { user } = await createUser(t, a);
      await forgot(a.slug, user.email);
      const token = await lastResetToken(a.id, user.email);
      const short = await problemOf(() =>
        t.anonymous.credentials.resetPassword({ token, newPassword: "short" }),
      );
      expect([short.status, short.code, short.errors[0]?.path]).toEqual([
        400,
        "VALIDATION_FAILED",
        "newPassword",
      ]);
      expect(short.problem.passwordProblem).toBe("TOO_SHORT");
      const context = await problemOf(() =>
        t.anonymous.credentials.resetPassword({
          token,
          newPassword: `${user.username}-${a.slug}-${user.username}`,
        }),
      );
      expect([context.errors[0]?.path, context.problem.passwordProblem]).toEqual(["newPassword", "CONTEXT"]);
      await t.anonymous.credentials.resetPassword({ token, newPassword: NEW_PASSWORD });
    });
  });

  describe("changing one's own password", () => {
    it("needs the current one, ends the other sessions but not this one, clears mustChangePassword, notifies", async () => {
      const { user, client } = await createUser(t, a, { extra: { mustChangePassword: true } });
      const other = await t.signIn(a.slug, user.username);
      const wrong = await problemOf(() =>
        client.credentials.changePassword({
          currentPassword: "not-my-password-at-all",
          newPassword: NEW_PASSWORD,
        }),
      );
      expect([wrong.status, wrong.code, wrong.errors[0]?.path]).toEqual([
        403,
        "REAUTHENTICATION_FAILED",
        "currentPassword",
      ]);
      // A wrong current password counts towards nothing else: the sign-in counter is untouched.
      expect((await userRow(t, a, user.id))!.failed_attempts).toBe(0);
      const same = await problemOf(() =>
        client.credentials.changePassword({ currentPassword: CANARY_PASSWORD, newPassword: CANARY_PASSWORD }),
      );
      expect([same.errors[0]?.path, same.problem.passwordProblem]).toEqual(["newPassword", "REUSED"]);
      expect(same.errors[0]?.message).toBe("password is your current password; choose a new one");
      const common = await problemOf(() =>
        client.credentials.changePassword({
          currentPassword: CANARY_PASSWORD,
          newPassword: "1qaz2wsx3edc4rfv",
        }),
      );
      expect([common.errors[0]?.path, common.problem.passwordProblem]).toEqual(["newPassword", "COMMON"]);

      await client.credentials.changePassword({
        currentPassword: CANARY_PASSWORD,
        newPassword: NEW_PASSWORD,
      });
      expect(await status(client)).toBe(200);
      expect(await status(other)).toBe(401);
      expect((await userRow(t, a, user.id))!.must_change_password).toBe(0);
      const notices = await mails(a.id, user.email, "auth.password.changed");
      expect(notices).toHaveLength(1);
      expect(notices[0]!.body).not.toContain(NEW_PASSWORD);
      await t.signIn(a.slug, user.username, NEW_PASSWORD);
      expect((await problemOf(() => t.signIn(a.slug, user.username))).status).toBe(401);
    });

    it("refuses changes until the 15-minute window ends after 5 wrong current passwords (429)", async () => {
      const { user, client } = await createUser(t, a);
      for (let i = 0; i < 5; i++) {
        const p = await problemOf(() =>
          client.credentials.changePassword({
            currentPassword: `wrong-guess-${i}-xxxxxxxx`,
            newPassword: NEW_PASSWORD,
          }),
        );
        expect(p.status).toBe(403);
      }
      const throttled = await problemOf(() =>
        client.credentials.changePassword({ currentPassword: CANARY_PASSWORD, newPassword: NEW_PASSWORD }),
      );
      expect([throttled.status, throttled.code]).toEqual([429, "THROTTLED"]);
      // Fixed 15-minute windows (reauth-throttle.ts): Retry-After is the time to this one's end.
      const now = t.clock.now().getTime();
      const windowEnd = (Math.floor(now / (15 * MINUTE)) + 1) * 15 * MINUTE;
      expect(throttled.problem.retryAfter).toBe(Math.ceil((windowEnd - now) / 1000));
      t.clock.advance(15 * MINUTE + 1000);
      const later = await t.signIn(a.slug, user.username);
      await later.credentials.changePassword({ currentPassword: CANARY_PASSWORD, newPassword: NEW_PASSWORD });
    });

    it("keeps a history when the tenant asks for one", async () => {
      const c = await t.createTenant();
      await c.admin.settings.update({ passwordHistory: 2 });
      const { user, client } = await createUser(t, c);
      await client.credentials.changePassword({
        currentPassword: CANARY_PASSWORD,
        newPassword: NEW_PASSWORD,
      });
      const back = await problemOf(() =>
        client.credentials.changePassword({ currentPassword: NEW_PASSWORD, newPassword: CANARY_PASSWORD }),
      );
      expect([back.errors[0]?.path, back.problem.passwordProblem]).toEqual(["newPassword", "REUSED"]);
      expect(back.errors[0]?.message).toBe("password was used recently; choose one you have not used before");
      const hashes = await t.db.allTenants
        .selectFrom("password_history")
        .select("hash")
        .where("user_id", "=", user.id)
        .execute();
      expect(hashes).toHaveLength(1);
      expect(hashes[0]!.hash).toMatch(/^\$argon2id\$/);
      await client.credentials.changePassword({ currentPassword: NEW_PASSWORD, newPassword: OTHER_PASSWORD });
    });
  });

  describe("administrator actions", () => {
    it("a random password meets the tenant's minimum, up to 64 (30 or more hung the server)", async () => {
      const z = await t.createTenant();
      const { user } = await createUser(t, z);
      await z.admin.settings.update({ passwordMinLength: 64 });
      const { password } = (await z.admin.credentials.setUserPassword(user.id, { random: true })) as {
        password: string;
      };
      expect([...password].length).toBeGreaterThanOrEqual(64);
      const me = await (await t.signIn(z.slug, user.username, password)).auth.me();
      expect(me.user.id).toBe(user.id);
    });

    it("a random password is shown once, at least 20 characters, never stored or audited in clear", async () => {
      const { user, client } = await createUser(t, a);
      const res = await a.admin.transport.raw("POST", `/api/v1/users/${user.id}/password`, {
        body: { random: true },
      });
      expect(res.status).toBe(200);
      const { password } = (await res.json()) as { password: string };
      expect([...password].length).toBeGreaterThanOrEqual(20);
      expect(await status(client)).toBe(401);
      const row = await userRow(t, a, user.id);
      expect(row!.must_change_password).toBe(1);
      expect(row!.password_hash).toMatch(/^\$argon2id\$/);
      for (const table of ["users", "audit_events", "outbox", "credential_tokens"] as const) {
        const rows = await t.db.kysely.selectFrom(table).selectAll().where("tenant_id", "=", a.id).execute();
        expect(JSON.stringify(rows), table).not.toContain(password);
      }
      const audit = await t.db.kysely
        .selectFrom("audit_events")
        .select(["action", "actor_id", "changes"])
        .where("tenant_id", "=", a.id)
        .where("target_id", "=", user.id)
        .where("action", "=", "user.password_set")
        .execute();
      expect(audit).toHaveLength(1);
      expect(audit[0]!.actor_id).toBe(a.adminUserId);
      expect(JSON.parse(audit[0]!.changes!)).toMatchObject({
        method: { after: "random" },
        mustChangePassword: { before: false, after: true },
      });
      const me = await (await t.signIn(a.slug, user.username, password)).auth.me();
      expect(me.user.mustChangePassword).toBe(true);
      // Set again with the flag already on: the choice is recorded, without a before (nothing changed).
      await a.admin.transport.raw("POST", `/api/v1/users/${user.id}/password`, { body: { random: true } });
      const again = await t.db.kysely
        .selectFrom("audit_events")
        .select("changes")
        .where("tenant_id", "=", a.id)
        .where("target_id", "=", user.id)
        .where("action", "=", "user.password_set")
        .orderBy("seq", "desc")
        .executeTakeFirstOrThrow();
      expect(JSON.parse(again.changes!).mustChangePassword).toEqual({ after: true });
    });

    it("a typed password is refused with 422 when the tenant forbids it, and accepted otherwise", async () => {
      const c = await t.createTenant();
      const { user } = await createUser(t, c);
      await c.admin.credentials.setUserPassword(user.id, {
        password: NEW_PASSWORD,
        mustChangePassword: false,
      });
      await t.signIn(c.slug, user.username, NEW_PASSWORD);
      const weak = await problemOf(() => c.admin.credentials.setUserPassword(user.id, { password: "tiny" }));
      expect([weak.status, weak.errors[0]?.path]).toEqual([400, "password"]);
      await c.admin.settings.update({ adminTypedPasswordsAllowed: false });
      const refused = await problemOf(() =>
        c.admin.credentials.setUserPassword(user.id, { password: OTHER_PASSWORD }),
      );
      expect([refused.status, refused.code]).toEqual([422, "TYPED_PASSWORDS_FORBIDDEN"]);
      expect(refused.errors.map((e) => e.path)).toEqual(["password"]);
      await t.signIn(c.slug, user.username, NEW_PASSWORD);
      // A random password and a reset link stay available.
      expect((await c.admin.credentials.setUserPassword(user.id, { random: true }))?.password).toBeTruthy();
      // Creating a user with a chosen password is the same thing: refused; without one, invited.
      const body = {
        username: "chosen.for",
        email: "chosen.for@example.org",
        firstName: "Chosen",
        lastName: "For",
        roleId: user.roleId,
      };
      const created = await problemOf(() => c.admin.users.create({ ...body, password: OTHER_PASSWORD }));
      expect([created.status, created.code, created.errors[0]?.path]).toEqual([
        422,
        "TYPED_PASSWORDS_FORBIDDEN",
        "password",
      ]);
      expect((await c.admin.users.list({ q: "chosen.for", status: "all" })).items).toEqual([]);
      expect((await c.admin.users.create(body)).status).toBe("invited");
    });

    it("sends a reset link (202) that the user redeems", async () => {
      const { user } = await createUser(t, a);
      const res = await a.admin.transport.raw("POST", `/api/v1/users/${user.id}/password`, {
        body: { sendResetLink: true },
      });
      expect(res.status).toBe(202);
      const token = await lastResetToken(a.id, user.email);
      await t.anonymous.credentials.resetPassword({ token, newPassword: NEW_PASSWORD });
      await t.signIn(a.slug, user.username, NEW_PASSWORD);
    });

    it("refuses another tenant's user id with the 404 of a missing one, and oneself", async () => {
      const { user } = await createUser(t, a);
      const foreign = await problemOf(() => b.admin.credentials.setUserPassword(user.id, { random: true }));
      const missing = await problemOf(() =>
        b.admin.credentials.setUserPassword("usr_missing", { random: true }),
      );
      expect([foreign.status, foreign.code]).toEqual([404, "USER_NOT_FOUND"]);
      expect(foreign.problem.detail).toBe(missing.problem.detail);
      const invited = await inviteUser(t, a);
      expect((await problemOf(() => b.admin.credentials.resendInvitation(invited.id))).status).toBe(404);
      const self = await problemOf(() =>
        a.admin.credentials.setUserPassword(a.adminUserId, { random: true }),
      );
      expect(self.code).toBe("SELF_ACTION_FORBIDDEN");
    });

    it("needs to cover the target (no password reset of someone holding more)", async () => {
      const helpdesk = await createUser(t, a, {
        roleId: await createRole(a, ["users.view", "users.credentials"]),
      });
      const { user: boss } = await createUser(t, a);
      const p = await problemOf(() => helpdesk.client.credentials.setUserPassword(boss.id, { random: true }));
      expect([p.status, p.code]).toEqual([403, "PRIVILEGE_ESCALATION"]);
    });
  });

  describe("invitations", () => {
    it("a user created without a password gets an invitation (72 h); accepting activates it once", async () => {
      const invited = await inviteUser(t, a);
      expect(invited.status).toBe("invited");
      const [mail] = await mails(a.id, invited.email, "user.invitation");
      expect(mail!.body).toContain(`${DEFAULT_PUBLIC_URL}/accept-invitation#token=sgi_`);
      // The end as a moment, for a reader whose mail came late (the time review).
      expect(mail!.body).toMatch(untilWords("72 hours", Date.parse(mail!.created_at) + 72 * 60 * MINUTE));
      const token = tokenOf(mail!.body);
      const weak = await problemOf(() =>
        t.anonymous.credentials.acceptInvitation({ token, password: "password" }),
      );
      expect([weak.status, weak.errors[0]?.path]).toEqual([400, "password"]);
      t.clock.advance(72 * 60 * MINUTE - 1000);
      await t.anonymous.credentials.acceptInvitation({ token, password: NEW_PASSWORD });
      expect((await (await refreshed(a)).admin.users.get(invited.id)).status).toBe("active");
      const again = await problemOf(() =>
        t.anonymous.credentials.acceptInvitation({ token, password: OTHER_PASSWORD }),
      );
      expect([again.status, again.code]).toEqual([400, "INVALID_TOKEN"]);
      await t.signIn(a.slug, invited.username, NEW_PASSWORD);
    });

    it("counts no sign-in failure against an account without a password, so the invitation's password works at once", async () => {
      const invited = await inviteUser(t, a);
      const token = tokenOf((await mails(a.id, invited.email, "user.invitation"))[0]!.body);
      for (let i = 0; i < 6; i++) {
        const res = await t.anonymous.transport.raw("POST", "/api/v1/auth/login", {
          body: { tenant: a.slug, login: invited.username, password: `guess-guess-guess-${i}` },
        });
        expect(res.status).toBe(401);
      }
      const row = await userRow(t, a, invited.id);
      expect([row!.locked, row!.failed_attempts]).toEqual([0, 0]);
      await t.anonymous.credentials.acceptInvitation({ token, password: NEW_PASSWORD });
      await t.signIn(a.slug, invited.username, NEW_PASSWORD);
    });

    it("accepting clears a lock the account carries, as a reset does", async () => {
      const invited = await inviteUser(t, a);
      const token = tokenOf((await mails(a.id, invited.email, "user.invitation"))[0]!.body);
      // A lock counted before 2026-12-04, when an account without a password still counted failures.
      await lockUntilUnlocked(invited.id);
      await t.anonymous.credentials.acceptInvitation({ token, password: NEW_PASSWORD });
      await t.signIn(a.slug, invited.username, NEW_PASSWORD);
    });

    it("expires after 72 hours; a resend voids the older link", async () => {
      const invited = await inviteUser(t, a);
      const first = tokenOf((await mails(a.id, invited.email, "user.invitation"))[0]!.body);
      t.clock.advance(72 * 60 * MINUTE);
      const expired = await problemOf(() =>
        t.anonymous.credentials.acceptInvitation({ token: first, password: NEW_PASSWORD }),
      );
      expect(expired.code).toBe("INVALID_TOKEN");
      a = await refreshed(a);
      await a.admin.credentials.resendInvitation(invited.id);
      t.clock.advance(1000);
      await a.admin.credentials.resendInvitation(invited.id);
      const links = (await mails(a.id, invited.email, "user.invitation")).map((m) => tokenOf(m.body));
      expect(links).toHaveLength(3);
      const voided = await problemOf(() =>
        t.anonymous.credentials.acceptInvitation({ token: links[1]!, password: NEW_PASSWORD }),
      );
      expect(voided.code).toBe("INVALID_TOKEN");
      await t.anonymous.credentials.acceptInvitation({ token: links[2]!, password: NEW_PASSWORD });
      // Only an invited user is invited again.
      const active = await problemOf(() => a.admin.credentials.resendInvitation(invited.id));
      expect([active.status, active.code]).toEqual([409, "USER_STATE_INVALID"]);
    });

    it("an invited person who asks for a reset is invited again, with the link they missed voided, at most 3 an hour", async () => {
      const invited = await inviteUser(t, a);
      const first = tokenOf((await mails(a.id, invited.email, "user.invitation"))[0]!.body);
      // Their invitation lapsed unread: "Forgot Password" is where they turn.
      t.clock.advance(72 * 60 * MINUTE);
      for (let i = 0; i < 4; i++) {
        expect((await forgot(a.slug, invited.email)).status).toBe(202);
        t.clock.advance(1000);
      }
      const links = (await mails(a.id, invited.email, "user.invitation")).map((m) => tokenOf(m.body));
      // The one sent on creation is more than an hour old: three more this hour, the fourth held.
      expect(links).toHaveLength(4);
      expect(await mails(a.id, invited.email, "auth.password.reset_link")).toHaveLength(0);
      for (const old of [first, links[1]!, links[2]!]) {
        const dead = await problemOf(() =>
          t.anonymous.credentials.acceptInvitation({ token: old, password: NEW_PASSWORD }),
        );
        expect(dead.code).toBe("INVALID_TOKEN");
      }
      await t.anonymous.credentials.acceptInvitation({ token: links[3]!, password: NEW_PASSWORD });
      await t.signIn(a.slug, invited.username, NEW_PASSWORD);
      const { items: requests } = await (await refreshed(a)).admin.audit.list({
        action: "auth.password.reset_requested",
        targetId: invited.id,
      });
      expect(requests.map((e) => [e.outcome, e.changes])).toEqual([
        ["failure", { reason: { after: "throttled" } }],
        ["success", { link: { after: "invitation" } }],
        ["success", { link: { after: "invitation" } }],
        ["success", { link: { after: "invitation" } }],
      ]);
      // Once they have a password, the same request sends a reset link.
      await forgot(a.slug, invited.email);
      expect(await mails(a.id, invited.email, "auth.password.reset_link")).toHaveLength(1);
    });

    it("an archive voids the invitation, and a restore sends a new one; the old link stays dead", async () => {
      const invited = await inviteUser(t, a);
      const old = tokenOf((await mails(a.id, invited.email, "user.invitation"))[0]!.body);
      await a.admin.userActions.archive(invited.id);
      const whileArchived = await problemOf(() =>
        t.anonymous.credentials.acceptInvitation({ token: old, password: NEW_PASSWORD }),
      );
      expect(whileArchived.code).toBe("INVALID_TOKEN");
      t.clock.advance(1000);
      expect((await a.admin.userActions.restore(invited.id)).status).toBe("invited");
      const revived = await problemOf(() =>
        t.anonymous.credentials.acceptInvitation({ token: old, password: NEW_PASSWORD }),
      );
      expect(revived.code).toBe("INVALID_TOKEN");
      const links = (await mails(a.id, invited.email, "user.invitation")).map((m) => tokenOf(m.body));
      expect(links).toHaveLength(2);
      await t.anonymous.credentials.acceptInvitation({ token: links[1]!, password: NEW_PASSWORD });
    });

    it("a virtual user and a user created with a password get no invitation", async () => {
      const { user } = await createUser(t, a);
      const virtual = await a.admin.users.create({
        username: "virtual-reader",
        email: "virtual-reader@integration.example",
        firstName: "Virtual",
        lastName: "Reader",
        roleId: await roleIdByName(t, a, "Viewer"),
        virtual: true,
      } as never);
      expect(await mails(a.id, user.email, "user.invitation")).toHaveLength(0);
      expect(await mails(a.id, virtual.email, "user.invitation")).toHaveLength(0);
    });
  });

  it("the canary password and every issued token never appear in an audit row", async () => {
    expect(issued.length).toBeGreaterThan(10);
    const rows = await t.db.allTenants.selectFrom("audit_events").selectAll().execute();
    const text = JSON.stringify(rows);
    expect(text).not.toContain(CANARY_PASSWORD);
    expect(text).not.toContain(NEW_PASSWORD);
    for (const token of issued) expect(text).not.toContain(token);
  });
});
