/** GET /users/{id}/permissions: what the console's "Edit Permissions" starts from. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { problemOf, startTestApp, type TestApp, type TestTenant } from "./harness.ts";
import { createRole, createUser, roleIdByName } from "./lifecycle-fixtures.ts";

describe(`reading a user's permissions (${process.env.STAFFGATE_TEST_DB ?? "sqlite"})`, () => {
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;
  let wsId: string;
  beforeAll(async () => {
    t = await startTestApp();
    a = await t.createTenant();
    b = await t.createTenant();
    wsId = (await a.admin.workspaces.create({ slug: "read-ws", name: "Read" })).id;
  });
  afterAll(() => t.close());

  it("answers the formal role's grants, then the private role's once permissions were edited", async () => {
    const viewer = await roleIdByName(t, a, "Viewer");
    const { user } = await createUser(t, a, { roleId: viewer });
    expect(await a.admin.userActions.getPermissions(user.id)).toEqual({
      roleId: viewer,
      private: false,
      permissions: ["patients.read", "collections.read"],
      collaborator: false,
      workspaces: [],
    });

    const grants = {
      permissions: ["users.view"],
      collaborator: false,
      workspaces: [{ workspaceId: wsId, permissions: ["patients.write"], collaborator: true }],
    };
    const updated = await a.admin.userActions.setPermissions(user.id, grants);
    expect(await a.admin.userActions.getPermissions(user.id)).toEqual({
      roleId: updated.roleId,
      private: true,
      ...grants,
    });
  });

  it("needs users.view and stays inside the tenant", async () => {
    const { user, client } = await createUser(t, a, { roleId: await createRole(a, ["audit.view"]) });
    expect((await problemOf(() => client.userActions.getPermissions(user.id))).code).toBe("FORBIDDEN");
    expect((await problemOf(() => b.admin.userActions.getPermissions(user.id))).code).toBe("USER_NOT_FOUND");
  });
});
