import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { problemOf, startTestApp, type TestApp, type TestTenant } from "./harness.ts";
import {
  activeAdministrators,
  auditOf,
  createRole,
  createUser,
  roleIdByName,
  userRow,
} from "./lifecycle-fixtures.ts";

describe(`private role (${process.env.STAFFGATE_TEST_DB ?? "sqlite"})`, () => {
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;
  let viewer: string;
  let wsId: string;
  beforeAll(async () => {
    t = await startTestApp();
    a = await t.createTenant();
    b = await t.createTenant();
    viewer = await roleIdByName(t, a, "Viewer");
    wsId = (await a.admin.workspaces.create({ slug: "priv-ws", name: "Priv" })).id;
  });
  afterAll(() => t.close());

  const privateRoles = (tenant: TestTenant, userId: string) =>
    t.db.kysely
      .selectFrom("roles")
      .selectAll()
      .where("tenant_id", "=", tenant.id)
      .where("private_user_id", "=", userId)
      .execute();

  it("creates a private role from the body, makes it the user's role and hides it from the roles list", async () => {
    const { user, client } = await createUser(t, a, { roleId: viewer });
    const updated = await a.admin.userActions.setPermissions(user.id, {
      permissions: ["users.view", "patients.read"],
      workspaces: [{ workspaceId: wsId, permissions: ["patients.write"] }],
    });
    expect(updated).toMatchObject({ privateRole: true, version: user.version + 1 });
    expect(updated.roleId).not.toBe(viewer);
    const [role, ...more] = await privateRoles(a, user.id);
    expect(more).toEqual([]);
    expect(role).toMatchObject({
      id: updated.roleId,
      name: "[Private role]",
      name_key: null,
      system: 0,
      locked: 0,
    });
    const rows = await t.db.allTenants
      .selectFrom("role_workspaces")
      .selectAll()
      .where("role_id", "=", role!.id)
      .execute();
    expect(rows.map((r) => [r.workspace_id, JSON.parse(r.permissions)])).toEqual([
      [wsId, ["patients.write"]],
    ]);
    const listed = await a.admin.roles.list({ limit: 200 });
    expect(listed.items.map((r) => r.id)).not.toContain(updated.roleId);
    expect((await client.auth.me()).permissions).toContain("users.view");
    const audit = (await auditOf(t, a, user.id)).at(-1);
    expect(audit).toMatchObject({ action: "user.permissions_changed" });
    expect(audit?.changes).toMatchObject({
      roleId: { before: viewer, after: updated.roleId },
      grants: { after: { permissions: ["users.view", "patients.read"] } },
    });
  });

  it("replaces the same private role on a second edit", async () => {
    const { user } = await createUser(t, a, { roleId: viewer });
    const first = await a.admin.userActions.setPermissions(user.id, {
      permissions: ["users.view"],
      workspaces: [{ workspaceId: wsId, permissions: ["patients.read"] }],
    });
    const second = await a.admin.userActions.setPermissions(user.id, { permissions: ["audit.view"] });
    expect(second.roleId).toBe(first.roleId);
    const [role] = await privateRoles(a, user.id);
    expect(JSON.parse(role!.permissions)).toEqual(["audit.view"]);
    expect(
      await t.db.allTenants
        .selectFrom("role_workspaces")
        .select("workspace_id")
        .where("role_id", "=", role!.id)
        .execute(),
    ).toEqual([]);
  });

  it("changes nothing when the same grants are sent again (no new version, no audit event)", async () => {
    const { user } = await createUser(t, a, { roleId: viewer });
    const body = {
      permissions: ["users.view", "audit.view"],
      workspaces: [{ workspaceId: wsId, permissions: ["patients.read"] }],
    };
    const first = await a.admin.userActions.setPermissions(user.id, body);
    const events = async () =>
      (await a.admin.audit.list({ action: "user.permissions_changed", targetId: user.id })).items.length;
    const recorded = await events();
    // The same grants in another order are the same grants.
    const again = await a.admin.userActions.setPermissions(user.id, {
      permissions: ["audit.view", "users.view"],
      workspaces: body.workspaces,
    });
    expect(again.version).toBe(first.version);
    expect(await events()).toBe(recorded);
  });

  it("refuses an archived user (409 USER_STATE_INVALID), changing nothing", async () => {
    const { user } = await createUser(t, a, { roleId: viewer });
    const archived = await a.admin.userActions.archive(user.id);
    const p = await problemOf(() =>
      a.admin.userActions.setPermissions(user.id, { permissions: ["users.view"] }),
    );
    expect([p.status, p.code]).toEqual([409, "USER_STATE_INVALID"]);
    const after = await a.admin.users.get(user.id);
    expect([after.version, after.roleId]).toEqual([archived.version, viewer]);
  });

  it("deletes the private role when the user gets a formal role again (PATCH roleId)", async () => {
    const { user } = await createUser(t, a, { roleId: viewer });
    const edited = await a.admin.userActions.setPermissions(user.id, { permissions: ["users.view"] });
    const back = await a.admin.users.update(user.id, { roleId: viewer });
    expect(back).toMatchObject({ roleId: viewer, privateRole: false });
    expect(await privateRoles(a, user.id)).toEqual([]);
    expect(
      await t.db.allTenants
        .selectFrom("role_workspaces")
        .select("role_id")
        .where("role_id", "=", edited.roleId)
        .execute(),
    ).toEqual([]);
  });

  it("refuses grants beyond the actor's own (403 PRIVILEGE_ESCALATION) and changes nothing", async () => {
    const managerRole = await createRole(a, ["users.view", "users.manage", "roles.manage", "patients.read"]);
    const manager = await createUser(t, a, { roleId: managerRole });
    const { user } = await createUser(t, a, { roleId: await createRole(a, ["users.view"]) });
    const p = await problemOf(() =>
      manager.client.userActions.setPermissions(user.id, { permissions: ["patients.delete"] }),
    );
    expect([p.status, p.code]).toEqual([403, "PRIVILEGE_ESCALATION"]);
    expect(p.problem.detail).toContain("patients.delete");
    // Named at its place in the body, as a formal role's refusal is.
    expect(p.errors.map((e) => e.path)).toEqual(["permissions"]);
    expect(await privateRoles(a, user.id)).toEqual([]);
    await expect(
      manager.client.userActions.setPermissions(user.id, { permissions: ["patients.read"] }),
    ).resolves.toMatchObject({
      privateRole: true,
    });
    // Nor may it rewrite the permissions of someone who holds more than it does.
    const boss = await createUser(t, a);
    const up = await problemOf(() =>
      manager.client.userActions.setPermissions(boss.user.id, { permissions: [] }),
    );
    expect(up.code).toBe("PRIVILEGE_ESCALATION");
  });

  it("needs users.manage and roles.manage", async () => {
    const manager = await createUser(t, a, { roleId: await createRole(a, ["users.view", "users.manage"]) });
    const { user } = await createUser(t, a, { roleId: await createRole(a, ["users.view"]) });
    const p = await problemOf(() => manager.client.userActions.setPermissions(user.id, { permissions: [] }));
    expect([p.status, p.code]).toEqual([403, "FORBIDDEN"]);
  });

  it("forbids editing your own permissions (403 SELF_ROLE_CHANGE)", async () => {
    const p = await problemOf(() => a.admin.userActions.setPermissions(a.adminUserId, { permissions: [] }));
    expect([p.status, p.code]).toEqual([403, "SELF_ROLE_CHANGE"]);
    expect(await privateRoles(a, a.adminUserId)).toEqual([]);
  });

  it("validates the role definition: unknown keys and workspaces (400), role rules (422)", async () => {
    const { user } = await createUser(t, a, { roleId: viewer });
    const unknown = await problemOf(() =>
      a.admin.userActions.setPermissions(user.id, { permissions: ["nope.nothing"] }),
    );
    expect(unknown.status).toBe(400);
    const foreignWs = (await b.admin.workspaces.create({ slug: "theirs", name: "Theirs" })).id;
    const ws = await problemOf(() =>
      a.admin.userActions.setPermissions(user.id, {
        workspaces: [{ workspaceId: foreignWs, permissions: [] }],
      }),
    );
    expect([ws.status, ws.errors[0]?.path]).toEqual([400, "workspaces.0.workspaceId"]);
    const rule = await problemOf(() =>
      a.admin.userActions.setPermissions(user.id, {
        collaborator: true,
        workspaces: [{ workspaceId: wsId, permissions: ["patients.read"] }],
      }),
    );
    expect([rule.status, rule.code]).toEqual([422, "ROLE_RULE_VIOLATED"]);
    expect(await privateRoles(a, user.id)).toEqual([]);
  });

  it("answers 412 to a stale If-Match, and another tenant's user id like a missing one", async () => {
    const { user } = await createUser(t, a, { roleId: viewer });
    const stale = await problemOf(() =>
      a.admin.userActions.setPermissions(user.id, { permissions: [] }, { ifMatch: 99 }),
    );
    expect(stale.status).toBe(412);
    const foreign = await b.admin.transport.raw("PUT", `/api/v1/users/${user.id}/permissions`, { body: {} });
    const missing = await b.admin.transport.raw("PUT", "/api/v1/users/usr_missing0000000000000/permissions", {
      body: {},
    });
    expect(foreign.status).toBe(404);
    expect(await foreign.json()).toEqual(await missing.json());
    expect((await userRow(t, a, user.id))?.role_id).toBe(viewer);
  });

  it("keeps one administrator when two administrators strip each other's permissions at once", async () => {
    const c = await t.createTenant();
    const other = await createUser(t, c);
    const results = await Promise.allSettled([
      c.admin.userActions.setPermissions(other.user.id, { permissions: ["users.view"] }),
      other.client.userActions.setPermissions(c.adminUserId, { permissions: ["users.view"] }),
    ]);
    const failed = results.flatMap((r) =>
      r.status === "rejected" ? [r.reason as { status: number; code: string }] : [],
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    // The loser is refused either by the last-administrator guard or, when the winner's change
    // committed first, because its own grants were re-read under the tenant lock and are gone (or,
    // arriving later still, because its session already ended).
    expect(failed).toHaveLength(1);
    expect(["409 LAST_ADMINISTRATOR", "403 FORBIDDEN", "403 PRIVILEGE_ESCALATION"]).toContain(
      `${failed[0]!.status} ${failed[0]!.code}`,
    );
    expect(await activeAdministrators(t, c)).toBe(1);
  });
});
