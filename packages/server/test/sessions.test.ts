/**
 * Sessions (issue 4 item 9; SECURITY.md E-36, E-37, E-39, E-42): idle timeout on the server with
 * its per-workspace override, the absolute limit, users listing and ending their own sessions,
 * mustChangePassword and MFA-enrolment confinement, and the console cookie with CSRF protection.
 */
import { Staffgate } from "@staffgate/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CANARY_PASSWORD,
  injectFetch,
  problemOf,
  startTestApp,
  type TestApp,
  type TestTenant,
} from "./harness.ts";
import { createUser, roleIdByName } from "./lifecycle-fixtures.ts";

const SECOND = 1000;
const MINUTE = 60 * SECOND;

describe(`sessions (${process.env.STAFFGATE_TEST_DB ?? "sqlite"})`, () => {
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;
  let viewer: string;

  /** The administrators, signed in now (the fake clock moves past idle limits between tests). */
  const admin = () => t.signIn(a.slug, "admin");
  const bAdmin = () => t.signIn(b.slug, "admin");
  const login = (tenant: string, user: string) =>
    t.anonymous.auth.login({ tenant, login: user, password: CANARY_PASSWORD });
  const status = async (p: Promise<Response>) => (await p).status;

  beforeAll(async () => {
    t = await startTestApp();
    a = await t.createTenant();
    b = await t.createTenant();
    viewer = await roleIdByName(t, a, "Viewer");
  });
  afterAll(() => t?.close());

  describe("idle and absolute limits (fake clock)", () => {
    it("passes at idle − 1 s and refuses at idle + 1 s (tenant default 15 minutes)", async () => {
      const s = await admin();
      t.clock.advance(15 * MINUTE - SECOND);
      await expect(s.auth.me()).resolves.toBeDefined();
      // The request above counted as activity: the limit runs from it.
      t.clock.advance(15 * MINUTE - SECOND);
      await expect(s.auth.me()).resolves.toBeDefined();
      t.clock.advance(15 * MINUTE + SECOND);
      const p = await problemOf(() => s.auth.me());
      expect(p.status).toBe(401);
      expect(p.code).toBe("UNAUTHENTICATED");
    });

    it("activity every 50 seconds keeps a session alive (last use is recorded often enough)", async () => {
      const s = await admin();
      for (let i = 0; i < 30; i++) {
        t.clock.advance(50 * SECOND);
        await s.auth.me();
      }
      t.clock.advance(15 * MINUTE - SECOND);
      await expect(s.auth.me()).resolves.toBeDefined();
    });

    it("follows the tenant's idleTimeoutMinutes", async () => {
      await (await admin()).settings.update({ idleTimeoutMinutes: 5 });
      try {
        const s = await admin();
        t.clock.advance(5 * MINUTE - SECOND);
        await expect(s.auth.me()).resolves.toBeDefined();
        t.clock.advance(5 * MINUTE + SECOND);
        expect((await problemOf(() => s.auth.me())).status).toBe(401);
      } finally {
        await (await admin()).settings.update({ idleTimeoutMinutes: 15 });
      }
    });

    it("a first use late in a short limit starts the idle clock there, not at sign-in (idle 1 minute)", async () => {
      await (await admin()).settings.update({ idleTimeoutMinutes: 1 });
      try {
        const s = await admin();
        t.clock.advance(45 * SECOND);
        await expect(s.auth.me()).resolves.toBeDefined();
        // 30 s after its last use, 75 s after sign-in: in use, not idle.
        t.clock.advance(30 * SECOND);
        await expect(s.auth.me()).resolves.toBeDefined();
        t.clock.advance(30 * SECOND);
        await expect(s.auth.me()).resolves.toBeDefined();
        t.clock.advance(MINUTE + SECOND);
        expect((await problemOf(() => s.auth.me())).status).toBe(401);
      } finally {
        await (await admin()).settings.update({ idleTimeoutMinutes: 15 });
      }
    });

    it("a session refused as idle stays refused when the limit is raised afterwards", async () => {
      await (await admin()).settings.update({ idleTimeoutMinutes: 5 });
      try {
        const s = await admin();
        t.clock.advance(5 * MINUTE + SECOND);
        expect((await problemOf(() => s.auth.me())).status).toBe(401);
        await (await admin()).settings.update({ idleTimeoutMinutes: 15 });
        expect((await problemOf(() => s.auth.me())).status).toBe(401);
      } finally {
        await (await admin()).settings.update({ idleTimeoutMinutes: 15 });
      }
    });

    /** `GET /auth/me` with a session token, naming `workspace` when given: its status. */
    const meWith = (token: string, workspace?: string) =>
      status(
        t.anonymous
          .withToken(token)
          .transport.raw(
            "GET",
            "/api/v1/auth/me",
            workspace ? { headers: { "staffgate-workspace": workspace } } : {},
          ),
      );

    /** A tenant whose idle limit is 1 minute, with a workspace "theatre" of 5 minutes of its own. */
    async function withLongerTheatre() {
      const c = await t.createTenant();
      const cAdmin = await t.signIn(c.slug, "admin");
      const theatre = await cAdmin.workspaces.create({
        slug: "theatre",
        name: "Theatre",
        idleTimeoutSeconds: 300,
      });
      await cAdmin.settings.update({ idleTimeoutMinutes: 1 });
      return { c, theatre };
    }

    // The acceptance review: kept for a workspace with a longer limit of its own, a session found
    // idle by the tenant's limit came back for every request once the limits were raised.
    it("a session refused as idle stays refused outside a longer workspace, whatever the limits become", async () => {
      const { c, theatre } = await withLongerTheatre();
      const { user } = await createUser(t, c, { roleId: await roleIdByName(t, c, "Viewer") });
      const left = (await login(c.slug, user.username)).token;
      const unused = (await login(c.slug, user.username)).token;
      expect(await meWith(left)).toBe(200);
      t.clock.advance(75 * SECOND);
      expect(await meWith(left)).toBe(401);
      expect(await meWith(unused)).toBe(401);
      // Raised, and the workspace's own limit taken away: still logged off.
      const again = await t.signIn(c.slug, "admin");
      await again.settings.update({ idleTimeoutMinutes: 15 });
      const ws = await again.workspaces.get(theatre.id);
      await again.workspaces.update(theatre.id, { idleTimeoutSeconds: null }, { ifMatch: ws.version });
      expect(await meWith(left)).toBe(401);
      expect(await meWith(unused)).toBe(401);
      expect(await meWith(left, theatre.id)).toBe(401);
    });

    it("a session refused in a workspace past the tenant's limit too stays refused elsewhere when the tenant's is raised", async () => {
      const { c } = await withLongerTheatre();
      const cAdmin = await t.signIn(c.slug, "admin");
      // A second longer workspace (2 minutes) the user works in, besides the 5-minute theatre.
      const recovery = await cAdmin.workspaces.create({
        slug: "recovery",
        name: "Recovery",
        idleTimeoutSeconds: 120,
      });
      const { user } = await createUser(t, c, {
        roleId: await roleIdByName(t, c, "Viewer"),
        extra: { workspaceAccess: [recovery.id] },
      });
      const token = (await login(c.slug, user.username)).token;
      expect(await meWith(token)).toBe(200);
      t.clock.advance(129 * SECOND);
      expect(await meWith(token, recovery.id)).toBe(401);
      await (await t.signIn(c.slug, "admin")).settings.update({ idleTimeoutMinutes: 60 });
      expect(await meWith(token)).toBe(401);
    });

    it("serves a session found idle by the tenant's limit in the longer workspace, and from its next use there everywhere", async () => {
      const { c, theatre } = await withLongerTheatre();
      const { token } = await login(c.slug, "admin");
      t.clock.advance(75 * SECOND);
      expect(await meWith(token)).toBe(401);
      await (await t.signIn(c.slug, "admin")).settings.update({ idleTimeoutMinutes: 15 });
      expect(await meWith(token)).toBe(401);
      // The workspace that kept it serves it, and that use is a use: the session is in use again.
      expect(await meWith(token, theatre.id)).toBe(200);
      expect(await meWith(token)).toBe(200);
    });

    it("applies a workspace's idle limit when the request names it, and a shorter one to the whole session", async () => {
      const adm = await admin();
      const short = await adm.workspaces.create({ slug: "kiosk", name: "Kiosk", idleTimeoutSeconds: 120 });
      const long = await adm.workspaces.create({ slug: "lab", name: "Lab", idleTimeoutSeconds: 3600 });
      const { token } = await login(a.slug, "admin");
      const me = (workspace?: string) => meWith(token, workspace);
      const limitOf = async (session: string, workspace?: string) => {
        const res = await t.anonymous
          .withToken(session)
          .transport.raw(
            "GET",
            "/api/v1/auth/me",
            workspace ? { headers: { "staffgate-workspace": workspace } } : {},
          );
        return ((await res.json()) as { session: { idleTimeoutSeconds: number } }).session.idleTimeoutSeconds;
      };
      // Longer: an hour in the lab workspace, but the tenant's 15 minutes elsewhere.
      t.clock.advance(20 * MINUTE);
      expect(await me(long.id)).toBe(200);
      t.clock.advance(20 * MINUTE);
      expect(await me()).toBe(401);
      expect(await me(long.id)).toBe(200);
      // Another tenant's workspace id, or an unknown one, does not apply: the tenant's limit does.
      const foreign = await (await bAdmin()).workspaces.create({
        slug: "far",
        name: "Far",
        idleTimeoutSeconds: 3600,
      });
      t.clock.advance(20 * MINUTE);
      expect(await me(foreign.id)).toBe(401);
      expect(await me("wsp_unknown")).toBe(401);
      expect(await me(long.id)).toBe(200);
      // /auth/me reports the limit the request is judged by (the console's idle warning reads it).
      expect(await limitOf(token, long.id)).toBe(3600);
      expect(await limitOf(token)).toBe(15 * 60);

      // Shorter: 2 minutes in the kiosk workspace, and from then on for the whole session, so that
      // an unattended kiosk session cannot be picked up by leaving the header out or naming the lab.
      const kiosk = (await login(a.slug, "admin")).token;
      t.clock.advance(2 * MINUTE - SECOND);
      expect(await meWith(kiosk, short.id)).toBe(200);
      expect(await limitOf(kiosk)).toBe(120);
      expect(await limitOf(kiosk, long.id)).toBe(120);
      t.clock.advance(2 * MINUTE - SECOND);
      expect(await meWith(kiosk)).toBe(200);
      t.clock.advance(2 * MINUTE + SECOND);
      expect(await meWith(kiosk, short.id)).toBe(401);
      expect(await meWith(kiosk)).toBe(401);
      expect(await meWith(kiosk, long.id)).toBe(401);
    });

    it("gives a workspace's longer idle limit only to a user active there", async () => {
      const c = await t.createTenant();
      const cAdmin = await t.signIn(c.slug, "admin");
      const ward = await cAdmin.workspaces.create({ slug: "ward", name: "Ward" });
      const lab = await cAdmin.workspaces.create({ slug: "lab", name: "Lab", idleTimeoutSeconds: 3600 });
      const made = await createUser(
        t,
        { ...c, admin: cAdmin },
        { roleId: await roleIdByName(t, c, "Viewer"), extra: { workspaceAccess: [ward.id] } },
      );
      const token = (await login(c.slug, made.user.username)).token;
      const me = (workspace?: string) => meWith(token, workspace);
      expect(await me()).toBe(200);
      // Past the tenant's 15 minutes: naming the lab, where this user does not work, keeps nothing alive.
      t.clock.advance(16 * MINUTE);
      expect(await me(lab.id)).toBe(401);
      expect(await me()).toBe(401);

      // Once active in the lab, its hour applies to the requests that name it.
      await (await t.signIn(c.slug, "admin")).users.update(made.user.id, {
        workspaceAccess: [ward.id, lab.id],
      });
      const again = (await login(c.slug, made.user.username)).token;
      t.clock.advance(16 * MINUTE);
      const res = await t.anonymous
        .withToken(again)
        .transport.raw("GET", "/api/v1/auth/me", { headers: { "staffgate-workspace": lab.id } });
      expect(res.status).toBe(200);
      expect(
        ((await res.json()) as { session: { idleTimeoutSeconds: number } }).session.idleTimeoutSeconds,
      ).toBe(3600);
    });

    it("ends a session at the absolute limit even with constant activity", async () => {
      await (await admin()).settings.update({ absoluteTimeoutHours: 1 });
      try {
        const s = await admin();
        for (let i = 0; i < 5; i++) {
          t.clock.advance(10 * MINUTE);
          await s.auth.me();
        }
        t.clock.advance(10 * MINUTE - SECOND);
        await expect(s.auth.me()).resolves.toBeDefined();
        t.clock.advance(2 * SECOND);
        expect((await problemOf(() => s.auth.me())).status).toBe(401);
      } finally {
        await (await admin()).settings.update({ absoluteTimeoutHours: 12 });
      }
    });

    it("a lowered absolute limit reaches sessions already open; a raised one extends none", async () => {
      const s = await admin();
      const made = await createUser(t, { ...a, admin: s }, { roleId: viewer });
      for (let i = 0; i < 4; i++) {
        t.clock.advance(10 * MINUTE);
        await made.client.auth.me();
      }
      // 40 minutes after its sign-in, the limit drops to 1 hour: the session has 20 minutes left.
      await (await admin()).settings.update({ absoluteTimeoutHours: 1 });
      try {
        const me = await made.client.auth.me();
        expect(Date.parse(me.session!.expiresAt) - t.clock.now().getTime()).toBe(20 * MINUTE);
        const listed = (await made.client.auth.sessions()).items.find((x) => x.current)!;
        expect(listed.expiresAt).toBe(me.session!.expiresAt);
        t.clock.advance(10 * MINUTE);
        await made.client.auth.me();
        t.clock.advance(10 * MINUTE);
        expect((await problemOf(() => made.client.auth.me())).status).toBe(401);
        const listedNow = (await (await t.signIn(a.slug, made.user.username)).auth.sessions()).items;
        expect(listedNow.map((x) => x.id)).not.toContain(me.session!.id);
      } finally {
        await (await admin()).settings.update({ absoluteTimeoutHours: 12 });
      }
      // Raising it gives a session no more than the 12 hours it had at sign-in.
      const fresh = await t.signIn(a.slug, made.user.username);
      await (await admin()).settings.update({ absoluteTimeoutHours: 24 });
      try {
        const me = await fresh.auth.me();
        expect(Date.parse(me.session!.expiresAt) - t.clock.now().getTime()).toBe(12 * 60 * MINUTE);
      } finally {
        await (await admin()).settings.update({ absoluteTimeoutHours: 12 });
      }
    });
  });

  describe("own sessions", () => {
    it("lists the caller's own sessions with times, address, user agent and which is current", async () => {
      const made = await createUser(t, { ...a, admin: await admin() }, { roleId: viewer });
      const second = await t.signIn(a.slug, made.user.username);
      const { items } = await second.auth.sessions();
      expect(items).toHaveLength(2);
      expect(items.filter((s) => s.current)).toHaveLength(1);
      for (const s of items) {
        expect(s).toMatchObject({ ip: "127.0.0.1", purpose: "full" });
        expect(s.createdAt <= s.lastUsedAt).toBe(true);
      }
      // The administrator's sessions are not among them.
      const adminSessions = (await (await admin()).auth.sessions()).items.map((s) => s.id);
      expect(items.some((s) => adminSessions.includes(s.id))).toBe(false);
      expect(JSON.stringify(items)).not.toMatch(/token|hash|csrf/i);
    });

    it("leaves out sessions idle past the longest limit they could still be judged by", async () => {
      // A tenant of its own: no workspace of an earlier test sets a longer limit here.
      const c = await t.createTenant();
      const cAdmin = () => t.signIn(c.slug, "admin");
      const made = await createUser(
        t,
        { ...c, admin: await cAdmin() },
        { roleId: await roleIdByName(t, c, "Viewer") },
      );
      const idle = made.client;
      const idleId = (await idle.auth.me()).session!.id;
      t.clock.advance(10 * MINUTE);
      const active = await t.signIn(c.slug, made.user.username);
      const activeId = (await active.auth.me()).session!.id;
      const ids = async () => (await active.auth.sessions()).items.map((x) => x.id);
      expect((await ids()).sort()).toEqual([activeId, idleId].sort());
      t.clock.advance(8 * MINUTE);
      // 18 minutes unused against the tenant's 15: refused, so not listed.
      expect(await ids()).toEqual([activeId]);
      expect((await problemOf(() => idle.auth.me())).status).toBe(401);
      // While a workspace sets itself a longer limit, a session unused for 20 minutes could still
      // serve a request that names it: listed until that limit passes too.
      await (await cAdmin()).workspaces.create({
        slug: `long-idle-${t.clock.now().getTime()}`,
        name: "Long idle",
        idleTimeoutSeconds: 3600,
      });
      const third = await t.signIn(c.slug, made.user.username);
      const thirdId = (await third.auth.me()).session!.id;
      t.clock.advance(10 * MINUTE);
      await ids();
      t.clock.advance(10 * MINUTE);
      expect(await ids()).toContain(thirdId);
    });

    it("cuts pages from the sessions listed: no empty page while more follow, whatever is left out", async () => {
      const c = await t.createTenant();
      const made = await createUser(
        t,
        { ...c, admin: await t.signIn(c.slug, "admin") },
        { roleId: await roleIdByName(t, c, "Viewer") },
      );
      // Sessions made, then left idle past the limit, between live ones.
      const live = [made.client];
      for (let i = 0; i < 3; i++) await t.signIn(c.slug, made.user.username);
      t.clock.advance(16 * MINUTE);
      for (let i = 0; i < 2; i++) live.push(await t.signIn(c.slug, made.user.username));
      for (let i = 0; i < 3; i++) await t.signIn(c.slug, made.user.username);
      t.clock.advance(16 * MINUTE);
      for (let i = 0; i < 2; i++) live.push(await t.signIn(c.slug, made.user.username));
      const me = live.at(-1)!;
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 20; pages++) {
        const page = await me.auth.sessions({ limit: 1, ...(cursor ? { cursor } : {}) });
        expect(page.items.length === 0 && page.nextCursor !== null).toBe(false);
        seen.push(...page.items.map((x) => x.id));
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      // The two newest sessions are the only ones used within the limit; the rest idled out.
      const all = (await me.auth.sessions({ limit: 100 })).items.map((x) => x.id);
      expect(seen).toEqual(all);
      expect(all).toHaveLength(2);
    });

    it("ends one of them (the other keeps working), and 404s another user's or tenant's session", async () => {
      const made = await createUser(t, { ...a, admin: await admin() }, { roleId: viewer });
      const other = made.client;
      const me = await t.signIn(a.slug, made.user.username);
      const list = (await me.auth.sessions()).items;
      const otherId = list.find((s) => !s.current)!.id;
      await me.auth.endSession(otherId);
      expect((await problemOf(() => other.auth.me())).status).toBe(401);
      await expect(me.auth.me()).resolves.toBeDefined();
      // Another user's session (same tenant) and another tenant's: 404, identical to a missing id.
      const adm = await admin();
      const adminSession = (await adm.auth.sessions()).items.find((s) => s.current)!.id;
      const bClient = await bAdmin();
      const bSession = (await bClient.auth.sessions()).items.find((s) => s.current)!.id;
      const bodies = [];
      for (const id of [adminSession, bSession, "ses_missing0000000000000"]) {
        const res = await me.transport.raw("DELETE", `/api/v1/auth/sessions/${id}`);
        expect(res.status).toBe(404);
        bodies.push((await res.text()).replaceAll(id, "<id>"));
      }
      expect(new Set(bodies).size).toBe(1);
      await expect(adm.auth.me()).resolves.toBeDefined();
      await expect(bClient.auth.me()).resolves.toBeDefined();
      const audit = await t.db.kysely
        .selectFrom("audit_events")
        .select(["action", "changes"])
        .where("tenant_id", "=", a.id)
        .where("action", "=", "auth.session.ended")
        .execute();
      expect(audit.map((e) => JSON.parse(e.changes!).session.before)).toContain(otherId);
    });

    it("answers a stale If-Match on ending a session with 412 and ends nothing (sessions are at version 1)", async () => {
      const made = await createUser(t, { ...a, admin: await admin() }, { roleId: viewer });
      const me = await t.signIn(a.slug, made.user.username);
      const otherId = (await me.auth.sessions()).items.find((s) => !s.current)!.id;
      const stale = await problemOf(() => me.auth.endSession(otherId, { ifMatch: 999 }));
      expect([stale.status, stale.code]).toEqual([412, "PRECONDITION_FAILED"]);
      await expect(made.client.auth.me()).resolves.toBeDefined();
      await me.auth.endSession(otherId, { ifMatch: 1 });
      expect((await problemOf(() => made.client.auth.me())).status).toBe(401);
    });

    it("gives a new token on every sign-in", async () => {
      const tokens = new Set<string>();
      for (let i = 0; i < 5; i++) tokens.add((await login(a.slug, "admin")).token);
      expect(tokens.size).toBe(5);
    });
  });

  describe("concurrent-session limit (SECURITY.md E-41)", () => {
    it("a sign-in beyond maxSessionsPerUser ends the least recently used session, audited", async () => {
      const adm = await admin();
      const made = await createUser(t, { ...a, admin: adm }, { roleId: viewer });
      await adm.settings.update({ maxSessionsPerUser: 3 });
      try {
        // `made.client` is the user's first session; two more fill the limit.
        const second = await t.signIn(a.slug, made.user.username);
        t.clock.advance(2 * MINUTE);
        const third = await t.signIn(a.slug, made.user.username);
        // The first is used now (last use written), so the second is the least recently used.
        t.clock.advance(2 * MINUTE);
        await made.client.auth.me();
        expect((await made.client.auth.sessions()).items).toHaveLength(3);

        const fourth = await t.signIn(a.slug, made.user.username);
        expect((await problemOf(() => second.auth.me())).status).toBe(401);
        for (const s of [made.client, third, fourth]) await expect(s.auth.me()).resolves.toBeDefined();
        expect((await fourth.auth.sessions()).items).toHaveLength(3);

        const [event] = (await adm.audit.list({ action: "auth.session.evicted", limit: 1 })).items;
        expect(event).toMatchObject({
          target: { type: "user", id: made.user.id },
          changes: { sessionsEnded: { after: 1 }, maxSessionsPerUser: { after: 3 } },
        });

        // Lowering the limit takes effect at the next sign-in: everything beyond it ends at once.
        await adm.settings.update({ maxSessionsPerUser: 1 });
        const only = await t.signIn(a.slug, made.user.username);
        for (const s of [made.client, third, fourth])
          expect((await problemOf(() => s.auth.me())).status).toBe(401);
        expect((await only.auth.sessions()).items.map((s) => s.current)).toEqual([true]);
      } finally {
        await (await admin()).settings.update({ maxSessionsPerUser: 50 });
      }
    });

    it("keeps a session in use through a burst of sign-ins made within its first minute", async () => {
      const adm = await admin();
      const made = await createUser(t, { ...a, admin: adm }, { roleId: viewer });
      await adm.settings.update({ maxSessionsPerUser: 3 });
      try {
        const working = await t.signIn(a.slug, made.user.username);
        // In use from its first second, before its last use would be written by the minute.
        t.clock.advance(SECOND);
        await working.auth.me();
        const burst: Awaited<ReturnType<typeof t.signIn>>[] = [];
        for (let i = 0; i < 6; i++) {
          t.clock.advance(1_000);
          burst.push(await t.signIn(a.slug, made.user.username));
        }
        await expect(working.auth.me()).resolves.toBeDefined();
        // The unused ones went, oldest first: the limit holds the one in use and the newest two.
        expect((await problemOf(() => burst[3]!.auth.me())).status).toBe(401);
        for (const s of burst.slice(4)) await expect(s.auth.me()).resolves.toBeDefined();
      } finally {
        await (await admin()).settings.update({ maxSessionsPerUser: 50 });
      }
    });

    it("sessions past their absolute limit do not count", async () => {
      const adm = await admin();
      const made = await createUser(t, { ...a, admin: adm }, { roleId: viewer });
      await adm.settings.update({ maxSessionsPerUser: 2 });
      try {
        t.clock.advance(13 * 60 * MINUTE);
        const fresh = await t.signIn(a.slug, made.user.username);
        const again = await t.signIn(a.slug, made.user.username);
        for (const s of [fresh, again]) await expect(s.auth.me()).resolves.toBeDefined();
        const evicted = await t.db.kysely
          .selectFrom("audit_events")
          .select("id")
          .where("tenant_id", "=", a.id)
          .where("action", "=", "auth.session.evicted")
          .where("target_id", "=", made.user.id)
          .execute();
        expect(evicted).toHaveLength(0);
      } finally {
        await (await admin()).settings.update({ maxSessionsPerUser: 50 });
      }
    });

    it("refuses a limit outside 1 to 100, naming the field", async () => {
      for (const bad of [0, 101, 2.5]) {
        const p = await problemOf(() => admin().then((s) => s.settings.update({ maxSessionsPerUser: bad })));
        expect([p.status, p.code, p.errors?.[0]?.path]).toEqual([
          400,
          "VALIDATION_FAILED",
          "maxSessionsPerUser",
        ]);
      }
    });
  });

  describe("confined sessions", () => {
    it("mustChangePassword: only /auth/me, /auth/logout and /auth/password; the rest is 403 PASSWORD_CHANGE_REQUIRED", async () => {
      const adm = await admin();
      const made = await createUser(
        t,
        { ...a, admin: adm },
        {
          roleId: await roleIdByName(t, a, "Administrator"),
          extra: { mustChangePassword: true },
        },
      );
      const res = await login(a.slug, made.user.username);
      expect([res.mustChangePassword, res.purpose]).toEqual([true, "password_change"]);
      const s = t.anonymous.withToken(res.token);
      expect((await s.auth.me()).session?.purpose).toBe("password_change");
      for (const [method, url] of [
        ["GET", "/api/v1/workspaces"],
        ["GET", "/api/v1/users"],
        ["GET", "/api/v1/auth/sessions"],
        ["POST", "/api/v1/auth/mfa/totp"],
      ] as const) {
        const r = await s.transport.raw(method, url);
        expect(r.status, `${method} ${url}`).toBe(403);
        expect(((await r.json()) as { code: string }).code).toBe("PASSWORD_CHANGE_REQUIRED");
      }
      // The password change itself is let through (whatever it answers on its merits).
      const change = await s.transport.raw("POST", "/api/v1/auth/password", { body: {} });
      expect(change.status).not.toBe(403);
      // Once changed, the same session goes on as a full one.
      await s.credentials.changePassword({
        currentPassword: CANARY_PASSWORD,
        newPassword: "violet-harbour-lantern-0420",
      });
      expect((await s.auth.me()).session?.purpose).toBe("full");
      expect(await status(s.transport.raw("GET", "/api/v1/workspaces"))).toBe(200);
      expect(await status(s.transport.raw("POST", "/api/v1/auth/logout"))).toBe(204);
    });

    it("MFA enrolment session: only /auth/me, /auth/logout and /auth/mfa/*; the rest is 403 MFA_ENROLMENT_REQUIRED", async () => {
      const administrator = await admin();
      const made = await createUser(t, { ...a, admin: administrator }, { roleId: viewer });
      await administrator.settings.update({ mfaRequired: "all" });
      try {
        const res = await login(a.slug, made.user.username);
        expect(res.purpose).toBe("mfa_enrolment");
        const s = t.anonymous.withToken(res.token);
        await expect(s.auth.me()).resolves.toBeDefined();
        const denied = await s.transport.raw("GET", "/api/v1/workspaces");
        expect(denied.status).toBe(403);
        expect(((await denied.json()) as { code: string }).code).toBe("MFA_ENROLMENT_REQUIRED");
        const enrol = await s.transport.raw("POST", "/api/v1/auth/mfa/totp");
        expect(enrol.status).not.toBe(403);
        expect(enrol.status).not.toBe(401);
      } finally {
        await administrator.settings.update({ mfaRequired: "off" });
      }
    });
  });

  describe("console cookie and CSRF", () => {
    const cookieLogin = async (user = "admin") => {
      const res = await t.app.inject({
        method: "POST",
        url: "/api/v1/auth/login",
        payload: { tenant: a.slug, login: user, password: CANARY_PASSWORD },
      });
      expect(res.statusCode).toBe(200);
      const setCookie = res.headers["set-cookie"] as string[];
      const body = res.json() as { token: string; csrfToken: string; user: { id: string } };
      return { setCookie, body, cookie: `__Host-staffgate_session=${body.token}` };
    };

    it("sets __Host- cookies with Path=/, HttpOnly, Secure, SameSite=Strict and no Domain", async () => {
      const { setCookie, body } = await cookieLogin();
      expect(setCookie).toHaveLength(2);
      const session = setCookie.find((c) => c.startsWith("__Host-staffgate_session="))!;
      expect(session).toBe(
        `__Host-staffgate_session=${body.token}; Path=/; HttpOnly; Secure; SameSite=Strict`,
      );
      const csrf = setCookie.find((c) => c.startsWith("__Host-staffgate_csrf="))!;
      expect(csrf).toBe(`__Host-staffgate_csrf=${body.csrfToken}; Path=/; Secure; SameSite=Strict`);
      expect(setCookie.join(";")).not.toMatch(/domain=/i);
      expect(body.csrfToken).toMatch(/^csrf_[A-Za-z0-9_-]{43}$/);
    });

    it("authenticates by cookie; unsafe methods need the matching X-CSRF-Token, bearer needs none", async () => {
      const { body, cookie } = await cookieLogin();
      const get = await t.app.inject({ method: "GET", url: "/api/v1/auth/me", headers: { cookie } });
      expect(get.statusCode).toBe(200);
      const create = (headers: Record<string, string>, slug: string) =>
        t.app.inject({
          method: "POST",
          url: "/api/v1/workspaces",
          headers: { "content-type": "application/json", ...headers },
          payload: JSON.stringify({ slug, name: slug }),
        });
      const none = await create({ cookie }, "csrf-none");
      expect(none.statusCode).toBe(403);
      expect((none.json() as { code: string }).code).toBe("CSRF_TOKEN_INVALID");
      const wrong = await create({ cookie, "x-csrf-token": "csrf_wrong" }, "csrf-wrong");
      expect(wrong.statusCode).toBe(403);
      const ok = await create({ cookie, "x-csrf-token": body.csrfToken }, "csrf-ok");
      expect(ok.statusCode).toBe(201);
      const bearer = await create({ authorization: `Bearer ${body.token}` }, "csrf-bearer");
      expect(bearer.statusCode).toBe(201);
      // Another session's CSRF token does not fit this session.
      const other = await cookieLogin();
      const crossed = await create({ cookie, "x-csrf-token": other.body.csrfToken }, "csrf-crossed");
      expect(crossed.statusCode).toBe(403);
      const slugs = (await (await admin()).workspaces.list()).items.map((w) => w.slug);
      expect(slugs).toEqual(expect.arrayContaining(["csrf-ok", "csrf-bearer"]));
      expect(slugs).not.toContain("csrf-none");
      expect(slugs).not.toContain("csrf-wrong");
      expect(slugs).not.toContain("csrf-crossed");
      // Each refusal is recorded against the session's person: an attempt to bypass a control
      // (ASVS 16.3.3), such as a forged cross-site request.
      const refused = (await (await admin()).audit.list({ action: "authz.failed", limit: 200 })).items.filter(
        (e) => e.changes?.code?.after === "CSRF_TOKEN_INVALID",
      );
      expect(refused.map((e) => [e.actor.id, e.target?.label, e.outcome])).toEqual(
        Array.from({ length: 3 }, () => [body.user.id, "POST /api/v1/workspaces", "denied"]),
      );
    });

    it("refuses a cross-origin form POST that carries only the cookie (SECURITY.md E)", async () => {
      const { cookie } = await cookieLogin();
      for (const contentType of [
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "text/plain",
      ]) {
        const res = await t.app.inject({
          method: "POST",
          url: "/api/v1/workspaces",
          headers: { cookie, origin: "https://evil.example", "content-type": contentType },
          payload: contentType.startsWith("multipart")
            ? '--x\r\nContent-Disposition: form-data; name="slug"\r\n\r\nevil\r\n--x--\r\n'
            : "slug=evil&name=evil",
        });
        expect([403, 415], `${contentType}: ${res.body}`).toContain(res.statusCode);
      }
      // Even a JSON body (which a form cannot send) is refused without the CSRF header.
      const json = await t.app.inject({
        method: "POST",
        url: "/api/v1/workspaces",
        headers: { cookie, origin: "https://evil.example", "content-type": "application/json" },
        payload: JSON.stringify({ slug: "evil", name: "evil" }),
      });
      expect(json.statusCode).toBe(403);
      const slugs = (await (await admin()).workspaces.list()).items.map((w) => w.slug);
      expect(slugs).not.toContain("evil");
    });

    it("logout by cookie (with CSRF) ends the session and clears both cookies", async () => {
      const { body, cookie } = await cookieLogin();
      const refused = await t.app.inject({ method: "POST", url: "/api/v1/auth/logout", headers: { cookie } });
      expect(refused.statusCode).toBe(403);
      const out = await t.app.inject({
        method: "POST",
        url: "/api/v1/auth/logout",
        headers: { cookie, "x-csrf-token": body.csrfToken },
      });
      expect(out.statusCode).toBe(204);
      const cleared = out.headers["set-cookie"] as string[];
      expect(cleared).toEqual([
        "__Host-staffgate_session=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0",
        "__Host-staffgate_csrf=; Path=/; Secure; SameSite=Strict; Max-Age=0",
      ]);
      const after = await t.app.inject({ method: "GET", url: "/api/v1/auth/me", headers: { cookie } });
      expect(after.statusCode).toBe(401);
    });

    it("a cookie value from before sign-in is not valid after it, and sign-in sets a new one", async () => {
      const planted = "sgs_plantedByAnAttacker0000000000000000000000";
      const res = await t.app.inject({
        method: "POST",
        url: "/api/v1/auth/login",
        headers: { cookie: `__Host-staffgate_session=${planted}` },
        payload: { tenant: a.slug, login: "admin", password: CANARY_PASSWORD },
      });
      expect(res.statusCode).toBe(200);
      expect((res.headers["set-cookie"] as string[])[0]).not.toContain(planted);
      const me = await t.app.inject({
        method: "GET",
        url: "/api/v1/auth/me",
        headers: { cookie: `__Host-staffgate_session=${planted}` },
      });
      expect(me.statusCode).toBe(401);
    });

    it("a session the client already holds ends when it signs in again, by cookie or bearer (E-36)", async () => {
      const me = (headers: Record<string, string>) =>
        t.app.inject({ method: "GET", url: "/api/v1/auth/me", headers });
      for (const present of [
        (token: string) => ({ cookie: `__Host-staffgate_session=${token}` }),
        (token: string) => ({ authorization: `Bearer ${token}` }),
      ]) {
        const { body: old } = await cookieLogin();
        expect((await me(present(old.token))).statusCode).toBe(200);
        const again = await t.app.inject({
          method: "POST",
          url: "/api/v1/auth/login",
          headers: present(old.token),
          payload: { tenant: a.slug, login: "admin", password: CANARY_PASSWORD },
        });
        expect(again.statusCode).toBe(200);
        const fresh = again.json() as { token: string };
        expect(fresh.token).not.toBe(old.token);
        expect((await me(present(old.token))).statusCode).toBe(401);
        expect((await me(present(fresh.token))).statusCode).toBe(200);
      }
      const [ended] = (await (await admin()).audit.list({ action: "auth.logout", limit: 1 })).items;
      expect(ended?.changes).toMatchObject({ cause: { after: "a new sign-in from the same client" } });
    });

    it("the SDK's client works unchanged with bearer tokens", async () => {
      const { token } = await login(a.slug, "admin");
      const client = new Staffgate({ baseUrl: "http://staffgate.test", fetch: injectFetch(t.app), token });
      await expect(client.auth.me()).resolves.toBeDefined();
    });
  });
});
