/**
 * SCIM 2.0 Groups: the tenant's roles. Membership is the role a person holds, so adding a member
 * moves the user into the role and removing one moves it to the default role for provisioned
 * users; creating, renaming and deleting follow the role rules and need roles.manage.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp, type TestTenant } from "./harness.ts";
import { auditOf, createUser, roleIdByName } from "./lifecycle-fixtures.ts";
import { GROUP, PATCH_OP, provisioningToken, roleWith, scimClient } from "./scim-fixtures.ts";

describe(`SCIM Groups (${process.env.STAFFGATE_TEST_DB ?? "sqlite"})`, () => {
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;
  let scim: ReturnType<typeof scimClient>;
  let viewer: string;
  let n = 0;
  const groupName = () => `IdP group ${++n}`;

  beforeAll(async () => {
    t = await startTestApp();
    a = await t.createTenant();
    b = await t.createTenant();
    scim = scimClient(t, await provisioningToken(a, await roleIdByName(t, a, "Administrator")));
    viewer = await roleIdByName(t, a, "Viewer");
    await a.admin.settings.update({ scimDefaultRoleId: viewer });
  });
  afterAll(() => t?.close());

  it("lists the tenant's roles (not private ones, not another tenant's) with their members", async () => {
    const { user } = await createUser(t, a, { roleId: viewer });
    const list = await scim("GET", "/Groups");
    expect(list.status).toBe(200);
    const names = list.body.Resources.map((g: { displayName: string }) => g.displayName);
    expect(names).toEqual(expect.arrayContaining(["Administrator", "Viewer"]));
    expect(list.body.totalResults).toBe((await a.admin.roles.list()).items.length);
    const viewerGroup = list.body.Resources.find((g: { id: string }) => g.id === viewer);
    expect(viewerGroup.members.map((m: { value: string }) => m.value)).toContain(user.id);
    const lean = await scim("GET", "/Groups?excludedAttributes=members");
    expect(lean.body.Resources.every((g: Record<string, unknown>) => !("members" in g))).toBe(true);
    // A filter on members reads them even when the answer leaves them out.
    const holding = await scim(
      "GET",
      `/Groups?excludedAttributes=members&filter=${encodeURIComponent(`members[value eq "${user.id}"]`)}`,
    );
    expect(holding.body.Resources.map((g: { id: string }) => g.id)).toEqual([viewer]);
    const byName = await scim("GET", `/Groups?filter=${encodeURIComponent('displayName eq "viewer"')}`);
    expect(byName.body.Resources.map((g: { id: string }) => g.id)).toEqual([viewer]);
    const foreign = await roleIdByName(t, b, "Viewer");
    expect((await scim("GET", `/Groups/${foreign}`)).status).toBe(404);
  });

  it("creates a group as a role with no permissions and moves its members into it, audited", async () => {
    const { user } = await createUser(t, a, { roleId: viewer });
    const name = groupName();
    const res = await scim("POST", "/Groups", {
      schemas: [GROUP],
      displayName: name,
      externalId: "grp-1",
      members: [{ value: user.id }],
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ displayName: name, externalId: "grp-1", members: [{ value: user.id }] });
    const role = await a.admin.roles.get(res.body.id);
    expect(role).toMatchObject({ name, permissions: [], workspaces: [] });
    expect((await a.admin.users.get(user.id)).roleId).toBe(role.id);
    expect((await auditOf(t, a, role.id)).map((e) => e.action)).toContain("role.created");
    const dup = await scim("POST", "/Groups", { schemas: [GROUP], displayName: name.toUpperCase() });
    expect(dup.status).toBe(409);
    expect(dup.body.scimType).toBe("uniqueness");
  });

  it("adds and removes members with PATCH (Azure AD and Okta shapes); a removed member falls back to the default role", async () => {
    const group = (await scim("POST", "/Groups", { schemas: [GROUP], displayName: groupName() })).body;
    const one = (await createUser(t, a, { roleId: viewer })).user;
    const two = (await createUser(t, a, { roleId: viewer })).user;
    const add = await scim("PATCH", `/Groups/${group.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: "Add", path: "members", value: [{ value: one.id }, { value: two.id }] }],
    });
    expect(add.status).toBe(200);
    expect(add.body.members.map((m: { value: string }) => m.value).sort()).toEqual([one.id, two.id].sort());
    expect((await a.admin.users.get(two.id)).roleId).toBe(group.id);
    const okta = await scim("PATCH", `/Groups/${group.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: "remove", path: `members[value eq "${one.id}"]` }],
    });
    expect(okta.body.members.map((m: { value: string }) => m.value)).toEqual([two.id]);
    expect((await a.admin.users.get(one.id)).roleId).toBe(viewer);
    const azure = await scim("PATCH", `/Groups/${group.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: "Remove", path: "members", value: [{ value: two.id }] }],
    });
    expect(azure.body.members).toEqual([]);
    expect((await a.admin.users.get(two.id)).roleId).toBe(viewer);
  });

  it("names the default role when it is what a member's removal would give beyond the token, not the group", async () => {
    // The token holds what the group holds (nothing) but not Viewer's patient permissions.
    const membersOnly = scimClient(
      t,
      await provisioningToken(a, await roleWith(a, ["users.view", "users.manage"])),
    );
    const group = (await scim("POST", "/Groups", { schemas: [GROUP], displayName: groupName() })).body;
    const member = (await createUser(t, a, { roleId: group.id })).user;
    const res = await membersOnly("PATCH", `/Groups/${group.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: "remove", path: `members[value eq "${member.id}"]` }],
    });
    expect([res.status, res.body.code, res.body.errors]).toEqual([403, "PRIVILEGE_ESCALATION", undefined]);
    expect(res.body.detail).toMatch(
      /^The tenant's default role for provisioned users \(scimDefaultRoleId, on Settings\)/,
    );
    expect((await a.admin.users.get(member.id)).roleId).toBe(group.id);
  });

  it("answers a member change without its members when excludedAttributes asks (Entra's large groups)", async () => {
    const group = (
      await scim("POST", "/Groups?excludedAttributes=members", { schemas: [GROUP], displayName: groupName() })
    ).body;
    expect(group.members).toBeUndefined();
    const one = (await createUser(t, a, { roleId: viewer })).user;
    const add = await scim("PATCH", `/Groups/${group.id}?excludedAttributes=members`, {
      schemas: [PATCH_OP],
      Operations: [{ op: "add", path: "members", value: [{ value: one.id }] }],
    });
    expect(add.status).toBe(200);
    expect(add.body).toMatchObject({ id: group.id, displayName: group.displayName });
    expect(add.body.members).toBeUndefined();
    expect((await a.admin.users.get(one.id)).roleId).toBe(group.id);
  });

  it("moves a group's ETag when its members change, by SCIM or by any other way (RFC 7644 §3.14)", async () => {
    const group = (await scim("POST", "/Groups", { schemas: [GROUP], displayName: groupName() })).body;
    const one = (await createUser(t, a, { roleId: viewer })).user;
    const tag = async () => (await scim("GET", `/Groups/${group.id}`)).headers.etag as string;
    const first = await tag();
    expect((await scim("GET", `/Groups/${group.id}`, undefined, { "if-none-match": first })).status).toBe(
      304,
    );
    const added = await scim("PATCH", `/Groups/${group.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: "add", path: "members", value: [{ value: one.id }] }],
    });
    expect(added.headers.etag).not.toBe(first);
    expect(added.body.meta.version).toBe(added.headers.etag);
    // A client holding the old version can neither be told "unchanged" nor overwrite the members.
    expect((await scim("GET", `/Groups/${group.id}`, undefined, { "if-none-match": first })).status).toBe(
      200,
    );
    const stale = await scim(
      "PATCH",
      `/Groups/${group.id}`,
      { schemas: [PATCH_OP], Operations: [{ op: "replace", path: "members", value: [] }] },
      { "if-match": first },
    );
    expect(stale.status).toBe(412);
    // Through the REST API: a second person given the role, then renamed, then archived.
    const two = (await createUser(t, a, { roleId: viewer })).user;
    const seen = [await tag()];
    await a.admin.users.update(two.id, { roleId: group.id });
    seen.push(await tag());
    await a.admin.users.update(two.id, { firstName: "Renamed" });
    seen.push(await tag());
    await a.admin.userActions.archive(two.id);
    seen.push(await tag());
    expect(new Set(seen).size).toBe(seen.length);
    // Nothing about its members changed: the version stays.
    await a.admin.users.update(one.id, { title: "Charge nurse" });
    expect(await tag()).toBe(seen.at(-1));
    const current = await tag();
    const removed = await scim("DELETE", `/Groups/${group.id}`, undefined, { "if-match": first });
    expect(removed.status).toBe(412);
    expect(current).not.toBe(first);
  });

  it("moves a member's ETag when its group is renamed: the user names the group (groups[].display)", async () => {
    const group = (await scim("POST", "/Groups", { schemas: [GROUP], displayName: groupName() })).body;
    const member = (await createUser(t, a, { roleId: group.id })).user;
    const before = await scim("GET", `/Users/${member.id}`);
    const renamed = `${group.displayName} renamed`;
    t.clock.advance(1000);
    const patch = await scim("PATCH", `/Groups/${group.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: "replace", path: "displayName", value: renamed }],
    });
    expect(patch.status).toBe(200);
    const after = await scim("GET", `/Users/${member.id}`, undefined, {
      "if-none-match": before.headers.etag as string,
    });
    expect([after.status, after.body.groups[0].display]).toEqual([200, renamed]);
    expect(after.headers.etag).not.toBe(before.headers.etag);
    expect(after.body.meta.lastModified > before.body.meta.lastModified).toBe(true);
    // By the REST API too, and an update naming the old version is stale.
    await a.admin.roles.update(group.id, { name: `${renamed} again` });
    const stale = await scim(
      "PATCH",
      `/Users/${member.id}`,
      { schemas: [PATCH_OP], Operations: [{ op: "replace", path: "title", value: "Nurse" }] },
      { "if-match": after.headers.etag as string },
    );
    expect(stale.status).toBe(412);
  });

  it("records the externalId a group is created with in the audit trail", async () => {
    const res = await scim("POST", "/Groups", {
      schemas: [GROUP],
      displayName: groupName(),
      externalId: "grp-x",
    });
    expect((await auditOf(t, a, res.body.id)).map((e) => [e.action, e.changes?.externalId])).toContainEqual([
      "role.updated",
      { before: null, after: "grp-x" },
    ]);
  });

  it("refuses to remove members when there is no default role, and a non-user member, changing nothing", async () => {
    const group = (await scim("POST", "/Groups", { schemas: [GROUP], displayName: groupName() })).body;
    const user = (await createUser(t, a, { roleId: group.id })).user;
    await a.admin.settings.update({ scimDefaultRoleId: null });
    try {
      const res = await scim("PATCH", `/Groups/${group.id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: "remove", path: `members[value eq "${user.id}"]` }],
      });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe("SCIM_NO_DEFAULT_ROLE");
      expect((await a.admin.users.get(user.id)).roleId).toBe(group.id);
    } finally {
      await a.admin.settings.update({ scimDefaultRoleId: viewer });
    }
    const other = (await createUser(t, b)).user;
    const foreign = await scim("PATCH", `/Groups/${group.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: "add", path: "members", value: [{ value: other.id }] }],
    });
    expect(foreign.status).toBe(400);
    expect(foreign.body.scimType).toBe("invalidValue");
    expect((await b.admin.users.get(other.id)).roleId).not.toBe(group.id);
  });

  it("renames with PUT (not a locked role), and deletes only a group nobody holds", async () => {
    const group = (await scim("POST", "/Groups", { schemas: [GROUP], displayName: groupName() })).body;
    const renamed = await scim("PUT", `/Groups/${group.id}`, {
      schemas: [GROUP],
      displayName: "Renamed by IdP",
    });
    expect(renamed.status).toBe(200);
    expect((await a.admin.roles.get(group.id)).name).toBe("Renamed by IdP");
    const admin = await roleIdByName(t, a, "Administrator");
    const current = (await scim("GET", `/Groups/${admin}`)).body;
    const locked = await scim("PUT", `/Groups/${admin}`, { ...current, displayName: "Superusers" });
    expect(locked.status).toBe(400);
    expect(locked.body.code).toBe("ROLE_LOCKED");
    const holder = (await createUser(t, a, { roleId: group.id })).user;
    const inUse = await scim("DELETE", `/Groups/${group.id}`);
    expect(inUse.status).toBe(409);
    await a.admin.users.update(holder.id, { roleId: viewer });
    expect((await scim("DELETE", `/Groups/${group.id}`)).status).toBe(204);
    expect((await scim("GET", `/Groups/${group.id}`)).status).toBe(404);
  });

  it("keeps the default role for provisioned users from being deleted", async () => {
    const group = (await scim("POST", "/Groups", { schemas: [GROUP], displayName: groupName() })).body;
    await a.admin.settings.update({ scimDefaultRoleId: group.id });
    try {
      const res = await scim("DELETE", `/Groups/${group.id}`);
      expect(res.status).toBe(409);
      expect(res.body.detail).toMatch(/default role/);
    } finally {
      await a.admin.settings.update({ scimDefaultRoleId: viewer });
    }
    expect((await scim("DELETE", `/Groups/${group.id}`)).status).toBe(204);
  });

  it("needs roles.manage to create, rename or delete, and users.manage to change members", async () => {
    const membersOnly = scimClient(
      t,
      await provisioningToken(a, await roleWith(a, ["users.view", "users.manage"])),
    );
    const create = await membersOnly("POST", "/Groups", { schemas: [GROUP], displayName: groupName() });
    expect(create.status).toBe(403);
    const group = (await scim("POST", "/Groups", { schemas: [GROUP], displayName: groupName() })).body;
    const rename = await membersOnly("PATCH", `/Groups/${group.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: "replace", path: "displayName", value: "Nope" }],
    });
    expect(rename.status).toBe(403);
    expect((await membersOnly("DELETE", `/Groups/${group.id}`)).status).toBe(403);
    const rolesOnly = scimClient(
      t,
      await provisioningToken(a, await roleWith(a, ["users.view", "roles.manage"])),
    );
    // A user and a group holding nothing, so only the missing users.manage can refuse the move.
    const empty = await roleWith(a, []);
    const user = (await createUser(t, a, { roleId: empty })).user;
    const move = await rolesOnly("PATCH", `/Groups/${group.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: "add", path: "members", value: [{ value: user.id }] }],
    });
    expect(move.status).toBe(403);
    expect(move.body.detail).toMatch(/users\.manage/);
    expect((await a.admin.users.get(user.id)).roleId).toBe(empty);
  });

  it("re-points a group's externalId only for whom could edit its role: never the locked Administrator (pentest audit)", async () => {
    const limited = scimClient(
      t,
      await provisioningToken(a, await roleWith(a, ["users.view", "users.manage", "roles.manage"])),
    );
    const repoint = (client: typeof scim, id: string) =>
      client("PATCH", `/Groups/${id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: "replace", path: "externalId", value: `idp-group-${id}` }],
      });
    const administrator = await roleIdByName(t, a, "Administrator");
    const locked = await repoint(scim, administrator);
    expect([locked.status, locked.body.code]).toEqual([400, "ROLE_LOCKED"]);
    const wider = await roleWith(a, ["patients.read"]);
    const beyond = await repoint(limited, wider);
    expect([beyond.status, beyond.body.code]).toEqual([403, "PRIVILEGE_ESCALATION"]);
    expect((await scim("GET", `/Groups/${wider}`)).body.externalId).toBeUndefined();
    const own = await roleWith(a, ["users.view"]);
    expect((await repoint(limited, own)).status).toBe(200);
  });
});
