/**
 * Lockout and throttling (issue 4 item 2; SECURITY.md, D-32): lock after N consecutive
 * failures, release after M minutes (fake clock), 0 = until an administrator unlocks, a success
 * resets the counter, a locked account answers exactly like a wrong password, and the per-account
 * and per-address throttles answer 429 with Retry-After without telling whether the account exists.
 */
import { hash } from "@node-rs/argon2";
import { LOGIN_THROTTLE } from "@staffgate/core";
import type { Staffgate } from "@staffgate/sdk";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CANARY_PASSWORD, problemOf, startTestApp, type TestApp, type TestTenant } from "./harness.ts";
import { createUser, inviteUser, roleIdByName, userRow } from "./lifecycle-fixtures.ts";

const MINUTE = 60_000;
const WRONG = "definitely-not-the-password-42";

describe(`lockout and throttling (${process.env.STAFFGATE_TEST_DB ?? "sqlite"})`, () => {
  let t: TestApp;
  let a: TestTenant;
  let viewer: string;

  /** The administrator, signed in now (the fake clock moves past idle limits between tests). */
  const admin = (): Promise<Staffgate> => t.signIn(a.slug, "admin");

  const attempt = (login: string, password: string, tenant = a.slug) =>
    t.anonymous.transport.raw("POST", "/api/v1/auth/login", { body: { tenant, login, password } });

  /**
   * `count` wrong-password attempts, `size` at a time (each hashes: a thousand in a row took past
   * the test's timeout on a loaded machine); each must be a 401.
   */
  async function failMany(count: number, login: (i: number) => string, size = 8): Promise<void> {
    for (let start = 0; start < count; start += size) {
      const batch = Array.from({ length: Math.min(size, count - start) }, (_, j) =>
        attempt(login(start + j), WRONG),
      );
      expect(new Set((await Promise.all(batch)).map((r) => r.status))).toEqual(new Set([401]));
    }
  }

  async function newUser(): Promise<{ id: string; username: string }> {
    const { user } = await createUser(t, { ...a, admin: await admin() }, { roleId: viewer });
    return { id: user.id, username: user.username };
  }

  async function events(userId: string, action: string) {
    return t.db.kysely
      .selectFrom("audit_events")
      .select(["action", "outcome", "changes"])
      .where("tenant_id", "=", a.id)
      .where("target_id", "=", userId)
      .where("action", "=", action)
      .orderBy("seq")
      .execute();
  }

  /** The lock notices emailed to the user. */
  async function lockMails(userId: string) {
    const email = (await userRow(t, a, userId))!.email;
    return t.db.kysely
      .selectFrom("outbox")
      .select(["body", "subject"])
      .where("tenant_id", "=", a.id)
      .where("to_address", "=", email)
      .where("kind", "=", "auth.locked")
      .execute();
  }

  beforeAll(async () => {
    t = await startTestApp();
    a = await t.createTenant();
    viewer = await roleIdByName(t, a, "Viewer");
  });
  afterAll(() => t?.close());
  // Each test starts in a fresh throttle window, so the per-address budget of one test never
  // spills into the next (all injected requests come from one address).
  beforeEach(() => t.clock.advance(LOGIN_THROTTLE.windowMs));

  it("locks after 5 consecutive failures (default) for 15 minutes, and audits the lock once", async () => {
    const u = await newUser();
    for (let i = 0; i < 5; i++) expect((await attempt(u.username, WRONG)).status).toBe(401);
    const row = (await userRow(t, a, u.id))!;
    expect(row.failed_attempts).toBe(5);
    expect(row.locked).toBe(1);
    expect(row.locked_until).toBe(new Date(t.clock.now().getTime() + 15 * MINUTE).toISOString());
    // Even the right password is refused now, and further attempts neither count nor extend the lock.
    t.clock.advance(MINUTE);
    for (let i = 0; i < 3; i++) expect((await attempt(u.username, CANARY_PASSWORD)).status).toBe(401);
    expect((await attempt(u.username, WRONG)).status).toBe(401);
    const after = (await userRow(t, a, u.id))!;
    expect(after.failed_attempts).toBe(5);
    expect(after.locked_until).toBe(row.locked_until);
    expect(await events(u.id, "auth.locked")).toHaveLength(1);
    // The user is told once (SECURITY.md A-16), with the way back and without any password typed.
    const notices = await lockMails(u.id);
    expect(notices).toHaveLength(1);
    // In the practice's time zone (UTC for this one), to the minute.
    expect(notices[0]!.body).toMatch(
      new RegExp(`until \\w{3}, \\d{1,2} \\w{3} \\d{4}, ${row.locked_until!.slice(11, 16)} UTC`),
    );
    expect(notices[0]!.body).toContain("after 5 failed sign-in attempts");
    expect(notices[0]!.body).toContain("If this was you, wait or reset your password");
    expect(notices[0]!.body).toContain("http://localhost:3000/forgot-password");
    expect(notices[0]!.body).not.toContain(WRONG);
    expect(notices[0]!.body).not.toContain(CANARY_PASSWORD);
    const failed = await events(u.id, "auth.login.failed");
    expect(failed).toHaveLength(9);
    expect(failed.every((e) => e.outcome === "failure")).toBe(true);
    expect(failed.slice(0, 5).map((e) => JSON.parse(e.changes!).failedAttempts.after)).toEqual([
      1, 2, 3, 4, 5,
    ]);
    expect(failed.slice(5).map((e) => JSON.parse(e.changes!).reason.after)).toEqual([
      "locked",
      "locked",
      "locked",
      "locked",
    ]);
  });

  it("releases the lock after the lockout minutes (fake clock), and a success resets the counter", async () => {
    const u = await newUser();
    for (let i = 0; i < 5; i++) await attempt(u.username, WRONG);
    t.clock.advance(15 * MINUTE - 1000);
    expect((await attempt(u.username, CANARY_PASSWORD)).status).toBe(401);
    t.clock.advance(2000);
    expect((await attempt(u.username, CANARY_PASSWORD)).status).toBe(200);
    const row = (await userRow(t, a, u.id))!;
    expect({ locked: row.locked, lockedUntil: row.locked_until, failed: row.failed_attempts }).toEqual({
      locked: 0,
      lockedUntil: null,
      failed: 0,
    });
  });

  it("the API shows a lock whose time has run out as over, before any sign-in clears it (user, list filter)", async () => {
    const u = await newUser();
    for (let i = 0; i < 5; i++) await attempt(u.username, WRONG);
    const listed = async (client: Staffgate, locked: boolean) =>
      (await client.users.list({ locked, status: "all", limit: 200 })).items.map((x) => x.id);
    const adm = await admin();
    const during = await adm.users.get(u.id);
    expect({ locked: during.locked, lockedUntil: during.lockedUntil }).toEqual({
      locked: true,
      lockedUntil: new Date(t.clock.now().getTime() + 15 * MINUTE).toISOString(),
    });
    expect(await listed(adm, true)).toContain(u.id);
    expect(await listed(adm, false)).not.toContain(u.id);

    t.clock.advance(15 * MINUTE + 1000);
    // The row still says locked (nothing has cleared it), the answer does not.
    expect((await userRow(t, a, u.id))!.locked).toBe(1);
    const later = await admin();
    const after = await later.users.get(u.id);
    expect({ locked: after.locked, lockedUntil: after.lockedUntil }).toEqual({
      locked: false,
      lockedUntil: null,
    });
    expect(await listed(later, true)).not.toContain(u.id);
    expect(await listed(later, false)).toContain(u.id);
  });

  it("a run-out lock restarts the count: one failure after release does not lock again", async () => {
    const u = await newUser();
    for (let i = 0; i < 5; i++) await attempt(u.username, WRONG);
    t.clock.advance(16 * MINUTE);
    expect((await attempt(u.username, WRONG)).status).toBe(401);
    const row = (await userRow(t, a, u.id))!;
    expect({ locked: row.locked, failed: row.failed_attempts }).toEqual({ locked: 0, failed: 1 });
  });

  it("counts consecutive failures only: a success in between resets the counter", async () => {
    const u = await newUser();
    for (let i = 0; i < 4; i++) await attempt(u.username, WRONG);
    expect((await userRow(t, a, u.id))!.failed_attempts).toBe(4);
    expect((await attempt(u.username, CANARY_PASSWORD)).status).toBe(200);
    expect((await userRow(t, a, u.id))!.failed_attempts).toBe(0);
    for (let i = 0; i < 4; i++) await attempt(u.username, WRONG);
    expect((await attempt(u.username, CANARY_PASSWORD)).status).toBe(200);
  });

  it("emails a lock at most once a day, and never to an account that cannot reset its password", async () => {
    const u = await newUser();
    for (let i = 0; i < 5; i++) await attempt(u.username, WRONG);
    expect(await lockMails(u.id)).toHaveLength(1);
    // Locked again after the first lock ran out: the same day, so no second email.
    t.clock.advance(16 * MINUTE);
    for (let i = 0; i < 5; i++) await attempt(u.username, WRONG);
    expect((await userRow(t, a, u.id))!.locked).toBe(1);
    expect(await lockMails(u.id)).toHaveLength(1);
    t.clock.advance(24 * 60 * MINUTE);
    for (let i = 0; i < 5; i++) await attempt(u.username, WRONG);
    expect(await lockMails(u.id)).toHaveLength(2);
    // An invited user (no password yet) counts no failures, so is neither locked nor told anything.
    const invited = await inviteUser(t, { ...a, admin: await admin() });
    for (let i = 0; i < 5; i++) await attempt(invited.username, WRONG);
    expect((await userRow(t, a, invited.id))!.locked).toBe(0);
    expect(await lockMails(invited.id)).toEqual([]);
    const reasons = (await events(invited.id, "auth.login.failed")).map(
      (e) => (JSON.parse(e.changes ?? "{}") as { reason?: { after?: string } }).reason?.after,
    );
    expect(reasons).toEqual(Array(5).fill("no_password"));
  });

  it("follows the tenant's threshold, and lockoutMinutes 0 locks until an administrator unlocks", async () => {
    await (await admin()).settings.update({ lockoutThreshold: 3, lockoutMinutes: 0 });
    try {
      const u = await newUser();
      for (let i = 0; i < 3; i++) await attempt(u.username, WRONG);
      const row = (await userRow(t, a, u.id))!;
      expect({ locked: row.locked, until: row.locked_until, failed: row.failed_attempts }).toEqual({
        locked: 1,
        until: null,
        failed: 3,
      });
      const [notice] = (await lockMails(u.id)).map((m) => m.body);
      expect(notice).toContain("It stays locked until an administrator unlocks it.");
      // Waiting would not help: the way back is an administrator or a reset.
      expect(notice).toContain("If this was you, ask an administrator to unlock it, or reset your password");
      expect(notice).not.toMatch(/\bwait\b/);
      t.clock.advance(7 * 24 * 60 * MINUTE);
      expect((await attempt(u.username, CANARY_PASSWORD)).status).toBe(401);
      const unlocked = await (await admin()).userActions.unlock(u.id);
      expect(unlocked).toMatchObject({ locked: false, lockedUntil: null });
      expect((await attempt(u.username, CANARY_PASSWORD)).status).toBe(200);
    } finally {
      await (await admin()).settings.update({ lockoutThreshold: 5, lockoutMinutes: 15 });
    }
  });

  it("ends a lock when a new password is set: by an administrator, typed or random, or by the person (DOMAIN.md W8)", async () => {
    await (await admin()).settings.update({ lockoutThreshold: 3, lockoutMinutes: 0 });
    try {
      const lockedUser = async () => {
        const u = await newUser();
        const own = await t.signIn(a.slug, u.username);
        for (let i = 0; i < 3; i++) await attempt(u.username, WRONG);
        expect((await userRow(t, a, u.id))!.locked).toBe(1);
        return { ...u, own };
      };
      const typed = await lockedUser();
      await (await admin()).credentials.setUserPassword(typed.id, {
        password: "a typed passphrase for the locked one",
        mustChangePassword: false,
      });
      expect((await attempt(typed.username, "a typed passphrase for the locked one")).status).toBe(200);
      const [set] = await events(typed.id, "user.password_set");
      expect(JSON.parse(String(set?.changes))).toMatchObject({ locked: { before: true, after: false } });

      const random = await lockedUser();
      const shown = await (await admin()).credentials.setUserPassword(random.id, { random: true } as never);
      expect((await attempt(random.username, (shown as { password: string }).password)).status).toBe(200);

      // Locked while still signed in elsewhere: changing the password proves it and ends the lock.
      const own = await lockedUser();
      await own.own.credentials.changePassword({
        currentPassword: CANARY_PASSWORD,
        newPassword: "my own new passphrase after a lock",
      });
      expect((await attempt(own.username, "my own new passphrase after a lock")).status).toBe(200);
    } finally {
      await (await admin()).settings.update({ lockoutThreshold: 5, lockoutMinutes: 15 });
    }
  });

  it("answers a locked, inactive, invited or unknown account exactly like a wrong password", async () => {
    const locked = await newUser();
    for (let i = 0; i < 5; i++) await attempt(locked.username, WRONG);
    const inactive = await newUser();
    await (await admin()).userActions.deactivate(inactive.id);
    const invited = await (await admin()).users.create({
      username: "invitee-lockout",
      email: "invitee-lockout@example.org",
      firstName: "Ivy",
      lastName: "Invitee",
      roleId: viewer,
    } as never);
    const wrong = await newUser();
    const cases = [
      { tenant: "no-such-tenant", login: "admin", password: CANARY_PASSWORD },
      { tenant: a.slug, login: "nobody-here", password: CANARY_PASSWORD },
      { tenant: a.slug, login: wrong.username, password: WRONG },
      { tenant: a.slug, login: locked.username, password: CANARY_PASSWORD },
      { tenant: a.slug, login: inactive.username, password: CANARY_PASSWORD },
      { tenant: a.slug, login: invited.username, password: CANARY_PASSWORD },
    ];
    const answers = [];
    for (const c of cases) {
      const res = await attempt(c.login, c.password, c.tenant);
      const headers = [...res.headers.keys()].filter((h) => h !== "x-request-id" && h !== "date").sort();
      answers.push({ status: res.status, body: await res.text(), headers });
    }
    expect(new Set(answers.map((x) => JSON.stringify(x))).size).toBe(1);
    expect(answers[0]!.status).toBe(401);
    expect(JSON.parse(answers[0]!.body)).toMatchObject({ code: "INVALID_CREDENTIALS" });
  });

  it("re-hashes a password made with other argon2 parameters on a good sign-in", async () => {
    const u = await newUser();
    const legacy = await hash(CANARY_PASSWORD, { memoryCost: 2048, timeCost: 1, parallelism: 1 });
    await t.db.kysely
      .updateTable("users")
      .set({ password_hash: legacy })
      .where("tenant_id", "=", a.id)
      .where("id", "=", u.id)
      .execute();
    expect((await attempt(u.username, CANARY_PASSWORD)).status).toBe(200);
    const row = (await userRow(t, a, u.id))!;
    expect(row.password_hash).not.toBe(legacy);
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
    expect((await attempt(u.username, CANARY_PASSWORD)).status).toBe(200);
  });

  it("answers 200 parallel wrong passwords and the correct one after them as the same 401, at the default limits (SECURITY.md D-12, D-34)", async () => {
    const u = await newUser();
    const results = await Promise.all(Array.from({ length: 200 }, () => attempt(u.username, WRONG)));
    expect(new Set(results.map((r) => r.status))).toEqual(new Set([401]));
    expect((await userRow(t, a, u.id))!.failed_attempts).toBe(5);
    // The lock, not the throttle, answers the right password: the generic refusal, and again after.
    for (let i = 0; i < 3; i++) {
      const res = await attempt(u.username, CANARY_PASSWORD);
      expect([res.status, ((await res.json()) as { code: string }).code]).toEqual([
        401,
        "INVALID_CREDENTIALS",
      ]);
    }
  });

  it("throttles per account: the attempt past the limit in 15 minutes is 429 with Retry-After, known account or not", async () => {
    const u = await newUser();
    await (await admin()).settings.update({ lockoutThreshold: 100 });
    try {
      for (const login of [u.username, "ghost-account"]) {
        await failMany(LOGIN_THROTTLE.perAccount, () => login);
        const res = await attempt(login, CANARY_PASSWORD);
        expect(res.status).toBe(429);
        const retry = Number(res.headers.get("retry-after"));
        expect(retry).toBeGreaterThan(0);
        expect(retry).toBeLessThanOrEqual(LOGIN_THROTTLE.windowMs / 1000);
        const body = await res.json();
        expect(body).toMatchObject({ code: "THROTTLED", status: 429 });
      }
      // The known and the unknown account are throttled alike; another account is not affected.
      expect((await attempt("admin", CANARY_PASSWORD)).status).toBe(200);
      // A new window lets the account in again.
      t.clock.advance(LOGIN_THROTTLE.windowMs);
      expect((await attempt(u.username, CANARY_PASSWORD)).status).toBe(200);
    } finally {
      await (await admin()).settings.update({ lockoutThreshold: 5 });
    }
  }, 120_000);

  it("throttles per client address across accounts; successful sign-ins do not use up the budget", async () => {
    for (let i = 0; i < 10; i++) expect((await attempt("admin", CANARY_PASSWORD)).status).toBe(200);
    await failMany(LOGIN_THROTTLE.perAddress - 1, (i) => `nobody-${i}`);
    // The budget has one attempt left: the last is answered, the next is throttled.
    expect((await attempt("admin", CANARY_PASSWORD)).status).toBe(200);
    expect((await attempt("nobody-x", WRONG)).status).toBe(401);
    const res = await attempt("admin", CANARY_PASSWORD);
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    t.clock.advance(LOGIN_THROTTLE.windowMs);
    expect((await attempt("admin", CANARY_PASSWORD)).status).toBe(200);
  }, 120_000);

  it("stores no login or address in the throttle table, only hashes", async () => {
    await attempt("someone@example.org", WRONG);
    const rows = await t.db.kysely.selectFrom("login_throttle").selectAll().execute();
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.key))).toBe(true);
    expect(JSON.stringify(rows)).not.toMatch(/someone|127\.0\.0\.1/);
  });

  it("asks for the second factor after a right password (401 INVALID_CREDENTIALS with secondFactor: required, not counted); a wrong password says nothing more", async () => {
    const u = await newUser();
    // An enrolled user (the MFA seam asks for a code; none is given).
    await t.db.kysely
      .updateTable("users")
      .set({ mfa_enrolled: 1 })
      .where("tenant_id", "=", a.id)
      .where("id", "=", u.id)
      .execute();
    const p = await problemOf(() =>
      t.anonymous.auth.login({ tenant: a.slug, login: u.username, password: CANARY_PASSWORD }),
    );
    expect([p.status, p.code, p.problem.secondFactor]).toEqual([401, "INVALID_CREDENTIALS", "required"]);
    expect((await userRow(t, a, u.id))!.failed_attempts).toBe(0);
    const wrong = await problemOf(() =>
      t.anonymous.auth.login({ tenant: a.slug, login: u.username, password: `${CANARY_PASSWORD}x` }),
    );
    expect(wrong.code).toBe("INVALID_CREDENTIALS");
    expect(wrong.problem.secondFactor).toBeUndefined();
    expect((await userRow(t, a, u.id))!.failed_attempts).toBe(1);
  });
});
