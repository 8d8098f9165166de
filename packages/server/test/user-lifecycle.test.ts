import { archiveExpiredUsers } from "@staffgate/core";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendAudit } from "../../core/src/audit/audit-writer.ts";
import { noRequest } from "../../core/src/shared/context.ts";
import { inTx } from "../../core/src/shared/tx.ts";
import {
  CANARY_PASSWORD,
  problemOf,
  startTestApp,
  TEST_DB,
  type TestApp,
  type TestTenant,
} from "./harness.ts";
import {
  activeAdministrators,
  auditOf,
  createRole,
  createUser,
  inviteUser,
  liveLinks,
  roleIdByName,
  userRow,
} from "./lifecycle-fixtures.ts";

const HOUR = 3_600_000;

describe(`user lifecycle (${process.env.STAFFGATE_TEST_DB ?? "sqlite"})`, () => {
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;
  let viewer: string;
  beforeAll(async () => {
    t = await startTestApp();
    a = await t.createTenant();
    // These tests move the fake clock by hours and keep using sessions: allow the longest idle limit.
    await a.admin.settings.update({ idleTimeoutMinutes: 480 });
    b = await t.createTenant();
    viewer = await roleIdByName(t, a, "Viewer");
  });
  afterAll(() => t.close());

  it("deactivates (sessions end at once) and reactivates, auditing status before/after", async () => {
    const { user, client } = await createUser(t, a, { roleId: viewer });
    await expect(client.auth.me()).resolves.toMatchObject({ user: { id: user.id } });
    const res = await a.admin.transport.raw("POST", `/api/v1/users/${user.id}/deactivate`);
    expect(res.status).toBe(200);
    expect(res.headers.get("etag")).toBe(`"${user.version + 1}"`);
    expect(await res.json()).toMatchObject({ status: "inactive", version: user.version + 1 });
    expect((await problemOf(() => client.auth.me())).status).toBe(401);
    expect((await problemOf(() => t.signIn(a.slug, user.username))).status).toBe(401);
    const back = await a.admin.userActions.reactivate(user.id);
    expect(back.status).toBe("active");
    await expect((await t.signIn(a.slug, user.username)).auth.me()).resolves.toBeTruthy();
    const audit = await auditOf(t, a, user.id);
    expect(audit.filter((e) => e.action.startsWith("user.") && e.action !== "user.created")).toEqual([
      expect.objectContaining({
        action: "user.deactivated",
        actor_id: a.adminUserId,
        changes: { status: { before: "active", after: "inactive" } },
      }),
      expect.objectContaining({
        action: "user.reactivated",
        changes: { status: { before: "inactive", after: "active" } },
      }),
    ]);
  });

  it("switches off and on with PATCH { active } (SECURITY.md 38's form): the same cut-off, guards and audit", async () => {
    const { user, client } = await createUser(t, a, { roleId: viewer });
    const patch = (body: object, version?: number) =>
      a.admin.transport.raw("PATCH", `/api/v1/users/${user.id}`, {
        body,
        ...(version !== undefined ? { headers: { "if-match": `"${version}"` } } : {}),
      });
    // A stale If-Match changes nothing.
    expect((await patch({ active: false }, user.version - 1)).status).toBe(412);
    await expect(client.auth.me()).resolves.toBeTruthy();

    const off = await patch({ active: false, title: "Left" }, user.version);
    expect(off.status).toBe(200);
    expect(await off.json()).toMatchObject({ status: "inactive", title: "Left", version: user.version + 2 });
    expect((await problemOf(() => client.auth.me())).status).toBe(401);
    expect((await problemOf(() => t.signIn(a.slug, user.username))).status).toBe(401);
    // Already off: nothing to do, nothing audited.
    expect(await (await patch({ active: false })).json()).toMatchObject({ version: user.version + 2 });

    const on = await patch({ active: true });
    expect(await on.json()).toMatchObject({ status: "active", version: user.version + 3 });
    await expect((await t.signIn(a.slug, user.username)).auth.me()).resolves.toBeTruthy();
    expect(
      (await auditOf(t, a, user.id)).filter((e) => /^user\.(deactivated|reactivated)$/.test(e.action)),
    ).toEqual([
      expect.objectContaining({ action: "user.deactivated", actor_id: a.adminUserId }),
      expect.objectContaining({ action: "user.reactivated", actor_id: a.adminUserId }),
    ]);
    // One's own account is not switched off this way either; a non-boolean is named.
    const self = await problemOf(() => a.admin.users.update(a.adminUserId, { active: false }));
    expect([self.status, self.code]).toEqual([409, "LAST_ADMINISTRATOR"]);
    // Archived, it is restored first, whichever value is sent.
    await a.admin.userActions.archive(user.id);
    for (const active of [true, false]) {
      const archived = await problemOf(() => a.admin.users.update(user.id, { active }));
      expect([archived.status, archived.code, archived.errors?.[0]?.path]).toEqual([
        409,
        "USER_STATE_INVALID",
        "active",
      ]);
    }
    // Named beside the other fields an archived user keeps; a stale If-Match is 412 before all that.
    const both = await problemOf(() => a.admin.users.update(user.id, { title: "Dr", active: false }));
    expect(both.errors?.map((e) => e.path).sort()).toEqual(["active", "title"]);
    const archivedVersion = (await a.admin.users.get(user.id)).version;
    expect((await patch({ active: true }, archivedVersion - 1)).status).toBe(412);
    expect((await userRow(t, a, user.id))?.status).toBe("archived");
    const bad = await a.admin.transport.raw("PATCH", `/api/v1/users/${user.id}`, { body: { active: "no" } });
    const refused = (await bad.json()) as { errors?: { path: string }[] };
    expect([bad.status, refused.errors?.[0]?.path]).toEqual([400, "active"]);
  });

  it("archives on DELETE (200 user, sessions end) and restores keeping role, workspaces and fields", async () => {
    const ws = await a.admin.workspaces.create({ slug: "arch-ws", name: "Arch" });
    const dosimetrist = await roleIdByName(t, a, "Dosimetrist");
    const { user: created, client } = await createUser(t, a, {
      roleId: viewer,
      extra: {
        title: "Dr",
        employeeNumber: "E-77",
        workspaceAccess: [ws.id],
        workspaceRoles: [{ workspaceId: ws.id, roleId: dosimetrist }],
      },
    });
    const user = await a.admin.users.get(created.id);
    const res = await a.admin.transport.raw("DELETE", `/api/v1/users/${user.id}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: user.id, status: "archived" });
    expect((await problemOf(() => client.auth.me())).status).toBe(401);
    expect((await userRow(t, a, user.id))?.archived_from).toBe("active");
    const restored = await a.admin.userActions.restore(user.id);
    const { version, updatedAt, ...rest } = restored;
    const { version: v0, updatedAt: u0, ...before } = user;
    expect(rest).toEqual(before);
    expect(version).toBe(v0 + 2);
    expect((await userRow(t, a, user.id))?.archived_from).toBeNull();
    expect((await auditOf(t, a, user.id)).map((e) => e.action)).toEqual(
      expect.arrayContaining(["user.archived", "user.restored"]),
    );
  });

  it("restores to active (PRODUCT.md), a deactivated user too, who can then sign in; invited stays invited", async () => {
    const { user } = await createUser(t, a, { roleId: viewer });
    await a.admin.userActions.deactivate(user.id);
    await a.admin.userActions.archive(user.id);
    expect((await a.admin.userActions.restore(user.id)).status).toBe("active");
    await expect(t.signIn(a.slug, user.username)).resolves.toBeDefined();
    const invited = await inviteUser(t, a);
    await a.admin.userActions.archive(invited.id);
    expect((await a.admin.userActions.restore(invited.id)).status).toBe("invited");
    // Switched off before it ever set a password, then archived: still no password, so invited
    // again with a new link (it came back active, unable to sign in, and counted as a seat).
    const never = await inviteUser(t, a);
    await a.admin.userActions.deactivate(never.id);
    await a.admin.userActions.archive(never.id);
    expect((await a.admin.userActions.restore(never.id)).status).toBe("invited");
    const links = await liveLinks(t, a, never.id, "invitation");
    expect(links).toHaveLength(1);
    // The same when the expiry job archives it.
    const expiring = await inviteUser(t, a);
    await a.admin.users.update(expiring.id, {
      expiresAt: new Date(t.clock.now().getTime() + 60_000).toISOString(),
    });
    await a.admin.userActions.deactivate(expiring.id);
    t.clock.advance(60_001);
    await archiveExpiredUsers(t.app.core.deps);
    expect((await a.admin.userActions.restore(expiring.id, { expiresAt: null })).status).toBe("invited");
  });

  it.each([
    ["deactivate", "inactive"],
    ["reactivate", "active"],
    ["restore", "active"],
  ] as const)(
    "refuses %s on a user who is %s with 409 USER_STATE_INVALID, changing nothing",
    async (verb, status) => {
      const { user } = await createUser(t, a, { roleId: viewer });
      if (status === "inactive") await a.admin.userActions.deactivate(user.id);
      const read = await a.admin.users.get(user.id);
      const p = await problemOf(() => a.admin.userActions[verb](user.id));
      expect(p.status).toBe(409);
      expect(p.code).toBe("USER_STATE_INVALID");
      expect(await a.admin.users.get(user.id)).toEqual(read);
    },
  );

  it("refuses to archive an archived user", async () => {
    const { user } = await createUser(t, a, { roleId: viewer });
    await a.admin.userActions.archive(user.id);
    expect((await problemOf(() => a.admin.userActions.archive(user.id))).code).toBe("USER_STATE_INVALID");
  });

  it("refuses to restore an expired account without a new future expiry or none", async () => {
    const expiresAt = new Date(t.clock.now().getTime() + HOUR).toISOString();
    const { user } = await createUser(t, a, { roleId: viewer, extra: { expiresAt } });
    await a.admin.userActions.archive(user.id);
    t.clock.advance(2 * HOUR);
    const expired = await problemOf(() => a.admin.userActions.restore(user.id));
    expect(expired.status).toBe(422);
    expect(expired.code).toBe("USER_EXPIRED");
    const past = await problemOf(() => a.admin.userActions.restore(user.id, { expiresAt }));
    expect(past.status).toBe(400);
    expect(past.errors[0]?.path).toBe("expiresAt");
    expect((await a.admin.users.get(user.id)).status).toBe("archived");
    const later = new Date(t.clock.now().getTime() + 24 * HOUR).toISOString();
    const restored = await a.admin.userActions.restore(user.id, { expiresAt: later });
    expect(restored).toMatchObject({ status: "active", expiresAt: later });
    await a.admin.userActions.archive(user.id);
    t.clock.advance(48 * HOUR);
    // The fake clock also ended every session (absolute timeout): sign the administrators in again.
    a = { ...a, admin: await t.signIn(a.slug, "admin") };
    b = { ...b, admin: await t.signIn(b.slug, "admin") };
    expect((await a.admin.userActions.restore(user.id, { expiresAt: null })).expiresAt).toBeNull();
  });

  it("forbids deactivating, archiving or purging yourself: the only administrator hears LAST_ADMINISTRATOR", async () => {
    const self = [
      () => a.admin.userActions.deactivate(a.adminUserId),
      () => a.admin.userActions.archive(a.adminUserId),
    ];
    // Alone: the deeper reason, the one API.md names.
    for (const action of self) {
      const p = await problemOf(action);
      expect([p.status, p.code]).toEqual([409, "LAST_ADMINISTRATOR"]);
    }
    // With another administrator: nobody does these to themselves all the same.
    const other = await createUser(t, a, { roleId: (await a.admin.auth.me()).user.roleId });
    try {
      for (const action of [...self, () => a.admin.userActions.purge(a.adminUserId)]) {
        const p = await problemOf(action);
        expect([p.status, p.code]).toEqual([403, "SELF_ACTION_FORBIDDEN"]);
      }
    } finally {
      await a.admin.userActions.archive(other.user.id);
    }
    expect((await a.admin.auth.me()).user.status).toBe("active");
  });

  it("lets an actor act only on users whose grants it holds itself (403 PRIVILEGE_ESCALATION)", async () => {
    const clerkRole = await createRole(a, ["users.view"]);
    const managerRole = await createRole(a, ["users.view", "users.manage", "users.credentials"]);
    const manager = await createUser(t, a, { roleId: managerRole });
    const clerk = await createUser(t, a, { roleId: clerkRole });
    const boss = await createUser(t, a);
    for (const action of [
      () => manager.client.userActions.deactivate(boss.user.id),
      () => manager.client.userActions.archive(boss.user.id),
      () => manager.client.userActions.unlock(boss.user.id),
      () => manager.client.userActions.revokeSessions(boss.user.id),
    ]) {
      const p = await problemOf(action);
      expect(p.code).toBe("PRIVILEGE_ESCALATION");
      expect(p.problem.detail).toContain("roles.manage");
    }
    await expect(boss.client.auth.me()).resolves.toMatchObject({ user: { status: "active" } });
    const denied = await problemOf(() => clerk.client.userActions.deactivate(manager.user.id));
    expect([denied.status, denied.code]).toEqual([403, "FORBIDDEN"]);
    await expect(manager.client.userActions.deactivate(clerk.user.id)).resolves.toMatchObject({
      status: "inactive",
    });
  });

  it("purges a user without history: no row of any table keeps its id, audit keeps id and username", async () => {
    const invited = await inviteUser(t, a);
    // What an administrator can leave on a user who never signed in: a typed password (its hash
    // and history), a reset link, an invitation link, a patient grant.
    await a.admin.credentials.setUserPassword(invited.id, { password: "a purged password 0001" });
    await a.admin.credentials.setUserPassword(invited.id, { sendResetLink: true });
    await t.db.kysely
      .insertInto("patient_grants")
      .values({
        tenant_id: a.id,
        id: "grt_purge1",
        user_id: invited.id,
        patient_ref: "P-1",
        workspace_id: null,
        granted_by: a.adminUserId,
        reason: null,
        expires_at: null,
        created_at: t.clock.now().toISOString(),
      })
      .execute();
    const tables = await tablesWithUserId(t);
    expect(tables).toContain("credential_tokens");
    expect(await rowsOf(t, tables, invited.id)).not.toEqual([]);
    const res = await a.admin.transport.raw("POST", `/api/v1/users/${invited.id}/purge`);
    expect(res.status).toBe(204);
    expect((await problemOf(() => a.admin.users.get(invited.id))).status).toBe(404);
    expect(await userRow(t, a, invited.id)).toBeUndefined();
    // Every table with a user_id column, read from the schema: a table added later is covered too.
    expect(await rowsOf(t, tables, invited.id)).toEqual([]);
    const audit = await auditOf(t, a, invited.id);
    expect(audit.at(-1)).toMatchObject({ action: "user.purged", target_label: invited.username });
  });

  it("purges a user whom others named in failed sign-ins, a lockout and a forgot-password request", async () => {
    // Created with a password and never signed in: no history of its own.
    const invited = await a.admin.users.create({
      username: "never-signed-in",
      email: "never-signed-in@example.org",
      firstName: "Nev",
      lastName: "Er",
      roleId: viewer,
      password: CANARY_PASSWORD,
    } as never);
    // Anyone can cause these without being the user: they are not the user's history.
    for (let i = 0; i < 5; i++) {
      const p = await problemOf(() =>
        t.anonymous.auth.login({
          tenant: a.slug,
          login: invited.username,
          password: "not the password at all",
        }),
      );
      expect(p.code).toBe("INVALID_CREDENTIALS");
    }
    await t.anonymous.credentials.forgotPassword({ tenant: a.slug, email: invited.email });
    // Recorded before this was fixed: a failure that named the user as actor (never rewritten).
    await inTx(t.app.core.deps, (trx) =>
      appendAudit(
        t.app.core.deps,
        trx,
        { ...noRequest, tenantId: a.id, actor: { type: "user", id: invited.id, label: invited.username } },
        { action: "auth.login.failed", target: { type: "user", id: invited.id }, outcome: "failure" },
      ),
    );
    const res = await a.admin.transport.raw("POST", `/api/v1/users/${invited.id}/purge`);
    expect(res.status).toBe(204);
    // The audit still says what happened to the account, without claiming the user did it.
    const audit = await auditOf(t, a, invited.id);
    const attempts = audit.filter((e) => ["auth.login.failed", "auth.locked"].includes(e.action));
    expect(attempts.map((e) => e.action)).toEqual([
      ...Array(5).fill("auth.login.failed"),
      "auth.locked",
      "auth.login.failed",
    ]);
    expect(
      attempts.slice(0, 6).every((e) => e.actor_type === "anonymous" && e.actor_id === "anonymous"),
    ).toBe(true);
  });

  it("refuses to purge a user with history (signed in, acted, or granted access) with 409", async () => {
    const { user } = await createUser(t, a, { roleId: viewer });
    const signedIn = await problemOf(() => a.admin.userActions.purge(user.id));
    expect([signedIn.status, signedIn.code]).toEqual([409, "USER_HAS_HISTORY"]);
    expect(signedIn.problem.detail).toMatch(/deactivate or archive/);
    // Without the sign-in timestamp, the audit events it wrote as actor still count.
    await t.db.kysely
      .updateTable("users")
      .set({ last_login_at: null })
      .where("tenant_id", "=", a.id)
      .where("id", "=", user.id)
      .execute();
    expect((await problemOf(() => a.admin.userActions.purge(user.id))).code).toBe("USER_HAS_HISTORY");
    const granter = await inviteUser(t, a);
    await t.db.kysely
      .insertInto("patient_grants")
      .values({
        tenant_id: a.id,
        id: "grt_hist1",
        user_id: a.adminUserId,
        patient_ref: "P-2",
        workspace_id: null,
        granted_by: granter.id,
        reason: null,
        expires_at: null,
        created_at: t.clock.now().toISOString(),
      })
      .execute();
    expect((await problemOf(() => a.admin.userActions.purge(granter.id))).code).toBe("USER_HAS_HISTORY");
    expect(await userRow(t, a, granter.id)).toBeDefined();
  });

  it("refuses to purge an integration user whose API token acted (the events name the token)", async () => {
    const reader = await createRole(a, ["users.view"]);
    const created = await a.admin.apiTokens.create({ name: `Exporter ${Date.now()}`, roleId: reader });
    const token = t.anonymous.withToken(created.token);
    await token.transport.raw("GET", "/api/v1/users/export", {});
    await a.admin.apiTokens.revoke(created.id);
    const principal = (await a.admin.apiTokens.get(created.id)).userId;
    const refused = await problemOf(() => a.admin.userActions.purge(principal));
    expect([refused.status, refused.code]).toEqual([409, "USER_HAS_HISTORY"]);
    expect(refused.problem.detail).toMatch(/API token/);
    // A token that never acted leaves a principal without history.
    const idle = await a.admin.apiTokens.create({ name: `Idle ${Date.now()}`, roleId: reader });
    await a.admin.apiTokens.revoke(idle.id);
    await a.admin.userActions.purge((await a.admin.apiTokens.get(idle.id)).userId);
  });

  it("refuses a body on an action that takes none, naming it, and changes nothing", async () => {
    const { user } = await createUser(t, a, { roleId: viewer });
    const res = await a.admin.transport.raw("POST", `/api/v1/users/${user.id}/deactivate`, {
      body: { random: true },
    });
    expect(res.status).toBe(400);
    const problem = (await res.json()) as { code: string; errors: { path: string }[] };
    expect([problem.code, problem.errors.map((e) => e.path)]).toEqual(["VALIDATION_FAILED", ["(body)"]]);
    expect((await a.admin.users.get(user.id)).status).toBe("active");
  });

  it("unlocks (users.credentials): clears locked, lockedUntil and failed attempts", async () => {
    const { user } = await createUser(t, a, { roleId: viewer });
    await t.db.kysely
      .updateTable("users")
      .set({ locked: 1, locked_until: "2099-01-01T00:00:00.000Z", failed_attempts: 5 })
      .where("tenant_id", "=", a.id)
      .where("id", "=", user.id)
      .execute();
    const clerk = await createUser(t, a, { roleId: await createRole(a, ["users.view", "users.manage"]) });
    expect((await problemOf(() => clerk.client.userActions.unlock(user.id))).code).toBe("FORBIDDEN");
    const unlocked = await a.admin.userActions.unlock(user.id);
    expect(unlocked).toMatchObject({ locked: false, lockedUntil: null });
    expect((await userRow(t, a, user.id))?.failed_attempts).toBe(0);
    expect((await auditOf(t, a, user.id)).at(-1)?.action).toBe("user.unlocked");
  });

  it("audits unlocking a user who is not locked, and leaves the user as it was", async () => {
    const { user } = await createUser(t, a, { roleId: viewer });
    const before = await a.admin.users.get(user.id);
    const unlocked = await a.admin.userActions.unlock(user.id);
    expect(unlocked).toMatchObject({ locked: false, lockedUntil: null, version: before.version });
    expect((await auditOf(t, a, user.id)).at(-1)).toMatchObject({
      action: "user.unlocked",
      changes: { locked: { before: false, after: false }, failedAttempts: { before: 0, after: 0 } },
    });
  });

  it("refuses to unlock an archived user (409, restore first), changing and auditing nothing", async () => {
    const { user } = await createUser(t, a, { roleId: viewer });
    await t.db.kysely
      .updateTable("users")
      .set({ locked: 1, failed_attempts: 5 })
      .where("tenant_id", "=", a.id)
      .where("id", "=", user.id)
      .execute();
    await a.admin.userActions.archive(user.id);
    const before = await a.admin.users.get(user.id);
    const eventsBefore = (await auditOf(t, a, user.id)).length;
    const p = await problemOf(() => a.admin.userActions.unlock(user.id));
    expect(`${p.status} ${p.code}`).toBe("409 USER_STATE_INVALID");
    // Its second factor neither: a restore brought the account back without it.
    const mfa = await problemOf(() => a.admin.mfa.reset(user.id));
    expect(`${mfa.status} ${mfa.code}`).toBe("409 USER_STATE_INVALID");
    expect(await a.admin.users.get(user.id)).toEqual(before);
    expect((await auditOf(t, a, user.id)).length).toBe(eventsBefore);
  });

  it("ends all of a user's sessions on request (204) and audits it", async () => {
    const { user, client } = await createUser(t, a, { roleId: viewer });
    const second = await t.signIn(a.slug, user.username);
    const res = await a.admin.transport.raw("POST", `/api/v1/users/${user.id}/sessions/revoke`);
    expect(res.status).toBe(204);
    expect((await problemOf(() => client.auth.me())).status).toBe(401);
    expect((await problemOf(() => second.auth.me())).status).toBe(401);
    expect((await auditOf(t, a, user.id)).at(-1)).toMatchObject({
      action: "user.sessions_revoked",
      changes: { sessionsEnded: { after: 2 } },
    });
  });

  it("answers 412 to a stale If-Match and changes nothing (the user's session survives)", async () => {
    const { user, client } = await createUser(t, a, { roleId: viewer });
    const p = await problemOf(() => a.admin.userActions.deactivate(user.id, { ifMatch: user.version + 5 }));
    expect([p.status, p.code]).toEqual([412, "PRECONDITION_FAILED"]);
    await expect(client.auth.me()).resolves.toMatchObject({ user: { status: "active" } });
    // Ending the sessions honours If-Match as every other action on a user does (it had ignored it).
    const stale = await problemOf(() =>
      a.admin.userActions.revokeSessions(user.id, { ifMatch: user.version + 5 }),
    );
    expect([stale.status, stale.code]).toEqual([412, "PRECONDITION_FAILED"]);
    await expect(client.auth.me()).resolves.toMatchObject({ user: { status: "active" } });
    expect((await auditOf(t, a, user.id)).map((e) => e.action)).not.toContain("user.sessions_revoked");
    await a.admin.userActions.revokeSessions(user.id, { ifMatch: user.version });
    expect((await problemOf(() => client.auth.me())).status).toBe(401);
    await expect(a.admin.userActions.deactivate(user.id, { ifMatch: user.version })).resolves.toBeTruthy();
  });

  it("answers another tenant's user id exactly like a missing one, for every action", async () => {
    const user = await a.admin.users.get((await createUser(t, a, { roleId: viewer })).user.id);
    const actions: [string, string][] = [
      ["DELETE", ""],
      ["POST", "/restore"],
      ["POST", "/deactivate"],
      ["POST", "/reactivate"],
      ["POST", "/unlock"],
      ["POST", "/purge"],
      ["POST", "/sessions/revoke"],
    ];
    for (const [method, suffix] of actions) {
      const foreign = await b.admin.transport.raw(method, `/api/v1/users/${user.id}${suffix}`);
      const missing = await b.admin.transport.raw(method, `/api/v1/users/usr_missing0000000000000${suffix}`);
      expect(foreign.status, suffix).toBe(404);
      expect(await foreign.json()).toEqual(await missing.json());
    }
    expect(await a.admin.users.get(user.id)).toEqual(user);
  });

  it("refuses an expiry date on the last administrator whose account does not expire", async () => {
    const c = await t.createTenant();
    const administrator = await roleIdByName(t, c, "Administrator");
    // An integration token holding the Administrator role: a virtual user, never an administrator.
    const token = await c.admin.apiTokens.create({ name: "Provisioning", roleId: administrator });
    const app = t.anonymous.withToken(token.token);
    const expiresAt = new Date(t.clock.now().getTime() + 86_400_000).toISOString();
    const before = await c.admin.users.get(c.adminUserId);
    const refused = await problemOf(() => app.users.update(c.adminUserId, { expiresAt }));
    expect(`${refused.status} ${refused.code}`).toBe("409 LAST_ADMINISTRATOR");
    expect(await c.admin.users.get(c.adminUserId)).toEqual(before);
    // An ordinary user may be given one; so may an administrator once another never expires.
    const staff = await createUser(t, c, { roleId: await roleIdByName(t, c, "Viewer") });
    expect((await app.users.update(staff.user.id, { expiresAt })).expiresAt).toBe(expiresAt);
    const second = await createUser(t, c);
    expect((await app.users.update(c.adminUserId, { expiresAt })).expiresAt).toBe(expiresAt);
    // And then the other one may not.
    const again = await problemOf(() => app.users.update(second.user.id, { expiresAt }));
    expect(`${again.status} ${again.code}`).toBe("409 LAST_ADMINISTRATOR");
  });

  it("refuses demoting, deactivating, archiving or purging the last administrator whose account does not expire", async () => {
    const c = await t.createTenant();
    const viewer = await roleIdByName(t, c, "Viewer");
    const expiresAt = new Date(t.clock.now().getTime() + 86_400_000).toISOString();
    const dated = await createUser(t, c);
    await c.admin.users.update(dated.user.id, { expiresAt });
    const before = await dated.client.users.get(c.adminUserId);
    const refusals = [
      () => dated.client.users.update(c.adminUserId, { roleId: viewer }),
      () => dated.client.userActions.deactivate(c.adminUserId),
      () => dated.client.userActions.archive(c.adminUserId),
      () => dated.client.userActions.purge(c.adminUserId),
    ];
    for (const refused of refusals) {
      const p = await problemOf(refused);
      // Purge is refused first for the history a signed-in administrator has.
      expect(["409 LAST_ADMINISTRATOR", "409 USER_HAS_HISTORY"]).toContain(`${p.status} ${p.code}`);
    }
    expect(await dated.client.users.get(c.adminUserId)).toEqual(before);
    // Once the other's date is taken away, the demotion goes through.
    await c.admin.users.update(dated.user.id, { expiresAt: null });
    expect((await dated.client.users.update(c.adminUserId, { roleId: viewer })).roleId).toBe(viewer);
  });

  it("keeps one administrator when two administrators deactivate each other at the same moment", async () => {
    for (const verb of ["deactivate", "archive"] as const) {
      const c = await t.createTenant();
      const other = await createUser(t, c);
      expect(await activeAdministrators(t, c)).toBe(2);
      const results = await Promise.allSettled([
        c.admin.userActions[verb](other.user.id),
        other.client.userActions[verb](c.adminUserId),
      ]);
      const ok = results.filter((r) => r.status === "fulfilled");
      const failed = results.flatMap((r) =>
        r.status === "rejected" ? [r.reason as { status: number; code: string }] : [],
      );
      expect(ok).toHaveLength(1);
      // The loser is refused either by the last-administrator guard or, when the winner's change
      // committed first, because its own grants were re-read under the tenant lock and are gone (or,
      // arriving later still, because its session already ended).
      expect(failed).toHaveLength(1);
      expect(["409 LAST_ADMINISTRATOR", "403 FORBIDDEN", "403 PRIVILEGE_ESCALATION"]).toContain(
        `${failed[0]!.status} ${failed[0]!.code}`,
      );
      expect(await activeAdministrators(t, c)).toBe(1);
    }
  });
});

/** The tables of the schema that have a `user_id` column, from the database's own catalogue. */
async function tablesWithUserId(t: TestApp): Promise<string[]> {
  const rows =
    TEST_DB === "postgres"
      ? await sql<{ name: string }>`select table_name as name from information_schema.columns
          where table_schema = current_schema() and column_name = 'user_id'`.execute(t.db.kysely)
      : await sql<{ name: string }>`select m.name as name from sqlite_master m, pragma_table_info(m.name) c
          where m.type = 'table' and c.name = 'user_id'`.execute(t.db.kysely);
  return rows.rows.map((r) => r.name).sort();
}

/** "table: count" for each of `tables` that still has rows of the user. */
async function rowsOf(t: TestApp, tables: readonly string[], userId: string): Promise<string[]> {
  const left: string[] = [];
  for (const table of tables) {
    const { rows } = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)}
      where user_id = ${userId}`.execute(t.db.kysely);
    if (Number(rows[0]?.n) > 0) left.push(`${table}: ${rows[0]?.n}`);
  }
  return left;
}
