import { archiveExpiredUsers, startExpiryJob } from "@staffgate/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../src/app.ts";
import { CANARY_PASSWORD, problemOf, startTestApp, type TestApp, type TestTenant } from "./harness.ts";
import { auditOf, createRole, createUser, inviteUser, roleIdByName, userRow } from "./lifecycle-fixtures.ts";

const HOUR = 3_600_000;

describe(`account expiry job (${process.env.STAFFGATE_TEST_DB ?? "sqlite"})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const inHours = (h: number) => new Date(t.clock.now().getTime() + h * HOUR).toISOString();
  const deps = () => t.app.core.deps;
  const setExpiry = (tenant: TestTenant, id: string, at: string) =>
    t.db.kysely
      .updateTable("users")
      .set({ expires_at: at })
      .where("tenant_id", "=", tenant.id)
      .where("id", "=", id)
      .execute();
  const sessionsOf = (tenant: TestTenant, id: string) =>
    t.db.kysely
      .selectFrom("sessions")
      .select("id")
      .where("tenant_id", "=", tenant.id)
      .where("user_id", "=", id)
      .execute();

  it("archives a user once its expiry passes, ending its sessions, audited as the system", async () => {
    const a = await t.createTenant();
    const { user, client } = await createUser(t, a, {
      roleId: await roleIdByName(t, a, "Viewer"),
      extra: { expiresAt: inHours(1) },
    });
    expect(await archiveExpiredUsers(deps())).toMatchObject({ archived: 0 });
    expect((await userRow(t, a, user.id))?.status).toBe("active");
    t.clock.advance(HOUR + 1);
    expect(await archiveExpiredUsers(deps())).toMatchObject({ archived: 1, errors: [] });
    const row = await userRow(t, a, user.id);
    expect(row).toMatchObject({ status: "archived", archived_from: "active", version: user.version + 1 });
    expect(await sessionsOf(a, user.id)).toEqual([]);
    expect((await problemOf(() => client.auth.me())).status).toBe(401);
    expect((await auditOf(t, a, user.id)).at(-1)).toMatchObject({
      action: "user.expired",
      actor_type: "system",
      changes: { status: { before: "active", after: "archived" } },
    });
    expect(await archiveExpiredUsers(deps())).toMatchObject({ archived: 0 });
  });

  it("past its expiry, before the job archives it, nothing brings the account back: no edit, no reactivation, no token of its making", async () => {
    const a = await t.createTenant();
    const administrator = await roleIdByName(t, a, "Administrator");
    const { user, client } = await createUser(t, a, {
      roleId: administrator,
      extra: { expiresAt: inHours(1) },
    });
    const made = await client.apiTokens.create({ name: "Made before expiry", roleId: administrator });
    const viaToken = t.anonymous.withToken(made.token);
    await viaToken.auth.me();
    t.clock.advance(HOUR + 1);
    const admin = await t.signIn(a.slug, "admin"); // the hour idled the tenant's first session out
    // The job has not run: the account is still "active" in its row, and refused everywhere.
    expect((await userRow(t, a, user.id))?.status).toBe("active");
    expect((await problemOf(() => client.auth.me())).status).toBe(401);
    expect((await problemOf(() => viaToken.auth.me())).status).toBe(401);
    // Nor does its right password sign it in: the same answer as a wrong one (PRODUCT.md §4).
    const signIn = await problemOf(() => t.signIn(a.slug, user.username));
    expect([signIn.status, signIn.code]).toEqual([401, "INVALID_CREDENTIALS"]);
    const listed = (await admin.apiTokens.list()).items.find((x) => x.id === made.id);
    expect(listed).toMatchObject({ heldBack: true, revokedAt: null });
    // Clearing or moving the expiry, by the API or a CSV row, would revive it and its session.
    for (const expiresAt of [null, inHours(24)]) {
      const p = await problemOf(() => admin.users.update(user.id, { expiresAt }));
      expect([p.status, p.code], String(expiresAt)).toEqual([409, "USER_STATE_INVALID"]);
    }
    // Edits that do not touch the expiry stay open (an identity provider's switch-off with a title).
    expect((await admin.users.update(user.id, { title: "Left the company" })).title).toBe("Left the company");
    const csv = `email,expiresAt\n${user.email},${inHours(24)}\n`;
    const imported = await problemOf(() => admin.users.import({ csv }));
    expect([imported.status, imported.errors[0]?.message]).toEqual([422, expect.stringContaining("expired")]);
    expect((await problemOf(() => client.auth.me())).status).toBe(401);
    expect((await problemOf(() => viaToken.auth.me())).status).toBe(401);
    // Switched off, it cannot be switched on again; archived by the job, it is restored with a new expiry.
    await admin.userActions.deactivate(user.id);
    expect((await problemOf(() => admin.userActions.reactivate(user.id))).code).toBe("USER_STATE_INVALID");
    expect(await archiveExpiredUsers(deps())).toMatchObject({ errors: [] });
    expect((await admin.userActions.restore(user.id, { expiresAt: null })).status).toBe("active");
    expect((await problemOf(() => client.auth.me())).status).toBe(401);
  });

  it("an invited account that expires takes its invitation link with it (a restore sends a new one)", async () => {
    const a = await t.createTenant();
    const invited = await inviteUser(t, a);
    const links = async () =>
      (
        await t.db.kysely
          .selectFrom("outbox")
          .select("body")
          .where("tenant_id", "=", a.id)
          .where("to_address", "=", invited.email)
          .where("kind", "=", "user.invitation")
          .orderBy("created_at")
          .execute()
      ).map((m) => /#token=([A-Za-z0-9_-]+)/.exec(m.body)![1]!);
    const [old] = await links();
    await setExpiry(a, invited.id, inHours(1));
    t.clock.advance(HOUR + 1);
    expect(await archiveExpiredUsers(deps())).toMatchObject({ archived: 1, errors: [] });
    const archived = await problemOf(() =>
      t.anonymous.credentials.acceptInvitation({ token: old!, password: CANARY_PASSWORD }),
    );
    expect(archived.code).toBe("INVALID_TOKEN");
    const admin = await t.signIn(a.slug, a.adminUsername);
    expect((await admin.userActions.restore(invited.id, { expiresAt: null })).status).toBe("invited");
    const refused = await problemOf(() =>
      t.anonymous.credentials.acceptInvitation({ token: old!, password: CANARY_PASSWORD }),
    );
    expect(refused.code).toBe("INVALID_TOKEN");
    expect(await links()).toHaveLength(2);
  });

  it("records an emergency elevation whose time ran out as ended, once, as the system", async () => {
    const a = await t.createTenant();
    // The fake clock moves by hours: keep the sessions this test uses alive.
    await a.admin.settings.update({ idleTimeoutMinutes: 480 });
    const { user, client } = await createUser(t, a, {
      roleId: await createRole(a, ["emergency_access.use"]),
    });
    const byItself = await client.emergencyAccess.open({
      reason: "patient collapsed",
      password: CANARY_PASSWORD,
      patientRef: "mrn-time-box",
    });
    const byHand = await client.emergencyAccess.open({
      reason: "second patient",
      password: CANARY_PASSWORD,
      patientRef: "mrn-by-hand",
    });
    await client.emergencyAccess.end(byHand.id);
    expect(await archiveExpiredUsers(deps())).toMatchObject({ elevationsEnded: 0 });
    t.clock.advance(4 * HOUR + 1);
    expect(await archiveExpiredUsers(deps())).toMatchObject({ elevationsEnded: 1, errors: [] });
    expect(await archiveExpiredUsers(deps())).toMatchObject({ elevationsEnded: 0 });
    const ended = (await auditOf(t, a, byItself.id)).filter((e) => e.action === "emergency_access.ended");
    expect(ended).toEqual([
      expect.objectContaining({
        actor_type: "system",
        target_label: user.username,
        changes: {
          endedAt: { before: null, after: byItself.expiresAt },
          cause: { before: null, after: "its time ran out" },
          patientRef: { before: "mrn-time-box" },
        },
      }),
    ]);
    const listed = (await a.admin.emergencyAccess.list({ status: "ended" } as never)).items;
    expect(listed.find((e) => e.id === byItself.id)).toMatchObject({
      endedAt: byItself.expiresAt,
      endedBy: null,
    });
  });

  it("archives once when two instances run at the same moment", async () => {
    const a = await t.createTenant();
    const viewer = await roleIdByName(t, a, "Viewer");
    const users = [];
    for (let i = 0; i < 3; i++) users.push((await createUser(t, a, { roleId: viewer })).user);
    for (const u of users) await setExpiry(a, u.id, t.clock.now().toISOString());
    t.clock.advance(1);
    const runs = await Promise.all([archiveExpiredUsers(deps()), archiveExpiredUsers(deps())]);
    expect(runs.flatMap((r) => r.errors)).toEqual([]);
    expect(runs.reduce((n, r) => n + r.archived, 0)).toBe(3);
    for (const u of users) {
      expect((await userRow(t, a, u.id))?.status).toBe("archived");
      expect((await auditOf(t, a, u.id)).filter((e) => e.action === "user.expired")).toHaveLength(1);
    }
  });

  it("skips the tenant's last administrator (audited once), but archives one of two", async () => {
    const a = await t.createTenant();
    await setExpiry(a, a.adminUserId, t.clock.now().toISOString());
    t.clock.advance(1);
    expect(await archiveExpiredUsers(deps())).toMatchObject({ skipped: 1, archived: 0 });
    expect(await archiveExpiredUsers(deps())).toMatchObject({ skipped: 1, archived: 0 });
    expect((await userRow(t, a, a.adminUserId))?.status).toBe("active");
    const skips = (await auditOf(t, a, a.adminUserId)).filter((e) => e.action === "user.expiry_skipped");
    expect(skips).toHaveLength(1);
    // With a second administrator the expired one is archived as usual.
    const c = await t.createTenant();
    await createUser(t, c);
    await setExpiry(c, c.adminUserId, t.clock.now().toISOString());
    t.clock.advance(1);
    await archiveExpiredUsers(deps());
    expect((await userRow(t, c, c.adminUserId))?.status).toBe("archived");
  });

  it("runs on a timer until stopped", async () => {
    const a = await t.createTenant();
    const { user } = await createUser(t, a, { roleId: await roleIdByName(t, a, "Viewer") });
    await setExpiry(a, user.id, t.clock.now().toISOString());
    t.clock.advance(1);
    let stop: () => Promise<void> = async () => {};
    const ran = new Promise<number>((resolve) => {
      stop = startExpiryJob(deps(), 5, (run) => resolve(run.archived));
    });
    expect(await ran).toBeGreaterThanOrEqual(1);
    await stop();
    expect((await userRow(t, a, user.id))?.status).toBe("archived");
  });

  it("archives an account as its expiry passes, not a whole interval later: runs only when one is due", async () => {
    const a = await t.createTenant();
    const { user } = await createUser(t, a, {
      roleId: await roleIdByName(t, a, "Viewer"),
      extra: { expiresAt: inHours(1) },
    });
    // Other tests may have left an account the job must skip (a last administrator): the first
    // check looks at every account, so it starts exactly one pass for it; none after that.
    const leftover = await t.db.allTenants
      .selectFrom("users")
      .select("id")
      .where("status", "<>", "archived")
      .where("expires_at", "<=", t.clock.now().toISOString())
      .limit(1)
      .executeTakeFirst();
    const runs: number[] = [];
    let archived: (n: number) => void = () => {};
    const done = new Promise<number>((resolve) => {
      archived = resolve;
    });
    let firstRun: () => void = () => {};
    const ranOnce = new Promise<void>((resolve) => {
      firstRun = resolve;
    });
    // An interval of an hour: only the due check (every 10 ms) can start a run within this test.
    const stop = startExpiryJob(
      deps(),
      HOUR,
      (run) => {
        runs.push(run.archived);
        firstRun();
        if (run.archived > 0) archived(run.archived);
      },
      10,
    );
    try {
      // Waited for, not timed: a loaded machine may take longer than any fixed pause for the pass.
      if (leftover) await ranOnce;
      const first = runs.length;
      expect(first).toBe(leftover ? 1 : 0);
      await new Promise((r) => setTimeout(r, 200));
      expect(runs).toHaveLength(first);
      expect((await userRow(t, a, user.id))?.status).toBe("active");
      t.clock.advance(HOUR + 1);
      expect(await done).toBe(1);
    } finally {
      await stop();
    }
    expect((await userRow(t, a, user.id))?.status).toBe("archived");
  });

  it("buildApp starts the job only when asked, and stops it on close", async () => {
    const app = await buildApp({ db: t.db, clock: t.clock, jobs: true });
    await app.close();
    const again = await buildApp({ db: t.db, clock: t.clock });
    await again.close();
  });
});
