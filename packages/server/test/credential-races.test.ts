/**
 * SECURITY.md C-26 / §5.3 (the Kratos lesson, HackerOne #3692149): 50 parallel redemptions of one
 * reset link, or of one invitation, give exactly one success; on SQLite and on PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp, type TestTenant } from "./harness.ts";
import { whileCheckHeld } from "./held-check.ts";
import { createUser, inviteUser, liveLinks } from "./lifecycle-fixtures.ts";

const PARALLEL = 50;

describe(`credential link races (${process.env.STAFFGATE_TEST_DB ?? "sqlite"})`, () => {
  let t: TestApp;
  let a: TestTenant;

  beforeAll(async () => {
    t = await startTestApp();
    a = await t.createTenant();
  });
  afterAll(() => t?.close());

  async function linkFor(email: string, kind: string): Promise<string> {
    const rows = await t.db.kysely
      .selectFrom("outbox")
      .select("body")
      .where("tenant_id", "=", a.id)
      .where("to_address", "=", email)
      .where("kind", "=", kind)
      .execute();
    expect(rows).toHaveLength(1);
    return /#token=([A-Za-z0-9_-]+)/.exec(rows[0]!.body)![1]!;
  }

  async function countAudit(targetId: string, action: string): Promise<number> {
    const rows = await t.db.kysely
      .selectFrom("audit_events")
      .select("seq")
      .where("tenant_id", "=", a.id)
      .where("target_id", "=", targetId)
      .where("action", "=", action)
      .execute();
    return rows.length;
  }

  /** Fires all redemptions at once; returns each one's status and the password it tried. */
  async function race(url: string, body: (i: number) => Record<string, string>) {
    return Promise.all(
      Array.from({ length: PARALLEL }, async (_, i) => {
        const res = await t.anonymous.transport.raw("POST", url, { body: body(i) });
        return {
          status: res.status,
          code: res.status === 204 ? null : ((await res.json()) as { code: string }).code,
          i,
        };
      }),
    );
  }

  const passwordOf = (i: number) => `parallel-harbour-lantern-${1000 + i}`;

  it(`${PARALLEL} parallel redemptions of one reset link: exactly one 204`, async () => {
    const { user } = await createUser(t, a);
    await t.anonymous.credentials.forgotPassword({ tenant: a.slug, email: user.email });
    const token = await linkFor(user.email, "auth.password.reset_link");
    const results = await race("/api/v1/auth/reset-password", (i) => ({ token, newPassword: passwordOf(i) }));
    const winners = results.filter((r) => r.status === 204);
    expect(winners).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 204))
      expect([r.status, r.code]).toEqual([400, "INVALID_TOKEN"]);
    expect(await countAudit(user.id, "auth.password.reset")).toBe(1);
    // The winner's password is the one that works.
    await t.signIn(a.slug, user.username, passwordOf(winners[0]!.i));
  });

  it(`${PARALLEL} parallel acceptances of one invitation: exactly one 204`, async () => {
    const invited = await inviteUser(t, a);
    const token = await linkFor(invited.email, "user.invitation");
    const results = await race("/api/v1/auth/invitations/accept", (i) => ({
      token,
      password: passwordOf(i),
    }));
    const winners = results.filter((r) => r.status === 204);
    expect(winners).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 204))
      expect([r.status, r.code]).toEqual([400, "INVALID_TOKEN"]);
    expect(await countAudit(invited.id, "user.invitation_accepted")).toBe(1);
    const me = await (await t.signIn(a.slug, invited.username, passwordOf(winners[0]!.i))).auth.me();
    expect(me.user.status).toBe("active");
  });

  it(`${PARALLEL} parallel forgot-password requests for one account: 3 emails an hour, one live link`, async () => {
    const { user } = await createUser(t, a);
    const answers = await Promise.all(
      Array.from({ length: PARALLEL }, () =>
        t.anonymous.transport.raw("POST", "/api/v1/auth/forgot-password", {
          body: { tenant: a.slug, email: user.email },
        }),
      ),
    );
    expect(new Set(answers.map((r) => r.status))).toEqual(new Set([202]));
    const mails = await t.db.kysely
      .selectFrom("outbox")
      .select("id")
      .where("tenant_id", "=", a.id)
      .where("to_address", "=", user.email)
      .where("kind", "=", "auth.password.reset_link")
      .execute();
    const live = await liveLinks(t, a, user.id, "reset");
    expect({ mails: mails.length, live: live.length }).toEqual({ mails: 3, live: 1 });
  });

  it("a sign-in that verified the old password gets no session once the password was set meanwhile", async () => {
    const { user } = await createUser(t, a);
    const signIn = await whileCheckHeld(
      t,
      () => t.anonymous.auth.login({ tenant: a.slug, login: user.username, password: a.password }),
      () => a.admin.credentials.setUserPassword(user.id, { random: true }),
    );
    expect(signIn).toBe("401 INVALID_CREDENTIALS");
    const sessions = await t.db.kysely
      .selectFrom("sessions")
      .select("id")
      .where("tenant_id", "=", a.id)
      .where("user_id", "=", user.id)
      .where("created_at", ">=", t.clock.now().toISOString())
      .execute();
    expect(sessions).toEqual([]);
  });
});
