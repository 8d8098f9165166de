/**
 * Ending another of one's own sessions long after signing in asks for the password again (ASVS
 * 7.5.2, SECURITY.md 39; core's auth/step-up.ts): past 10 minutes without it 403
 * REAUTHENTICATION_REQUIRED, a wrong one REAUTHENTICATION_FAILED (audited), the right one ends it.
 * Ending the session that asks is signing out. What is not one's own is 404 and a stale If-Match
 * 412 before any password is read, counted or audited. Fake clock.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CANARY_PASSWORD, problemOf, startTestApp, type TestApp, type TestTenant } from "./harness.ts";
import { createUser, roleIdByName } from "./lifecycle-fixtures.ts";

const MINUTE = 60_000;

describe(`ending another session: the password again (${process.env.STAFFGATE_TEST_DB ?? "sqlite"})`, () => {
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;
  let viewer: string;

  beforeAll(async () => {
    t = await startTestApp();
    a = await t.createTenant();
    b = await t.createTenant();
    viewer = await roleIdByName(t, a, "Viewer");
  });
  afterAll(() => t?.close());

  /** A staff member with two sessions: `me` (the asking one) and `other`, and their ids. */
  async function twoSessions() {
    const made = await createUser(t, { ...a, admin: await t.signIn(a.slug, "admin") }, { roleId: viewer });
    const me = await t.signIn(a.slug, made.user.username);
    const listed = (await me.auth.sessions()).items;
    return {
      user: made.user,
      me,
      other: made.client,
      otherId: listed.find((s) => !s.current)!.id,
      thisId: listed.find((s) => s.current)!.id,
    };
  }

  /** Runs `fn` eleven minutes after now (inside the 15-minute idle limit), then puts the clock back. */
  async function elevenMinutesOn(fn: () => Promise<void>) {
    const before = t.clock.now();
    t.clock.advance(11 * MINUTE);
    try {
      await fn();
    } finally {
      t.clock.set(before);
    }
  }

  const failures = async (userId: string) =>
    t.db.kysely
      .selectFrom("audit_events")
      .select(["action"])
      .where("tenant_id", "=", a.id)
      .where("target_id", "=", userId)
      .where("outcome", "=", "failure")
      .execute();

  it("asks past 10 minutes, refuses a wrong password (audited), ends it with the right one", async () => {
    // Within the 10 minutes the sign-in stands for the password.
    const first = await twoSessions();
    const start = t.clock.now();
    t.clock.advance(9 * MINUTE);
    await first.me.auth.endSession(first.otherId);
    expect((await problemOf(() => first.other.auth.me())).status).toBe(401);
    t.clock.set(start);

    const { user, me, other, otherId } = await twoSessions();
    await elevenMinutesOn(async () => {
      const missing = await problemOf(() => me.auth.endSession(otherId));
      expect([missing.status, missing.code]).toEqual([401, "REAUTHENTICATION_REQUIRED"]);
      expect(missing.errors.map((e) => e.path)).toEqual(["password"]);
      const wrong = await problemOf(() =>
        me.auth.endSession(otherId, { password: "not the password at all" }),
      );
      expect([wrong.status, wrong.code]).toEqual([403, "REAUTHENTICATION_FAILED"]);
      expect(await failures(user.id)).toEqual([{ action: "auth.session.ended" }]);
      // Neither refusal ended it.
      await expect(other.auth.me()).resolves.toBeDefined();
      await me.auth.endSession(otherId, { password: CANARY_PASSWORD });
      expect((await problemOf(() => other.auth.me())).status).toBe(401);
    });
  });

  it("ends the asking session with nothing asked, and checks a password sent all the same", async () => {
    const { me, thisId } = await twoSessions();
    await elevenMinutesOn(async () => {
      const wrong = await problemOf(() =>
        me.auth.endSession(thisId, { password: "not the password at all" }),
      );
      expect(wrong.code).toBe("REAUTHENTICATION_FAILED");
      await me.auth.endSession(thisId);
      expect((await problemOf(() => me.auth.me())).status).toBe(401);
    });
  });

  it("answers what is not one's own 404, and a stale If-Match 412, before any password", async () => {
    const { user, me, otherId } = await twoSessions();
    const adminSession = (await (await t.signIn(a.slug, "admin")).auth.sessions()).items.find(
      (s) => s.current,
    )!.id;
    const bSession = (await (await t.signIn(b.slug, "admin")).auth.sessions()).items.find(
      (s) => s.current,
    )!.id;
    await elevenMinutesOn(async () => {
      const bodies: string[] = [];
      for (const id of [adminSession, bSession, "ses_missing0000000000000"]) {
        for (const body of [undefined, { password: "not the password at all" }]) {
          const res = await me.transport.raw("DELETE", `/api/v1/auth/sessions/${id}`, body ? { body } : {});
          expect(res.status).toBe(404);
          bodies.push((await res.text()).replaceAll(id, "<id>"));
        }
      }
      expect(new Set(bodies).size).toBe(1);
      const stale = await problemOf(() => me.auth.endSession(otherId, { ifMatch: 999 }));
      expect([stale.status, stale.code]).toEqual([412, "PRECONDITION_FAILED"]);
      // No password was checked: nothing audited as failed.
      expect(await failures(user.id)).toEqual([]);
    });
  });
});
