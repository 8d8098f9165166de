/**
 * TOTP MFA (issue 4 item 8; SECURITY.md item 21): enrolment, sign-in with a code, replay refused,
 * single-use recovery codes (also under parallel use), remember-device, the tenant requirement,
 * disabling, and the administrator's reset. TOTP codes are made here for the fake clock's time.
 */
import type { Staffgate } from "@staffgate/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { totpCodeAt, totpStepAt } from "../../core/src/auth/mfa.rules.ts";
import { checkSecondFactor, issueRememberToken } from "../../core/src/auth/mfa-login.ts";
import { readSettings } from "../../core/src/tenants/settings.rules.ts";
import {
  CANARY_PASSWORD,
  captureLog,
  problemOf,
  startTestApp,
  type TestApp,
  type TestTenant,
} from "./harness.ts";
import { createRole, createUser, resetLinkToken, roleIdByName, userRow } from "./lifecycle-fixtures.ts";

const STEP_MS = 30_000;
const DAY_MS = 86_400_000;

describe(`MFA (${process.env.STAFFGATE_TEST_DB ?? "sqlite"})`, () => {
  const { lines, logger } = captureLog("trace");
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;
  /** Every secret and recovery code handed out, for the leak check at the end. */
  const handedOut: string[] = [];

  beforeAll(async () => {
    t = await startTestApp({ logger });
    a = await t.createTenant();
    b = await t.createTenant();
  });
  afterAll(() => t?.close());

  const codeNow = (secret: string, offsetSteps = 0) =>
    totpCodeAt(secret, totpStepAt(t.clock.now().getTime()) + offsetSteps);

  /** Enrols the signed-in person of `client` in TOTP, in that session. */
  async function enrol(client: Staffgate) {
    const { secret } = await client.mfa.startTotp();
    const { recoveryCodes } = await client.mfa.confirmTotp(codeNow(secret));
    handedOut.push(secret, ...recoveryCodes);
    // The confirming code's step is used up: move on so the next code is a fresh one.
    t.clock.advance(STEP_MS);
    return { secret, recoveryCodes };
  }

  /** A new user of `tenant` (Administrator unless `roleId`), enrolled in TOTP. */
  async function enrolled(tenant: TestTenant, roleId?: string) {
    const made = await createUser(t, tenant, roleId ? { roleId } : {});
    return { ...made, ...(await enrol(made.client)) };
  }

  const login = (tenant: TestTenant, username: string, totp?: string) =>
    t.anonymous.auth.login({
      tenant: tenant.slug,
      login: username,
      password: CANARY_PASSWORD,
      ...(totp !== undefined ? { totp } : {}),
    });

  async function settingsOf(tenant: TestTenant) {
    const row = await t.db.kysely
      .selectFrom("tenants")
      .select("settings")
      .where("id", "=", tenant.id)
      .executeTakeFirstOrThrow();
    return readSettings(row.settings);
  }

  it("a sign-in stopped at its second factor leaves the session the client presented working", async () => {
    const user = await enrolled(a);
    const { token } = await login(b, b.adminUsername);
    const me = () =>
      t.app.inject({ method: "GET", url: "/api/v1/auth/me", headers: { authorization: `Bearer ${token}` } });
    const signIn = (totp?: string) =>
      t.app.inject({
        method: "POST",
        url: "/api/v1/auth/login",
        headers: { authorization: `Bearer ${token}` },
        payload: {
          tenant: a.slug,
          login: user.user.username,
          password: CANARY_PASSWORD,
          ...(totp ? { totp } : {}),
        },
      });
    // No code, then a wrong one: refused, and the presented session goes on.
    const right = codeNow(user.secret);
    const wrong = `${(Number(right[0]) + 1) % 10}${right.slice(1)}`;
    expect((await signIn()).statusCode).toBe(401);
    expect((await signIn(wrong)).statusCode).toBe(401);
    expect((await me()).statusCode).toBe(200);
    // The right one: signed in, and the presented session is over.
    expect((await signIn(right)).statusCode).toBe(200);
    expect((await me()).statusCode).toBe(401);
  });

  it("remembers a device through the sign-in: a cookie after a good code, then no code needed", async () => {
    const user = await enrolled(a);
    const first = await t.anonymous.transport.raw("POST", "/api/v1/auth/login", {
      body: {
        tenant: a.slug,
        login: user.user.username,
        password: CANARY_PASSWORD,
        totp: codeNow(user.secret),
        rememberDevice: true,
      },
    });
    expect(first.status).toBe(200);
    const cookies = first.headers.get("set-cookie") ?? "";
    const remember = /__Host-staffgate_remember=([^;]+);[^,]*HttpOnly/.exec(cookies)?.[1];
    expect(remember).toMatch(/^sgd_/);
    expect(await first.text()).not.toContain(remember!);
    const again = await t.anonymous.transport.raw("POST", "/api/v1/auth/login", {
      body: { tenant: a.slug, login: user.user.username, password: CANARY_PASSWORD },
      headers: { cookie: `__Host-staffgate_remember=${remember}` },
    });
    expect(again.status).toBe(200);
    // Not for another user, and not once the tenant's remember-device days have passed.
    const other = await enrolled(a);
    const elsewhere = await t.anonymous.transport.raw("POST", "/api/v1/auth/login", {
      body: { tenant: a.slug, login: other.user.username, password: CANARY_PASSWORD },
      headers: { cookie: `__Host-staffgate_remember=${remember}` },
    });
    expect(elsewhere.status).toBe(401);
    const before = t.clock.now();
    t.clock.advance(31 * 24 * 3_600_000);
    try {
      const late = await t.anonymous.transport.raw("POST", "/api/v1/auth/login", {
        body: { tenant: a.slug, login: user.user.username, password: CANARY_PASSWORD },
        headers: { cookie: `__Host-staffgate_remember=${remember}` },
      });
      expect(late.status).toBe(401);
    } finally {
      // Other tests' sessions would otherwise have idled out.
      t.clock.set(before);
    }
  });

  it("asks a session that signed in over 10 minutes ago for the password before starting enrolment (ASVS 7.5.1)", async () => {
    const { user, client } = await createUser(t, a);
    const before = t.clock.now();
    try {
      // Nine minutes on, the sign-in still stands for the password.
      t.clock.advance(9 * 60_000);
      handedOut.push((await client.mfa.startTotp()).secret);
      // Past ten, the password again: a stolen session cannot put its own authenticator on the account.
      t.clock.advance(2 * 60_000);
      const missing = await problemOf(() => client.mfa.startTotp());
      expect(missing.status).toBe(401);
      expect(missing.code).toBe("REAUTHENTICATION_REQUIRED");
      expect(missing.errors.map((e) => e.path)).toEqual(["password"]);
      const wrong = await problemOf(() => client.mfa.startTotp("not the password at all"));
      expect(wrong.code).toBe("REAUTHENTICATION_FAILED");
      expect(wrong.errors.map((e) => e.path)).toEqual(["password"]);
      const failed = await t.db.kysely
        .selectFrom("audit_events")
        .select(["action", "outcome"])
        .where("tenant_id", "=", a.id)
        .where("target_id", "=", user.id)
        .where("outcome", "=", "failure")
        .execute();
      expect(failed).toContainEqual({ action: "auth.mfa.enrolled", outcome: "failure" });
      const started = await client.mfa.startTotp(CANARY_PASSWORD);
      handedOut.push(started.secret);
      const { recoveryCodes } = await client.mfa.confirmTotp(codeNow(started.secret));
      handedOut.push(...recoveryCodes);
      expect((await client.auth.me()).user.mfaEnrolled).toBe(true);
    } finally {
      t.clock.set(before);
    }
  });

  it("starts enrolment with no body or {}, checks a password sent even just after signing in, refuses other fields", async () => {
    const { client } = await createUser(t, a);
    const start = (body?: unknown) =>
      client.transport.raw("POST", "/api/v1/auth/mfa/totp", body === undefined ? {} : { body });
    expect((await start()).status).toBe(200);
    expect((await start({})).status).toBe(200);
    const wrong = await start({ password: "not the password at all" });
    expect(wrong.status).toBe(403);
    expect(((await wrong.json()) as { code: string }).code).toBe("REAUTHENTICATION_FAILED");
    const typo = await start({ pasword: CANARY_PASSWORD });
    expect(typo.status).toBe(400);
    expect(await typo.text()).not.toContain(CANARY_PASSWORD);
    expect((await start({ password: CANARY_PASSWORD })).status).toBe(200);
  });

  it("answers an enrolled person 409 before asking for any password, however old the session", async () => {
    const { client } = await enrolled(a);
    const before = t.clock.now();
    try {
      t.clock.advance(11 * 60_000);
      expect((await problemOf(() => client.mfa.startTotp())).code).toBe("MFA_ALREADY_ENROLLED");
      expect((await problemOf(() => client.mfa.startTotp("not the password at all"))).code).toBe(
        "MFA_ALREADY_ENROLLED",
      );
    } finally {
      t.clock.set(before);
    }
  });

  it("enrols: start, a wrong code refused, confirmation gives 10 recovery codes, stored hashed", async () => {
    const { user, client } = await createUser(t, a);
    const start = await client.mfa.startTotp();
    expect(start.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(start.otpauthUrl).toContain(`otpauth://totp/Staffgate:${a.slug}%3A${user.username}?`);
    // A new start replaces the unconfirmed one: the first secret no longer confirms.
    const again = await client.mfa.startTotp();
    expect(again.secret).not.toBe(start.secret);
    handedOut.push(start.secret, again.secret);

    const wrong = await problemOf(() =>
      client.mfa.confirmTotp(codeNow(start.secret) === "000000" ? "111111" : "000000"),
    );
    expect(wrong.status).toBe(422);
    expect(wrong.code).toBe("MFA_CODE_INVALID");
    expect((await problemOf(() => client.mfa.confirmTotp("12ab56"))).status).toBe(400);

    const { recoveryCodes } = await client.mfa.confirmTotp(codeNow(again.secret));
    handedOut.push(...recoveryCodes);
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    expect((await client.auth.me()).user.mfaEnrolled).toBe(true);
    expect((await userRow(t, a, user.id))?.mfa_enrolled).toBe(1);
    expect((await problemOf(() => client.mfa.startTotp())).code).toBe("MFA_ALREADY_ENROLLED");
    expect((await problemOf(() => client.mfa.confirmTotp(codeNow(again.secret)))).code).toBe(
      "MFA_ALREADY_ENROLLED",
    );

    const codes = await t.db.kysely
      .selectFrom("mfa_recovery_codes")
      .select(["code_hash", "used_at"])
      .where("tenant_id", "=", a.id)
      .where("user_id", "=", user.id)
      .execute();
    expect(codes).toHaveLength(10);
    for (const c of codes) {
      expect(c.code_hash).toMatch(/^\$argon2id\$/);
      expect(c.used_at).toBeNull();
    }
    const stored = JSON.stringify(codes);
    for (const rc of recoveryCodes) expect(stored).not.toContain(rc);
    const totp = await t.db.kysely
      .selectFrom("mfa_totp")
      .selectAll()
      .where("tenant_id", "=", a.id)
      .where("user_id", "=", user.id)
      .executeTakeFirstOrThrow();
    expect(totp.confirmed_at).not.toBeNull();
    expect(Number(totp.last_used_step)).toBe(totpStepAt(t.clock.now().getTime()));

    const audit = await t.db.kysely
      .selectFrom("audit_events")
      .select(["action", "changes"])
      .where("tenant_id", "=", a.id)
      .where("target_id", "=", user.id)
      .where("action", "=", "auth.mfa.enrolled")
      .execute();
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]!.changes!)).toMatchObject({ mfaEnrolled: { before: false, after: true } });
    t.clock.advance(STEP_MS);
  });

  it("seals the TOTP secret at rest when STAFFGATE_SECRET_KEY is set", async () => {
    const before = process.env.STAFFGATE_SECRET_KEY;
    process.env.STAFFGATE_SECRET_KEY = "test-sealing-key-0123456789abcdef-0123";
    try {
      const { user, secret } = await enrolled(a);
      const row = await t.db.kysely
        .selectFrom("mfa_totp")
        .select("secret")
        .where("tenant_id", "=", a.id)
        .where("user_id", "=", user.id)
        .executeTakeFirstOrThrow();
      expect(row.secret).toMatch(/^v1:/);
      expect(row.secret).not.toContain(secret);
      expect((await login(a, user.username, codeNow(secret))).user.id).toBe(user.id);
    } finally {
      if (before === undefined) delete process.env.STAFFGATE_SECRET_KEY;
      else process.env.STAFFGATE_SECRET_KEY = before;
    }
  });

  it("signs in with the current TOTP code, and refuses a missing, wrong or replayed one", async () => {
    const { user, secret } = await enrolled(a);
    const missing = await problemOf(() => login(a, user.username));
    expect([missing.code, missing.problem.secondFactor]).toEqual(["INVALID_CREDENTIALS", "required"]);
    const code = codeNow(secret);
    const wrong = code === "000000" ? "111111" : "000000";
    expect((await problemOf(() => login(a, user.username, wrong))).code).toBe("INVALID_CREDENTIALS");
    const ok = await login(a, user.username, code);
    expect(ok.user.id).toBe(user.id);
    // The same code again, inside its 30 s window: refused (RFC 6238 §5.2, ASVS 6.5.1).
    expect((await problemOf(() => login(a, user.username, code))).code).toBe("INVALID_CREDENTIALS");
    // Once a code was used, the previous step's code is refused too.
    t.clock.advance(STEP_MS);
    const previous = codeNow(secret, -1);
    if (previous !== codeNow(secret) && previous !== codeNow(secret, 1)) {
      expect((await problemOf(() => login(a, user.username, previous))).code).toBe("INVALID_CREDENTIALS");
    }
    // A code of the previous step, one step late (clock drift), is accepted once.
    const late = codeNow(secret);
    t.clock.advance(STEP_MS);
    expect((await login(a, user.username, late)).user.id).toBe(user.id);
    t.clock.advance(3 * STEP_MS);
    // Too old: three steps ago.
    const stale = codeNow(secret, -3);
    if (![-1, 0, 1].some((d) => codeNow(secret, d) === stale)) {
      expect((await problemOf(() => login(a, user.username, stale))).code).toBe("INVALID_CREDENTIALS");
    }
    // Failures were counted, a success reset them: sign in cleanly to leave the account unlocked.
    t.clock.advance(STEP_MS);
    expect((await login(a, user.username, codeNow(secret))).user.id).toBe(user.id);
  });

  it("replays of one TOTP code in parallel: exactly one succeeds", async () => {
    const { user, secret } = await enrolled(a);
    const row = (await userRow(t, a, user.id))!;
    const settings = await settingsOf(a);
    const code = codeNow(secret);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => checkSecondFactor(t.app.core.deps, row, { totp: code }, settings)),
    );
    expect(results.filter((r) => r.status === "ok")).toHaveLength(1);
    expect(results.filter((r) => r.status === "invalid")).toHaveLength(19);
  });

  it("accepts each recovery code once, whatever its case and hyphens", async () => {
    const { user, recoveryCodes } = await enrolled(a);
    const third = recoveryCodes[2]!;
    expect((await login(a, user.username, third.toUpperCase().replace("-", " "))).user.id).toBe(user.id);
    expect((await problemOf(() => login(a, user.username, third))).code).toBe("INVALID_CREDENTIALS");
    expect((await login(a, user.username, recoveryCodes[3]!)).user.id).toBe(user.id);
    const used = await t.db.kysely
      .selectFrom("mfa_recovery_codes")
      .select("used_at")
      .where("tenant_id", "=", a.id)
      .where("user_id", "=", user.id)
      .where("used_at", "is not", null)
      .execute();
    expect(used).toHaveLength(2);
  });

  it("says how many recovery codes are left, and renews all 10 with the password (earlier ones void)", async () => {
    const { user, client, recoveryCodes } = await enrolled(a);
    expect(await client.mfa.status()).toEqual({ enrolled: true, recoveryCodesLeft: 10 });
    await login(a, user.username, recoveryCodes[0]!);
    expect((await client.mfa.status()).recoveryCodesLeft).toBe(9);
    const wrong = await problemOf(() => client.mfa.renewRecoveryCodes(`${CANARY_PASSWORD}-wrong`));
    expect([wrong.status, wrong.errors[0]?.path]).toEqual([403, "password"]);
    const { recoveryCodes: fresh } = await client.mfa.renewRecoveryCodes(CANARY_PASSWORD);
    handedOut.push(...fresh);
    expect(fresh).toHaveLength(10);
    expect(await client.mfa.status()).toEqual({ enrolled: true, recoveryCodesLeft: 10 });
    expect((await problemOf(() => login(a, user.username, recoveryCodes[1]!))).code).toBe(
      "INVALID_CREDENTIALS",
    );
    expect((await login(a, user.username, fresh[0]!)).user.id).toBe(user.id);
    const [event] = (
      await a.admin.audit.list({ action: "auth.mfa.recovery_codes_renewed", targetId: user.id })
    ).items;
    expect(event?.changes).toEqual({ recoveryCodes: { after: 10 } });
    const plain = await createUser(t, a);
    expect(await plain.client.mfa.status()).toEqual({ enrolled: false, recoveryCodesLeft: 0 });
    expect((await problemOf(() => plain.client.mfa.renewRecoveryCodes(CANARY_PASSWORD))).code).toBe(
      "MFA_NOT_ENROLLED",
    );
  });

  it("5 parallel renewals of the recovery codes: one set shown, and it is the set that works", async () => {
    const { user, client } = await enrolled(a);
    // All five pass their password check before any goes on, so that they read the same set (on a
    // busy machine one could otherwise finish before another began: two renewals in turn).
    const hasher = t.app.core.deps.hasher;
    const verify = hasher.verify;
    let arrived = 0;
    let releaseAll!: () => void;
    const together = new Promise<void>((resolve) => {
      releaseAll = resolve;
    });
    hasher.verify = async (hash, password) => {
      const ok = await verify.call(hasher, hash, password);
      if (++arrived === 5) releaseAll();
      await together;
      return ok;
    };
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => client.mfa.renewRecoveryCodes(CANARY_PASSWORD)),
    ).finally(() => {
      hasher.verify = verify;
    });
    const shown = results.flatMap((r) => (r.status === "fulfilled" ? [r.value.recoveryCodes] : []));
    const refused = results.flatMap((r) => (r.status === "rejected" ? [r.reason as { code?: string }] : []));
    expect(shown).toHaveLength(1);
    expect(refused.map((e) => e.code)).toEqual(Array(4).fill("PRECONDITION_FAILED"));
    handedOut.push(...shown[0]!);
    expect((await login(a, user.username, shown[0]![0]!)).user.id).toBe(user.id);
  });

  it("20 parallel uses of one recovery code: exactly one success", async () => {
    const { user, recoveryCodes } = await enrolled(a);
    const row = (await userRow(t, a, user.id))!;
    const settings = await settingsOf(a);
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        checkSecondFactor(t.app.core.deps, row, { totp: recoveryCodes[0]! }, settings),
      ),
    );
    expect(results.filter((r) => r.status === "ok")).toEqual([{ status: "ok", method: "recovery" }]);
    expect(results.filter((r) => r.status === "invalid")).toHaveLength(19);
  });

  /** Remembers a browser for `userId`; what the second-factor step says of it now. */
  async function rememberedDevice(userId: string) {
    const deps = t.app.core.deps;
    const remembered = (await issueRememberToken(deps, a.id, userId, await settingsOf(a)))!;
    return async () =>
      checkSecondFactor(
        deps,
        (await userRow(t, a, userId))!,
        { rememberToken: remembered.token },
        await settingsOf(a),
      );
  }

  it("forgets the remembered devices when the password is reset: the next sign-in asks for the code again", async () => {
    const { user, secret } = await enrolled(a);
    const second = await rememberedDevice(user.id);
    expect(await second()).toEqual({ status: "ok", method: "remembered" });
    await t.anonymous.credentials.forgotPassword({ tenant: a.slug, email: user.email });
    const token = await resetLinkToken(t, a.id, user.email);
    handedOut.push(token);
    await t.anonymous.credentials.resetPassword({ token, newPassword: "a fresh passphrase after the reset" });
    expect(await second()).toEqual({ status: "missing" });
    const [event] = (await a.admin.audit.list({ action: "auth.password.reset", limit: 1 })).items;
    expect(event?.changes).toMatchObject({ rememberedDevicesRemoved: { after: 1 } });
    // The code still signs in, with the new password.
    const res = await t.anonymous.auth.login({
      tenant: a.slug,
      login: user.username,
      password: "a fresh passphrase after the reset",
      totp: codeNow(secret),
    });
    expect(res.user.id).toBe(user.id);
  });

  it("forgets the remembered devices whenever an administrator ends the person's access", async () => {
    const endings: [string, (id: string) => Promise<unknown>, string | null][] = [
      [
        "password set",
        (id) => a.admin.credentials.setUserPassword(id, { random: true }),
        "user.password_set",
      ],
      ["sessions ended", (id) => a.admin.userActions.revokeSessions(id), "user.sessions_revoked"],
      ["deactivated", (id) => a.admin.userActions.deactivate(id), null],
    ];
    for (const [name, end, action] of endings) {
      const { user } = await enrolled(a);
      const check = await rememberedDevice(user.id);
      expect(await check(), name).toEqual({ status: "ok", method: "remembered" });
      await end(user.id);
      expect(await check(), name).toEqual({ status: "missing" });
      if (action) {
        const [event] = (await a.admin.audit.list({ action, targetId: user.id, limit: 1 })).items;
        expect(event?.changes, name).toMatchObject({ rememberedDevicesRemoved: { after: 1 } });
      }
    }
  });

  it("remembers a device for rememberDeviceDays (at most 30), and no longer", async () => {
    const { user, secret } = await enrolled(a);
    const deps = t.app.core.deps;
    const settings = await settingsOf(a);
    expect(settings.rememberDeviceDays).toBe(30);
    const remembered = (await issueRememberToken(deps, a.id, user.id, settings))!;
    expect(remembered.token).toMatch(/^sgd_/);
    expect(Date.parse(remembered.expiresAt) - t.clock.now().getTime()).toBe(30 * DAY_MS);
    const stored = await t.db.kysely
      .selectFrom("mfa_remembered_devices")
      .select("token_hash")
      .where("tenant_id", "=", a.id)
      .where("user_id", "=", user.id)
      .execute();
    expect(JSON.stringify(stored)).not.toContain(remembered.token);

    const check = async (rememberToken: string) =>
      checkSecondFactor(deps, (await userRow(t, a, user.id))!, { rememberToken }, settings);
    expect(await check(remembered.token)).toEqual({ status: "ok", method: "remembered" });
    expect(await check(`${remembered.token}x`)).toEqual({ status: "missing" });
    // Another user's token is not this user's.
    const other = await enrolled(a);
    const theirs = (await issueRememberToken(deps, a.id, other.user.id, settings))!;
    expect(await check(theirs.token)).toEqual({ status: "missing" });

    t.clock.advance(30 * DAY_MS - 60_000);
    expect(await check(remembered.token)).toEqual({ status: "ok", method: "remembered" });
    t.clock.advance(60_000);
    expect(await check(remembered.token)).toEqual({ status: "missing" });
    // The code still works.
    const row = (await userRow(t, a, user.id))!;
    expect(await checkSecondFactor(deps, row, { totp: codeNow(secret) }, settings)).toEqual({
      status: "ok",
      method: "totp",
    });

    // A tenant that shortens the setting shortens devices remembered before.
    const again = (await issueRememberToken(deps, a.id, user.id, settings))!;
    t.clock.advance(8 * DAY_MS);
    expect(await check(again.token)).toEqual({ status: "ok", method: "remembered" });
    const week = { ...settings, rememberDeviceDays: 7 };
    expect(
      await checkSecondFactor(deps, (await userRow(t, a, user.id))!, { rememberToken: again.token }, week),
    ).toEqual({ status: "missing" });
    // Refused once for its age, it is forgotten: the setting raised again does not bring it back.
    expect(await check(again.token)).toEqual({ status: "missing" });
    // 0 = never: no token is issued.
    expect(await issueRememberToken(deps, a.id, user.id, { ...settings, rememberDeviceDays: 0 })).toBeNull();
    // Weeks went by: the administrators' sessions idled out; sign them in again.
    a = { ...a, admin: await t.signIn(a.slug, a.adminUsername) };
    b = { ...b, admin: await t.signIn(b.slug, b.adminUsername) };
  });

  describe("tenant requirement", () => {
    let c: TestTenant;
    let enrolledAdmin: Awaited<ReturnType<typeof enrolled>>;
    let plainRole: string;
    let patientRole: string;
    beforeAll(async () => {
      c = await t.createTenant();
      enrolledAdmin = await enrolled(c);
      plainRole = await createRole(c, ["users.view"]);
      patientRole = await createRole(c, ["patients.read"]);
    });
    afterAll(() => c.admin.settings.update({ mfaRequired: "off" }));

    const second = async (userId: string) =>
      checkSecondFactor(t.app.core.deps, (await userRow(t, c, userId))!, {}, await settingsOf(c));

    it("off: nobody is sent into enrolment", async () => {
      const { user } = await createUser(t, c, { roleId: patientRole });
      expect(await second(user.id)).toEqual({ status: "not_required" });
    });

    it("all: every unenrolled user gets an enrolment-only session that can only enrol", async () => {
      const { user } = await createUser(t, c, { roleId: plainRole });
      await c.admin.settings.update({ mfaRequired: "all" });
      expect(await second(user.id)).toEqual({ status: "enrolment_required" });
      const session = t.anonymous.withToken((await login(c, user.username)).token);
      expect((await session.auth.me()).user.id).toBe(user.id);
      const refused = await problemOf(() => session.users.list());
      expect(refused.status).toBe(403);
      expect(refused.code).toBe("MFA_ENROLMENT_REQUIRED");
      // It can enrol; afterwards a sign-in needs the code and gives a full session.
      const { secret } = await enrol(session);
      const full = t.anonymous.withToken((await login(c, user.username, codeNow(secret))).token);
      expect((await full.users.list()).items.length).toBeGreaterThan(0);
      // Required: /auth/me says so (the console offers no "turn off"), and turning it off is refused.
      expect((await full.auth.me()).mfaRequired).toBe(true);
      const off = await problemOf(() => full.mfa.disable(CANARY_PASSWORD));
      expect(off.status).toBe(422);
      expect(off.code).toBe("MFA_REQUIRED");
      await c.admin.settings.update({ mfaRequired: "off" });
    });

    it("confines sessions already open when the requirement starts, for those it now requires", async () => {
      const plain = await createUser(t, c, { roleId: plainRole });
      const patient = await createUser(t, c, { roleId: patientRole });
      expect((await plain.client.users.list()).items.length).toBeGreaterThan(0);
      await c.admin.settings.update({ mfaRequired: "patient_access" });
      try {
        const refused = await problemOf(() => patient.client.users.list());
        expect([refused.status, refused.code]).toEqual([403, "MFA_ENROLMENT_REQUIRED"]);
        expect((await patient.client.auth.me()).session?.purpose).toBe("mfa_enrolment");
        // Not required of the other: untouched.
        expect((await plain.client.users.list()).items.length).toBeGreaterThan(0);
        const [event] = (await c.admin.audit.list({ action: "settings.updated", limit: 1 })).items;
        expect(event?.changes).toMatchObject({ sessionsConfinedToEnrolment: { after: 1 } });
      } finally {
        await c.admin.settings.update({ mfaRequired: "off" });
      }
    });

    it("patient_access: a role that now holds a patient permission confines an open session at once; losing it releases the session", async () => {
      await c.admin.settings.update({ mfaRequired: "patient_access" });
      try {
        const made = await createUser(t, c, { roleId: plainRole });
        const session = t.anonymous.withToken((await login(c, made.user.username)).token);
        expect((await session.users.list()).items.length).toBeGreaterThan(0);
        await c.admin.users.update(made.user.id, { roleId: patientRole } as never);
        const refused = await problemOf(() => session.users.list());
        expect([refused.status, refused.code]).toEqual([403, "MFA_ENROLMENT_REQUIRED"]);
        expect((await session.auth.me()).session?.purpose).toBe("mfa_enrolment");
        // The same through a per-workspace role, then back to a plain role everywhere: released.
        await c.admin.users.update(made.user.id, { roleId: plainRole } as never);
        expect((await session.users.list()).items.length).toBeGreaterThan(0);
        const ws = await c.admin.workspaces.create({ slug: `ward-${Date.now()}`, name: "Ward" });
        await c.admin.users.update(made.user.id, {
          workspaceRoles: [{ workspaceId: ws.id, roleId: patientRole }],
        } as never);
        expect((await problemOf(() => session.users.list())).code).toBe("MFA_ENROLMENT_REQUIRED");
        // A role's own permissions count too: the role loses its patient permission.
        await c.admin.users.update(made.user.id, { workspaceRoles: [] } as never);
        const ward = await createRole(c, ["users.view"]);
        await c.admin.users.update(made.user.id, { roleId: ward } as never);
        expect((await session.users.list()).items.length).toBeGreaterThan(0);
        await c.admin.roles.update(ward, { permissions: ["users.view", "patients.read"] } as never);
        expect((await problemOf(() => session.users.list())).code).toBe("MFA_ENROLMENT_REQUIRED");
      } finally {
        await c.admin.settings.update({ mfaRequired: "off" });
      }
    });

    it("turning the requirement off releases the sessions it confined at sign-in", async () => {
      const made = await createUser(t, c, { roleId: patientRole });
      await c.admin.settings.update({ mfaRequired: "patient_access" });
      const signedIn = await login(c, made.user.username);
      expect(signedIn.purpose).toBe("mfa_enrolment");
      const session = t.anonymous.withToken(signedIn.token);
      expect((await problemOf(() => session.auth.sessions())).code).toBe("MFA_ENROLMENT_REQUIRED");
      await c.admin.settings.update({ mfaRequired: "off" });
      // Its sessions list says so too, for this one (stored as confined at sign-in) and for the one
      // createUser opened (confined when the requirement started).
      expect((await session.auth.sessions()).items.map((s) => s.purpose)).toEqual(["full", "full"]);
      expect((await session.auth.me()).session?.purpose).toBe("full");
    });

    it("enrolling ends the user's other sessions (signed in with the password alone) when MFA is required of them", async () => {
      const required = await createUser(t, c, { roleId: patientRole });
      await c.admin.settings.update({ mfaRequired: "patient_access" });
      try {
        const here = t.anonymous.withToken((await login(c, required.user.username)).token);
        const elsewhere = t.anonymous.withToken((await login(c, required.user.username)).token);
        await enrol(here);
        expect((await here.auth.sessions()).items).toHaveLength(1);
        expect((await problemOf(() => elsewhere.auth.me())).status).toBe(401);
        const [event] = (await c.admin.audit.list({ action: "auth.mfa.enrolled", limit: 1 })).items;
        // `elsewhere` and the session createUser opened.
        expect(event?.changes).toMatchObject({ otherSessionsEnded: { after: 2 } });
      } finally {
        await c.admin.settings.update({ mfaRequired: "off" });
      }
      // Not required of them: enrolling adds a factor and leaves the other sessions be.
      const free = await createUser(t, c, { roleId: plainRole });
      const elsewhere = t.anonymous.withToken((await login(c, free.user.username)).token);
      await enrol(free.client);
      expect((await elsewhere.auth.sessions()).items).toHaveLength(2);
      expect(
        (await c.admin.audit.list({ action: "auth.mfa.enrolled", limit: 1 })).items[0]?.changes,
      ).not.toHaveProperty("otherSessionsEnded");
    });

    it("once MFA is required, a session opened with the password alone before enrolling no longer serves; those that passed the code do", async () => {
      const made = await createUser(t, c, { roleId: patientRole });
      const passwordOnly = t.anonymous.withToken((await login(c, made.user.username)).token);
      // Enrolled of their own accord (nothing required yet): the other session is left be.
      const { secret } = await enrol(made.client);
      const withCode = t.anonymous.withToken((await login(c, made.user.username, codeNow(secret))).token);
      expect((await passwordOnly.auth.sessions()).items).toHaveLength(3);
      await c.admin.settings.update({ mfaRequired: "patient_access" });
      try {
        expect((await problemOf(() => passwordOnly.auth.me())).status).toBe(401);
        // The enrolling session and the one signed in with the code serve on, and list only each other.
        expect((await made.client.auth.sessions()).items).toHaveLength(2);
        expect((await withCode.auth.me()).session?.purpose).toBe("full");
      } finally {
        await c.admin.settings.update({ mfaRequired: "off" });
      }
      // Not required any more: the password was enough for that session.
      expect((await passwordOnly.auth.me()).session?.purpose).toBe("full");
    });

    it("a code passed before the person turned their MFA off no longer counts once MFA is required of them", async () => {
      const made = await createUser(t, c, { roleId: plainRole });
      await enrol(made.client);
      await made.client.mfa.disable(CANARY_PASSWORD);
      await c.admin.settings.update({ mfaRequired: "patient_access" });
      try {
        await c.admin.users.update(made.user.id, { roleId: patientRole } as never);
        expect((await problemOf(() => made.client.auth.sessions())).code).toBe("MFA_ENROLMENT_REQUIRED");
        expect((await made.client.auth.me()).session?.purpose).toBe("mfa_enrolment");
      } finally {
        await c.admin.settings.update({ mfaRequired: "off" });
      }
    });

    it("a session that never passed the code cannot turn MFA off or make recovery codes", async () => {
      const made = await createUser(t, c, { roleId: plainRole });
      const passwordOnly = t.anonymous.withToken((await login(c, made.user.username)).token);
      const { secret } = await enrol(made.client);
      for (const call of [
        () => passwordOnly.mfa.renewRecoveryCodes(CANARY_PASSWORD),
        () => passwordOnly.mfa.disable(CANARY_PASSWORD),
      ]) {
        const refused = await problemOf(call);
        expect([refused.status, refused.code]).toEqual([403, "MFA_SESSION_UNVERIFIED"]);
      }
      expect((await userRow(t, c, made.user.id))?.mfa_enrolled).toBe(1);
      // The session that enrolled, and one signed in with the code, may.
      const withCode = t.anonymous.withToken((await login(c, made.user.username, codeNow(secret))).token);
      handedOut.push(...(await withCode.mfa.renewRecoveryCodes(CANARY_PASSWORD)).recoveryCodes);
      await made.client.mfa.disable(CANARY_PASSWORD);
      expect((await userRow(t, c, made.user.id))?.mfa_enrolled).toBe(0);
    });

    it("the administrator's waiver lasts until the requirement changes again", async () => {
      // The token's maker is enrolled: a token of someone the rule confines is held back (below).
      const keeper = await enrolled(c);
      const token = await keeper.client.apiTokens.create({
        name: `Settings ${Date.now()}`,
        roleId: await createRole(c, ["settings.manage"]),
      });
      const integration = t.anonymous.withToken(token.token);
      await c.admin.settings.update({ mfaRequired: "patient_access" });
      try {
        // Waived: the administrator's session keeps its reach while unenrolled.
        expect((await c.admin.users.list()).items.length).toBeGreaterThan(0);
        await integration.settings.update({ mfaRequired: "all" });
        expect((await problemOf(() => c.admin.users.list())).code).toBe("MFA_ENROLMENT_REQUIRED");
      } finally {
        await integration.settings.update({ mfaRequired: "off" });
        await keeper.client.apiTokens.revoke(token.id);
      }
    });

    it("holds back the tokens of a person the rule confines until they enrol, and never lets one turn the rule off", async () => {
      const maker = await createUser(t, c);
      const token = await maker.client.apiTokens.create({
        name: `Made before the rule ${Date.now()}`,
        roleId: await roleIdByName(t, c, "Administrator"),
      });
      const viaToken = t.anonymous.withToken(token.token);
      await c.admin.settings.update({ mfaRequired: "all" });
      try {
        // The maker's session reaches only its enrolment; the token it made reaches nothing.
        expect((await problemOf(() => maker.client.users.list())).code).toBe("MFA_ENROLMENT_REQUIRED");
        for (const attempt of [
          () => viaToken.users.list(),
          () => viaToken.settings.update({ mfaRequired: "off" }),
        ]) {
          expect((await problemOf(attempt)).status).toBe(401);
        }
        expect((await settingsOf(c)).mfaRequired).toBe("all");
        const listed = await enrolledAdmin.client.apiTokens.list();
        expect(listed.items.find((x) => x.id === token.id)).toMatchObject({
          heldBack: true,
          revokedAt: null,
        });
        // Enrolled, the maker's token acts again (it was held back, not revoked).
        await enrol(maker.client);
        expect((await viaToken.users.list()).items.length).toBeGreaterThan(0);
      } finally {
        await enrolledAdmin.client.settings.update({ mfaRequired: "off" });
      }
    });

    it("patient_access: only users whose role or a per-workspace role holds a patient permission", async () => {
      const plain = await createUser(t, c, { roleId: plainRole });
      const patient = await createUser(t, c, { roleId: patientRole });
      const perWorkspace = await createUser(t, c, { roleId: plainRole });
      const ws = await c.admin.workspaces.create({ slug: `mfa-${Date.now()}`, name: "MFA ward" });
      await c.admin.users.update(perWorkspace.user.id, {
        workspaceRoles: [{ workspaceId: ws.id, roleId: patientRole }],
      } as never);
      await c.admin.settings.update({ mfaRequired: "patient_access" });
      expect(await second(plain.user.id)).toEqual({ status: "not_required" });
      expect(await second(patient.user.id)).toEqual({ status: "enrolment_required" });
      // /auth/me tells each whether it is required of them.
      const meOf = async (username: string) =>
        (await t.anonymous.withToken((await login(c, username)).token).auth.me()).mfaRequired;
      expect([await meOf(plain.user.username), await meOf(patient.user.username)]).toEqual([false, true]);
      expect(await second(perWorkspace.user.id)).toEqual({ status: "enrolment_required" });
      // The built-in Administrator role holds patient permissions in this catalogue.
      expect(await second(c.adminUserId)).toEqual({ status: "enrolment_required" });
      await c.admin.settings.update({ mfaRequired: "off" });
    });
  });

  it("turns one's own MFA off with the password", async () => {
    const { user, client, secret } = await enrolled(a);
    // A wrong password is a wrong field (400), not a lost session (401): the console stays signed in.
    const wrong = await problemOf(() => client.mfa.disable(`${CANARY_PASSWORD}-wrong`));
    expect([wrong.status, wrong.code, wrong.errors.map((e) => e.path)]).toEqual([
      403,
      "REAUTHENTICATION_FAILED",
      ["password"],
    ]);
    expect((await userRow(t, a, user.id))?.mfa_enrolled).toBe(1);
    await client.mfa.disable(CANARY_PASSWORD);
    expect((await userRow(t, a, user.id))?.mfa_enrolled).toBe(0);
    for (const table of ["mfa_totp", "mfa_recovery_codes", "mfa_remembered_devices"] as const) {
      const rows = await t.db.kysely
        .selectFrom(table)
        .select("user_id")
        .where("tenant_id", "=", a.id)
        .where("user_id", "=", user.id)
        .execute();
      expect(rows, table).toEqual([]);
    }
    // The password alone suffices again; the old secret no longer matters.
    expect((await login(a, user.username)).user.mfaEnrolled).toBe(false);
    expect((await login(a, user.username, codeNow(secret, 1))).user.id).toBe(user.id);
    // Not enrolled: turning it off again changes nothing.
    await client.mfa.disable(CANARY_PASSWORD);
  });

  it("refuses to turn MFA off while the password is shorter than a password used alone may be", async () => {
    const { user, client } = await enrolled(a);
    const short = "qzvbnmxkw";
    await client.credentials.changePassword({ currentPassword: CANARY_PASSWORD, newPassword: short });
    const refused = await problemOf(() => client.mfa.disable(short));
    expect([refused.status, refused.code, refused.errors.map((e) => e.path)]).toEqual([
      422,
      "PASSWORD_TOO_SHORT_ALONE",
      ["password"],
    ]);
    expect((await userRow(t, a, user.id))?.mfa_enrolled).toBe(1);
  });

  it("answers a stale If-Match (the user's version) on turning MFA off with 412 and turns nothing off", async () => {
    const { user, client } = await enrolled(a);
    const { version } = (await client.auth.me()).user;
    const stale = await problemOf(() => client.mfa.disable(CANARY_PASSWORD, { ifMatch: version + 1 }));
    expect([stale.status, stale.code]).toEqual([412, "PRECONDITION_FAILED"]);
    expect((await userRow(t, a, user.id))?.mfa_enrolled).toBe(1);
    await client.mfa.disable(CANARY_PASSWORD, { ifMatch: version });
    expect((await userRow(t, a, user.id))?.mfa_enrolled).toBe(0);
  });

  it("turning MFA off is no unlimited password oracle: after 5 wrong passwords, 429 with Retry-After", async () => {
    const { user, client } = await enrolled(a);
    for (let i = 0; i < 5; i++) {
      const wrong = await problemOf(() => client.mfa.disable(`${CANARY_PASSWORD}-wrong-${i}`));
      expect(wrong.code).toBe("REAUTHENTICATION_FAILED");
    }
    const res = await client.transport.raw("DELETE", "/api/v1/auth/mfa", {
      body: { password: CANARY_PASSWORD },
    });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await userRow(t, a, user.id))?.mfa_enrolled).toBe(1);
  });

  describe("administrator reset (users.credentials)", () => {
    it("clears enrolment, codes and remembered devices, ends the user's sessions, and is audited", async () => {
      const { user, client, recoveryCodes } = await enrolled(a, await roleIdByName(t, a, "Viewer"));
      await issueRememberToken(t.app.core.deps, a.id, user.id, await settingsOf(a));
      const before = await a.admin.users.get(user.id);
      const reset = await a.admin.mfa.reset(user.id);
      expect(reset.mfaEnrolled).toBe(false);
      expect(reset.version).toBe(before.version + 1);
      expect((await problemOf(() => client.auth.me())).status).toBe(401);
      for (const table of ["mfa_totp", "mfa_recovery_codes", "mfa_remembered_devices"] as const) {
        const rows = await t.db.kysely
          .selectFrom(table)
          .select("user_id")
          .where("tenant_id", "=", a.id)
          .where("user_id", "=", user.id)
          .execute();
        expect(rows, table).toEqual([]);
      }
      // The recovery codes are gone with it; the password alone signs in (the tenant requires
      // nothing), into a full session: it was chosen long enough to be used alone.
      const after = await login(a, user.username, recoveryCodes[0]);
      expect([after.user.mfaEnrolled, after.mustChangePassword, after.purpose]).toEqual([
        false,
        false,
        "full",
      ]);
      const audit = await t.db.kysely
        .selectFrom("audit_events")
        .select(["action", "changes", "actor_id"])
        .where("tenant_id", "=", a.id)
        .where("target_id", "=", user.id)
        .where("action", "=", "user.mfa_reset")
        .execute();
      expect(audit).toHaveLength(1);
      expect(audit[0]!.actor_id).toBe(a.adminUserId);
      const changes = JSON.parse(audit[0]!.changes!);
      expect(changes).toMatchObject({
        mfaEnrolled: { before: true, after: false },
        recoveryCodesRemoved: { after: 10 },
        rememberedDevicesRemoved: { after: 1 },
        sessionsEnded: { after: 1 },
      });
      expect(changes.mustChangePassword).toBeUndefined();
    });

    it("confines the next sign-in to a new password when the one left was chosen under the with-MFA minimum", async () => {
      const { user, client } = await enrolled(a, await roleIdByName(t, a, "Viewer"));
      const short = "qzvbnmxkwr"; // 10 code points: enough with MFA (8), not alone (15)
      await client.credentials.changePassword({ currentPassword: CANARY_PASSWORD, newPassword: short });
      await a.admin.mfa.reset(user.id);
      const after = await t.anonymous.auth.login({ tenant: a.slug, login: user.username, password: short });
      expect([after.mustChangePassword, after.purpose]).toEqual([true, "password_change"]);
      const [event] = (await a.admin.audit.list({ action: "user.mfa_reset", targetId: user.id })).items;
      expect(event!.changes).toMatchObject({ mustChangePassword: { before: false, after: true } });
      // The new one is long enough alone: once enrolled again, the next reset asks for nothing.
      const long = "a long passphrase for the reset test";
      await t.anonymous
        .withToken(after.token)
        .credentials.changePassword({ currentPassword: short, newPassword: long });
      const signedIn = await t.anonymous.auth.login({ tenant: a.slug, login: user.username, password: long });
      const { secret } = await enrol(t.anonymous.withToken(signedIn.token));
      expect(secret).toBeTruthy();
      await a.admin.mfa.reset(user.id);
      const full = await t.anonymous.auth.login({ tenant: a.slug, login: user.username, password: long });
      expect([full.mustChangePassword, full.purpose]).toEqual([false, "full"]);
    });

    it("refuses a virtual user (409 USER_STATE_INVALID, as its password actions), recording nothing", async () => {
      const virtual = await a.admin.users.create({
        username: `virt${Date.now()}`,
        email: `virt${Date.now()}@example.test`,
        firstName: "Vi",
        lastName: "Rtual",
        roleId: await roleIdByName(t, a, "Viewer"),
        virtual: true,
      } as never);
      const refused = await problemOf(() => a.admin.mfa.reset(virtual.id));
      expect([refused.status, refused.code]).toEqual([409, "USER_STATE_INVALID"]);
      expect((await a.admin.audit.list({ action: "user.mfa_reset", targetId: virtual.id })).items).toEqual(
        [],
      );
    });

    it("needs users.credentials, refuses oneself, and follows the cover rule", async () => {
      const target = await enrolled(a);
      const viewer = await createUser(t, a, { roleId: await roleIdByName(t, a, "Viewer") });
      expect((await problemOf(() => viewer.client.mfa.reset(target.user.id))).status).toBe(403);
      const self = await problemOf(() => target.client.mfa.reset(target.user.id));
      expect(self.code).toBe("SELF_ACTION_FORBIDDEN");
      // Holding users.credentials but not what the Administrator target holds: refused.
      const helpdesk = await createUser(t, a, {
        roleId: await createRole(a, ["users.credentials", "users.view"]),
      });
      const escalation = await problemOf(() => helpdesk.client.mfa.reset(target.user.id));
      expect(escalation.status).toBe(403);
      expect(escalation.code).toBe("PRIVILEGE_ESCALATION");
      expect((await userRow(t, a, target.user.id))?.mfa_enrolled).toBe(1);
      // The same helpdesk user may reset someone it covers.
      const covered = await enrolled(a, await createRole(a, ["users.view"]));
      expect((await helpdesk.client.mfa.reset(covered.user.id)).mfaEnrolled).toBe(false);
    });

    it("audits a reset of someone who never enrolled, with the unchanged state, and changes nothing", async () => {
      const { user } = await createUser(t, a);
      const before = await userRow(t, a, user.id);
      expect((await a.admin.mfa.reset(user.id)).mfaEnrolled).toBe(false);
      const events = (await a.admin.audit.list({ action: "user.mfa_reset", targetId: user.id })).items;
      expect(events.map((e) => [e.actor.id, e.changes])).toEqual([
        [a.adminUserId, { mfaEnrolled: { before: false, after: false } }],
      ]);
      expect(await userRow(t, a, user.id)).toEqual(before);
    });

    it("another tenant's user is a 404, identical to a missing id", async () => {
      const target = await enrolled(a);
      const foreign = await problemOf(() => b.admin.mfa.reset(target.user.id));
      const missing = await problemOf(() => b.admin.mfa.reset("usr_missing0000000000000"));
      expect(foreign.status).toBe(404);
      expect(foreign.code).toBe(missing.code);
      expect((await userRow(t, a, target.user.id))?.mfa_enrolled).toBe(1);
    });
  });

  it("tells the person by email of every change to their two-factor sign-in, with no secret in it", async () => {
    const { user, client, secret, recoveryCodes } = await enrolled(a);
    const { recoveryCodes: renewed } = await client.mfa.renewRecoveryCodes(CANARY_PASSWORD);
    handedOut.push(...renewed);
    await client.mfa.disable(CANARY_PASSWORD);
    const again = await client.mfa.startTotp();
    handedOut.push(again.secret, ...(await client.mfa.confirmTotp(codeNow(again.secret))).recoveryCodes);
    t.clock.advance(STEP_MS);
    await a.admin.mfa.reset(user.id);
    // Turning it off when it is already off tells nobody: nothing changed.
    const mails = await t.db.kysely
      .selectFrom("outbox")
      .select(["kind", "subject", "body"])
      .where("tenant_id", "=", a.id)
      .where("to_address", "=", user.email)
      .where("kind", "like", "auth.mfa.%")
      .orderBy("created_at")
      .orderBy("id")
      .execute();
    // Same fake-clock instant: compared as a set of kinds, with their counts.
    expect(mails.map((m) => m.kind).sort()).toEqual(
      [
        "auth.mfa.enrolled",
        "auth.mfa.recovery_codes_renewed",
        "auth.mfa.disabled",
        "auth.mfa.enrolled",
        "auth.mfa.reset_by_administrator",
      ].sort(),
    );
    expect(mails.find((m) => m.kind === "auth.mfa.reset_by_administrator")!.body).toContain(
      "An administrator reset the two-factor sign-in of your account",
    );
    expect(mails[0]!.body).toMatch(/When: \w{3}, \d{1,2} \w{3} \d{4}, \d\d:\d\d UTC/);
    const text = JSON.stringify(mails);
    for (const s of [secret, again.secret, ...recoveryCodes, ...renewed, CANARY_PASSWORD])
      expect(text).not.toContain(s);
  });

  it("never writes a TOTP secret, recovery code or remember token into the audit or the logs", async () => {
    const { user } = await enrolled(a);
    const remembered = (await issueRememberToken(t.app.core.deps, a.id, user.id, await settingsOf(a)))!;
    handedOut.push(remembered.token);
    expect(handedOut.length).toBeGreaterThan(50);
    const audit = JSON.stringify(await t.db.allTenants.selectFrom("audit_events").selectAll().execute());
    const logs = lines.join("");
    expect(lines.length).toBeGreaterThan(20);
    for (const secret of handedOut) {
      expect(audit, "audit").not.toContain(secret);
      expect(logs, "logs").not.toContain(secret);
    }
    expect(audit).not.toMatch(/otpauth:|\$argon2|plain:/);
    expect(logs).not.toMatch(/otpauth:|\$argon2/);
  });
});
