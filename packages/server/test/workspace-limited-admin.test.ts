/**
 * PRODUCT.md §2 Guards ("an administrator cannot grant a permission … that exceeds their own
 * effective permissions"; "no permission applies in a workspace the user is not active in"), for
 * an administrator active in some workspaces only. Found by the issue 3 re-walk: such an
 * administrator widened their own access, and others', to every workspace, and so held and handed
 * out patients.read where they had none.
 */
import type { Staffgate } from "@staffgate/sdk";
import { beforeAll, describe, expect, it } from "vitest";
import { problemOf, startTestApp, type TestApp, type TestTenant } from "./harness.ts";
import { auditOf, createRole, createUser } from "./lifecycle-fixtures.ts";

describe(`an administrator active in some workspaces (${process.env.STAFFGATE_TEST_DB ?? "sqlite"})`, () => {
  let t: TestApp;
  let a: TestTenant;
  let w1: string;
  let w2: string;
  let mgrRole: string;
  /** A role within the administrator's own: only the reach of their access is at stake. */
  let viewer: string;
  let mgr: { id: string; client: Staffgate };

  beforeAll(async () => {
    t = await startTestApp();
    a = await t.createTenant();
    w1 = (await a.admin.workspaces.create({ slug: "one", name: "One" })).id;
    w2 = (await a.admin.workspaces.create({ slug: "two", name: "Two" })).id;
    mgrRole = await createRole(a, [
      "users.view",
      "users.manage",
      "roles.manage",
      "patients.read",
      "api_tokens.manage",
      "patient_access.manage",
      "workspaces.manage",
    ]);
    viewer = await createRole(a, ["patients.read"]);
    const made = await createUser(t, a, { roleId: mgrRole, extra: { workspaceAccess: [w1] } });
    mgr = { id: made.user.id, client: made.client };
    return () => t.close();
  });

  const inW2 = (userId: string) =>
    a.admin.access.check({ userId, permission: "patients.read", workspaceId: w2 });

  it("cannot widen their own access, to every workspace or to one more", async () => {
    const all = await problemOf(() => mgr.client.users.update(mgr.id, { workspaceAccess: "all" }));
    expect([all.status, all.code, all.errors[0]?.path]).toEqual([
      403,
      "PRIVILEGE_ESCALATION",
      "workspaceAccess",
    ]);
    const more = await problemOf(() => mgr.client.users.update(mgr.id, { workspaceAccess: [w1, w2] }));
    expect([more.status, more.code, more.errors[0]?.path]).toEqual([
      403,
      "PRIVILEGE_ESCALATION",
      "workspaceAccess.1",
    ]);
    expect((await inW2(mgr.id)).reason.code).toBe("WORKSPACE_INACTIVE");
    expect((await a.admin.users.get(mgr.id)).workspaceAccess).toEqual([w1]);
  });

  it("gives others access only within their own, and a refusal changes nothing", async () => {
    const { user } = await createUser(t, a, { roleId: mgrRole, extra: { workspaceAccess: [w1] } });
    // Refusals are audited as authz.failed; no change is.
    const changes = async () => (await auditOf(t, a, user.id)).filter((e) => e.action === "user.updated");
    const before = await changes();
    for (const access of ["all", [w2], [w1, w2]] as const) {
      const refused = await problemOf(() =>
        mgr.client.users.update(user.id, { workspaceAccess: access as never }),
      );
      expect([refused.status, refused.code], JSON.stringify(access)).toEqual([403, "PRIVILEGE_ESCALATION"]);
    }
    expect((await a.admin.users.get(user.id)).workspaceAccess).toEqual([w1]);
    expect((await inW2(user.id)).allowed).toBe(false);
    expect(await changes()).toEqual(before);
    // Narrowing is never an escalation.
    expect((await mgr.client.users.update(user.id, { workspaceAccess: [] })).workspaceAccess).toEqual([]);
    // Nor is it for the administrator active everywhere.
    expect((await a.admin.users.update(user.id, { workspaceAccess: "all" })).workspaceAccess).toBe("all");
  });

  it("creates users only within their own access", async () => {
    const body = (username: string, workspaceAccess?: "all" | string[]) => ({
      username,
      email: `${username}@example.test`,
      firstName: "Lim",
      lastName: "Ited",
      roleId: viewer,
      ...(workspaceAccess ? { workspaceAccess } : {}),
    });
    for (const [name, access] of [
      ["everywhere", "all"],
      ["elsewhere", [w1, w2]],
    ] as const) {
      const refused = await problemOf(() => mgr.client.users.create(body(name, access as never) as never));
      expect([refused.status, refused.code], name).toEqual([403, "PRIVILEGE_ESCALATION"]);
      expect((await a.admin.users.list({ q: name })).items, name).toEqual([]);
    }
    const made = await mgr.client.users.create(body("within", [w1]) as never);
    expect(made.workspaceAccess).toEqual([w1]);
    // Not given, it is the creator's own (SCIM has no attribute for it).
    expect((await mgr.client.users.create(body("by-default") as never)).workspaceAccess).toEqual([w1]);
    expect((await a.admin.users.create(body("by-default-all") as never)).workspaceAccess).toBe("all");
  });

  it("makes API tokens that act only where they are active", async () => {
    const made = await mgr.client.apiTokens.create({ name: "Limited feed", roleId: mgrRole });
    expect((await a.admin.users.get(made.userId)).workspaceAccess).toEqual([w1]);
    expect((await inW2(made.userId)).allowed).toBe(false);
    const token = t.anonymous.withToken(made.token);
    const widened = await problemOf(() => token.users.update(mgr.id, { workspaceAccess: "all" }));
    expect(widened.code).toBe("PRIVILEGE_ESCALATION");
  });

  it("grants patient access only in their workspaces, and changes only their workspaces", async () => {
    const { user } = await createUser(t, a, { roleId: viewer, extra: { workspaceAccess: [w1, w2] } });
    for (const workspaceId of [w2, undefined]) {
      const refused = await problemOf(() =>
        mgr.client.patientAccess.grant("PAT-LIMITED", {
          userId: user.id,
          ...(workspaceId ? { workspaceId } : {}),
        }),
      );
      expect([refused.status, refused.code, refused.errors[0]?.path], String(workspaceId)).toEqual([
        403,
        "PRIVILEGE_ESCALATION",
        "workspaceId",
      ]);
    }
    // A created patient reported beyond their workspaces is refused for that first, before
    // anything about the user (who could not have created it either).
    const created = await problemOf(() =>
      mgr.client.patientAccess.created("PAT-LIMITED", { userId: user.id, workspaceId: w2 }),
    );
    expect([created.status, created.code]).toEqual([403, "PRIVILEGE_ESCALATION"]);
    expect((await a.admin.patientAccess.list("PAT-LIMITED")).items).toEqual([]);
    const granted = await mgr.client.patientAccess.grant("PAT-LIMITED", { userId: user.id, workspaceId: w1 });
    expect(granted.workspaceId).toBe(w1);

    const renamed = await problemOf(() => mgr.client.workspaces.update(w2, { name: "Taken over" }));
    expect([renamed.status, renamed.code]).toEqual([403, "PRIVILEGE_ESCALATION"]);
    await a.admin.workspaces.update(w2, { protected: false });
    const removed = await problemOf(() => mgr.client.workspaces.delete(w2));
    expect(removed.code).toBe("PRIVILEGE_ESCALATION");
    expect((await a.admin.workspaces.get(w2)).name).toBe("Two");
    expect((await mgr.client.workspaces.update(w1, { name: "One, renamed" })).name).toBe("One, renamed");
  });

  it("cannot give a per-workspace role in a workspace they are not active in", async () => {
    const { user } = await createUser(t, a, { roleId: viewer, extra: { workspaceAccess: [w1] } });
    const refused = await problemOf(() =>
      mgr.client.users.update(user.id, { workspaceRoles: [{ workspaceId: w2, roleId: mgrRole }] }),
    );
    expect([refused.status, refused.code]).toEqual([403, "PRIVILEGE_ESCALATION"]);
    await mgr.client.users.update(user.id, { workspaceRoles: [{ workspaceId: w1, roleId: mgrRole }] });
  });

  it("cannot act on a user active beyond their own workspaces", async () => {
    const { user } = await createUser(t, a, { roleId: viewer });
    const refused = await problemOf(() => mgr.client.userActions.deactivate(user.id));
    expect([refused.status, refused.code]).toEqual([403, "PRIVILEGE_ESCALATION"]);
    expect(refused.message).toMatch(/active in every workspace/);
    const renamed = await problemOf(() => mgr.client.users.update(user.id, { lastName: "Changed" }));
    expect(renamed.code).toBe("PRIVILEGE_ESCALATION");
    expect((await a.admin.users.get(user.id)).status).toBe("active");
    // Within their workspaces they may.
    const { user: inside } = await createUser(t, a, { roleId: viewer, extra: { workspaceAccess: [w1] } });
    expect((await mgr.client.userActions.deactivate(inside.id)).status).toBe("inactive");
  });

  it("cannot widen at tenant level a role held by a user active beyond their workspaces", async () => {
    // The pentest audit: the role's gain reached its holder in w2, where the administrator holds nothing.
    const weak = await a.admin.roles.create({ name: "Weak (limited admin)", permissions: ["users.view"] });
    const { user: everywhere } = await createUser(t, a, { roleId: weak.id });
    const refused = await problemOf(() =>
      mgr.client.roles.update(weak.id, { permissions: ["users.view", "patients.read"] }),
    );
    expect([refused.status, refused.code, refused.errors[0]?.path]).toEqual([
      403,
      "PRIVILEGE_ESCALATION",
      "permissions",
    ]);
    expect((await a.admin.roles.get(weak.id)).version).toBe(weak.version);
    expect((await inW2(everywhere.id)).allowed).toBe(false);
    // A row of their own workspace reaches no further, and a role held only within theirs widens.
    const row = await mgr.client.roles.update(weak.id, {
      workspaces: [{ workspaceId: w1, permissions: ["patients.read"], collaborator: false }],
    });
    expect(row.version).toBe(weak.version + 1);
    const local = await a.admin.roles.create({ name: "Local (limited admin)", permissions: ["users.view"] });
    await createUser(t, a, { roleId: local.id, extra: { workspaceAccess: [w1] } });
    const widened = await mgr.client.roles.update(local.id, { permissions: ["users.view", "patients.read"] });
    expect(widened.permissions).toContain("patients.read");
    // A per-workspace holder in w2 counts too.
    await a.admin.users.update(everywhere.id, {
      roleId: viewer,
      workspaceRoles: [{ workspaceId: w2, roleId: local.id }],
    });
    const perWorkspace = await problemOf(() =>
      mgr.client.roles.update(local.id, {
        permissions: ["users.view", "patients.read", "patient_access.manage"],
      }),
    );
    expect(perWorkspace.code).toBe("PRIVILEGE_ESCALATION");
  });
});
