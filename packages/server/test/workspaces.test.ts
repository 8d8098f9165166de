import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CANARY_PASSWORD, problemOf, startTestApp, type TestApp, type TestTenant } from "./harness.ts";
import { createRole, createUser, roleIdByName } from "./lifecycle-fixtures.ts";

describe(`workspaces (${process.env.STAFFGATE_TEST_DB ?? "sqlite"})`, () => {
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;
  beforeAll(async () => {
    t = await startTestApp();
    a = await t.createTenant();
    b = await t.createTenant();
  });
  afterAll(() => t.close());

  it("creates a workspace, protected by default, with an ETag", async () => {
    const res = await a.admin.transport.raw("POST", "/api/v1/workspaces", {
      body: { slug: "oncology-east", name: "Oncology East" },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get("etag")).toBe('"1"');
    const ws = (await res.json()) as { id: string };
    expect(ws).toMatchObject({ slug: "oncology-east", name: "Oncology East", protected: true, version: 1 });
    expect(ws.id).toMatch(/^wsp_[A-Za-z0-9_-]{22}$/);
  });

  it.each([
    ["-leading", "slug"],
    ["trailing-", "slug"],
    ["double--hyphen", "slug"],
    ["Upper", "slug"],
    ["a".repeat(41), "slug"],
  ])("rejects slug %j naming the field", async (slug, path) => {
    const p = await problemOf(() => a.admin.workspaces.create({ slug, name: "X" }));
    expect(p.status).toBe(400);
    expect(p.code).toBe("VALIDATION_FAILED");
    expect(p.errors.map((e) => e.path)).toContain(path);
  });

  it("rejects a name over 80 characters and unknown fields", async () => {
    const long = await problemOf(() => a.admin.workspaces.create({ slug: "ok", name: "n".repeat(81) }));
    expect(long.errors[0]?.path).toBe("name");
    const unknown = await problemOf(() =>
      a.admin.transport.request("POST", "/api/v1/workspaces", {
        body: { slug: "ok2", name: "X", tenantId: b.id },
      }),
    );
    expect(unknown.code).toBe("VALIDATION_FAILED");
    expect(unknown.errors[0]?.path).toBe("tenantId");
  });

  it("keeps slugs unique per tenant but not across tenants", async () => {
    await a.admin.workspaces.create({ slug: "radiology", name: "Radiology" });
    const dup = await problemOf(() => a.admin.workspaces.create({ slug: "radiology", name: "Other" }));
    expect(dup.status).toBe(409);
    expect(dup.code).toBe("WORKSPACE_SLUG_TAKEN");
    await expect(b.admin.workspaces.create({ slug: "radiology", name: "Radiology" })).resolves.toMatchObject({
      slug: "radiology",
    });
  });

  it("refuses to delete a protected workspace until it is unprotected", async () => {
    const ws = await a.admin.workspaces.create({ slug: "keep-me", name: "Keep" });
    const p = await problemOf(() => a.admin.workspaces.delete(ws.id));
    expect(p.status).toBe(409);
    expect(p.code).toBe("WORKSPACE_PROTECTED");
    const open = await a.admin.workspaces.update(ws.id, { protected: false });
    expect(open.version).toBe(2);
    await a.admin.workspaces.delete(ws.id);
    expect((await problemOf(() => a.admin.workspaces.get(ws.id))).status).toBe(404);
  });

  it("answers 412 to a stale If-Match and changes nothing", async () => {
    const ws = await a.admin.workspaces.create({ slug: "stale", name: "Stale" });
    await a.admin.workspaces.update(ws.id, { name: "Fresh" }, { ifMatch: 1 });
    const p = await problemOf(() => a.admin.workspaces.update(ws.id, { name: "Lost" }, { ifMatch: 1 }));
    expect(p.status).toBe(412);
    expect(p.code).toBe("PRECONDITION_FAILED");
    expect((await a.admin.workspaces.get(ws.id)).name).toBe("Fresh");
  });

  it("answers another tenant's workspace id exactly like a missing one", async () => {
    const ws = await a.admin.workspaces.create({ slug: "private-a", name: "A only" });
    const foreign = await b.admin.transport.raw("GET", `/api/v1/workspaces/${ws.id}`);
    const missing = await b.admin.transport.raw("GET", "/api/v1/workspaces/wsp_doesnotexist000000000");
    expect(foreign.status).toBe(404);
    const strip = (p: Record<string, unknown>) => ({ ...p });
    expect(strip((await foreign.json()) as Record<string, unknown>)).toEqual(
      strip((await missing.json()) as Record<string, unknown>),
    );
    const patch = await problemOf(() => b.admin.workspaces.update(ws.id, { name: "hijack" }));
    expect(patch.status).toBe(404);
    expect((await a.admin.workspaces.get(ws.id)).name).toBe("A only");
  });

  it("lists with cursor pagination in slug order", async () => {
    const c = await t.createTenant();
    for (const slug of ["w-c", "w-a", "w-e", "w-b", "w-d"])
      await c.admin.workspaces.create({ slug, name: slug });
    const first = await c.admin.workspaces.list({ limit: 2 });
    expect(first.items.map((w) => w.slug)).toEqual(["w-a", "w-b"]);
    const second = await c.admin.workspaces.list({ limit: 2, cursor: first.nextCursor! });
    expect(second.items.map((w) => w.slug)).toEqual(["w-c", "w-d"]);
    const third = await c.admin.workspaces.list({ limit: 2, cursor: second.nextCursor! });
    expect(third.items.map((w) => w.slug)).toEqual(["w-e"]);
    expect(third.nextCursor).toBeNull();
  });

  it("deleting a workspace moves the version (ETag) of every role and user that named it, and only theirs", async () => {
    const gone = (await a.admin.workspaces.create({ slug: "satellite", name: "Satellite" })).id;
    const stays = (await a.admin.workspaces.create({ slug: "main-site", name: "Main site" })).id;
    await a.admin.workspaces.update(gone, { protected: false });
    const viewer = await roleIdByName(t, a, "Viewer");
    const rows = (workspaceId: string) => ({ workspaces: [{ workspaceId, permissions: ["patients.read"] }] });
    const namingRole = await createRole(a, rows(gone));
    const otherRole = await createRole(a, rows(stays));
    const { user: active } = await createUser(t, a, {
      roleId: viewer,
      extra: { workspaceAccess: [gone, stays] },
    });
    const { user: roled } = await createUser(t, a, {
      roleId: viewer,
      extra: { workspaceRoles: [{ workspaceId: gone, roleId: namingRole }] },
    });
    const { user: other } = await createUser(t, a, { roleId: viewer, extra: { workspaceAccess: [stays] } });
    const before = {
      roles: await Promise.all([namingRole, otherRole].map((id) => a.admin.roles.get(id))),
      users: await Promise.all([active, roled, other].map((u) => a.admin.users.get(u.id))),
    };
    t.clock.advance(60_000);

    await a.admin.workspaces.delete(gone);
    const roles = await Promise.all([namingRole, otherRole].map((id) => a.admin.roles.get(id)));
    const users = await Promise.all([active, roled, other].map((u) => a.admin.users.get(u.id)));
    const moved = (
      list: { version: number; updatedAt: string }[],
      was: { version: number; updatedAt: string }[],
    ) => list.map((x, i) => [x.version - was[i]!.version, x.updatedAt !== was[i]!.updatedAt]);
    expect(moved(roles, before.roles)).toEqual([
      [1, true],
      [0, false],
    ]);
    expect(moved(users, before.users)).toEqual([
      [1, true],
      [1, true],
      [0, false],
    ]);
    expect(roles[0]!.workspaces).toEqual([]);
    expect(users[0]!.workspaceAccess).toEqual([stays]);
    expect(users[1]!.workspaceRoles).toEqual([]);
    // A write with the ETag read before the delete is stale now.
    const stale = await problemOf(() =>
      a.admin.users.update(roled.id, { title: "Dr" }, { ifMatch: before.users[1]!.version }),
    );
    expect(stale.status).toBe(412);
  });

  it("says before a delete what it would remove and whom it would leave active in no workspace", async () => {
    const c = await t.createTenant();
    const doomed = (await c.admin.workspaces.create({ slug: "annex", name: "Annex", protected: false })).id;
    const kept = (await c.admin.workspaces.create({ slug: "main", name: "Main" })).id;
    const viewer = await roleIdByName(t, c, "Viewer");
    await createRole(c, { workspaces: [{ workspaceId: doomed, permissions: ["patients.read"] }] });
    const only = async (lastName: string, status?: "archive" | "deactivate") => {
      const { user } = await createUser(t, c, {
        roleId: viewer,
        extra: { lastName, workspaceAccess: [doomed] },
      });
      if (status) await c.admin.userActions[status](user.id);
      return user;
    };
    const zed = await only("Zed");
    const abel = await only("Abel");
    const resting = await only("Resting", "deactivate");
    await only("Gone", "archive");
    const { user: both } = await createUser(t, c, {
      roleId: viewer,
      extra: { workspaceAccess: [doomed, kept] },
    });
    await createUser(t, c, { roleId: viewer, extra: { workspaceAccess: "all" } });
    await c.admin.patientAccess.grant("PAT-USAGE-1", { userId: both.id, workspaceId: doomed });
    // An elevation open for the workspace, which the delete ends.
    const breaker = await createUser(t, c, {
      roleId: await createRole(c, ["emergency_access.use"]),
      extra: { workspaceAccess: [doomed, kept] },
    });
    await breaker.client.emergencyAccess.open({
      reason: "unconscious patient in the annex",
      password: CANARY_PASSWORD,
      workspaceId: doomed,
    });
    const usage = await c.admin.workspaces.usage(doomed);
    expect(usage).toEqual({
      roleRows: 1,
      // Four named it alone (one archived), two beside another workspace.
      accessEntries: 6,
      workspaceRoles: 0,
      patientGrants: 1,
      openEmergencyAccess: 1,
      usersOnlyHere: {
        count: 3,
        users: [abel, resting, zed].map((u) => ({
          id: u.id,
          displayName: u.displayName,
          username: u.username,
        })),
      },
    });
    // What it said is what the delete removes.
    await c.admin.workspaces.delete(doomed);
    const [deleted] = (await c.admin.audit.list({ action: "workspace.deleted", targetId: doomed })).items;
    expect(deleted?.changes).toMatchObject({
      removedRoleRows: { after: usage.roleRows },
      removedAccessEntries: { after: usage.accessEntries },
      removedPatientGrants: { after: usage.patientGrants },
      endedEmergencyAccess: { after: usage.openEmergencyAccess },
    });
    expect((await c.admin.users.get(zed.id)).workspaceAccess).toEqual([]);
    // Gone now, and never another tenant's: a missing one's 404; reading it needs workspaces.manage.
    expect((await problemOf(() => c.admin.workspaces.usage(doomed))).status).toBe(404);
    expect((await problemOf(() => a.admin.workspaces.usage(kept))).status).toBe(404);
    const { client: viewerClient } = await createUser(t, c, { roleId: viewer });
    expect((await problemOf(() => viewerClient.workspaces.usage(kept))).status).toBe(403);
    // Without users.view the people are counted, not named (the review: names went to someone
    // who may not see staff accounts).
    const { client: keeper } = await createUser(t, c, { roleId: await createRole(c, ["workspaces.manage"]) });
    // Left in "main" alone by the delete: the two who had both, and one more.
    await createUser(t, c, { roleId: viewer, extra: { workspaceAccess: [kept] } });
    expect((await keeper.workspaces.usage(kept)).usersOnlyHere).toEqual({ count: 3, users: [] });
    expect((await c.admin.workspaces.usage(kept)).usersOnlyHere.users).toHaveLength(3);
  });

  it("records create, update and delete in the audit in the same transaction", async () => {
    const ws = await a.admin.workspaces.create({ slug: "audited", name: "Audited", protected: false });
    await a.admin.workspaces.update(ws.id, { name: "Audited 2" });
    await a.admin.workspaces.delete(ws.id);
    const rows = await t.db.kysely
      .selectFrom("audit_events")
      .select(["action", "changes", "actor_id"])
      .where("tenant_id", "=", a.id)
      .where("target_id", "=", ws.id)
      .orderBy("seq")
      .execute();
    expect(rows.map((r) => r.action)).toEqual([
      "workspace.created",
      "workspace.updated",
      "workspace.deleted",
    ]);
    expect(JSON.parse(rows[1]!.changes!)).toEqual({ name: { before: "Audited", after: "Audited 2" } });
    expect(rows.every((r) => r.actor_id === a.adminUserId)).toBe(true);
  });
});
