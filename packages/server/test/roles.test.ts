import { randomBytes } from "node:crypto";
import type { Role } from "@staffgate/contract";
import type { Staffgate } from "@staffgate/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CANARY_PASSWORD, problemOf, startTestApp, type TestApp, type TestTenant } from "./harness.ts";

describe(`roles (${process.env.STAFFGATE_TEST_DB ?? "sqlite"})`, () => {
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;
  let wsA: string;
  let wsB: string;
  let foreignWs: string;
  let passwordHash: string;
  beforeAll(async () => {
    t = await startTestApp();
    a = await t.createTenant();
    b = await t.createTenant();
    passwordHash = await t.app.core.deps.hasher.hash(CANARY_PASSWORD);
    wsA = (await a.admin.workspaces.create({ slug: "ward-a", name: "Ward A" })).id;
    wsB = (await a.admin.workspaces.create({ slug: "ward-b", name: "Ward B" })).id;
    foreignWs = (await b.admin.workspaces.create({ slug: "ward-a", name: "B's ward" })).id;
  });
  afterAll(() => t.close());

  /** Every role row and role workspace row of a tenant, to prove a refusal changed nothing. */
  async function snapshot(tenantId: string) {
    const k = t.db.kysely;
    return {
      roles: await k
        .selectFrom("roles")
        .selectAll()
        .where("tenant_id", "=", tenantId)
        .orderBy("id")
        .execute(),
      rows: await k
        .selectFrom("role_workspaces")
        .selectAll()
        .where("tenant_id", "=", tenantId)
        .orderBy("role_id")
        .orderBy("workspace_id")
        .execute(),
    };
  }

  /** Runs a call that must fail with `code` and leave the tenant's roles untouched. */
  async function refused(tenant: TestTenant, code: string, status: number, fn: () => Promise<unknown>) {
    const before = await snapshot(tenant.id);
    const p = await problemOf(fn);
    expect({ code: p.code, status: p.status }).toEqual({ code, status });
    expect(await snapshot(tenant.id)).toEqual(before);
    return p;
  }

  // The users API is being built in parallel; rows are inserted directly so these tests do not depend on it.
  async function addUser(
    tenant: TestTenant,
    roleId: string,
    options: {
      status?: "active" | "inactive" | "invited" | "archived";
      workspaceRoles?: Record<string, string>;
    } = {},
  ): Promise<{ id: string; username: string }> {
    const id = `usr_${randomBytes(16).toString("base64url")}`;
    const username = `u${randomBytes(4).toString("hex")}`;
    const now = t.clock.now().toISOString();
    await t.db.kysely
      .insertInto("users")
      .values({
        tenant_id: tenant.id,
        id,
        username,
        username_key: username,
        email: `${username}@example.test`,
        email_key: `${username}@example.test`,
        first_name: "Test",
        last_name: username,
        initials: "TU",
        display_name: `Test ${username}`,
        sort_name: `${username} test`,
        search_text: username,
        phone: "",
        work_role: null,
        professional_id: null,
        prescriber_id: null,
        qualifications: null,
        areas_of_expertise: null,
        employee_number: null,
        title: null,
        role_id: roleId,
        workspace_access_all: 1,
        virtual: 0,
        expires_at: null,
        status: options.status ?? "active",
        archived_from: options.status === "archived" ? "active" : null,
        locked: 0,
        locked_until: null,
        failed_attempts: 0,
        must_change_password: 0,
        mfa_enrolled: 0,
        password_hash: passwordHash,
        last_login_at: null,
        created_at: now,
        created_by: null,
        updated_at: now,
        version: 1,
      })
      .execute();
    for (const [workspaceId, wsRoleId] of Object.entries(options.workspaceRoles ?? {})) {
      await t.db.kysely
        .insertInto("user_workspace_roles")
        .values({ tenant_id: tenant.id, user_id: id, workspace_id: workspaceId, role_id: wsRoleId })
        .execute();
    }
    return { id, username };
  }

  async function roleNamed(client: Staffgate, name: string): Promise<Role> {
    const found = (await client.roles.list({ limit: 200 })).items.find((r) => r.name === name);
    if (!found) throw new Error(`no role ${name}`);
    return found;
  }

  /** A signed-in user of `tenant` holding a fresh role with `permissions`. */
  async function userWith(tenant: TestTenant, permissions: string[], name: string) {
    const role = await tenant.admin.roles.create({ name, permissions });
    const user = await addUser(tenant, role.id);
    return { role, user, client: await t.signIn(tenant.slug, user.username) };
  }

  it("creates a role with an ETag and reads it back", async () => {
    const res = await a.admin.transport.raw("POST", "/api/v1/roles", {
      body: {
        name: "Therapists",
        description: "Treatment staff",
        permissions: ["patients.write", "patients.write"],
        workspaces: [{ workspaceId: wsA, permissions: ["collections.read"] }],
      },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get("etag")).toBe('"1"');
    const role = (await res.json()) as Role;
    expect(role).toMatchObject({
      name: "Therapists",
      description: "Treatment staff",
      system: false,
      locked: false,
      private: false,
      permissions: ["patients.write"],
      collaborator: false,
      workspaces: [{ workspaceId: wsA, permissions: ["collections.read"], collaborator: false }],
      userCount: 0,
      version: 1,
    });
    expect(role.id).toMatch(/^rol_/);
    expect(await a.admin.roles.get(role.id)).toEqual(role);
  });

  it.each([
    [{ permissions: ["users.view", "no.such_key"] }, "permissions.1"],
    [{ workspaces: [{ workspaceId: "wsp_missing", permissions: [] }] }, "workspaces.0.workspaceId"],
    [
      {
        workspaces: [
          { workspaceId: "WS_A", permissions: [] },
          { workspaceId: "WS_A", permissions: [] },
        ],
      },
      "workspaces.1.workspaceId",
    ],
    [
      { workspaces: [{ workspaceId: "WS_A", permissions: ["patients.read", "bogus.key"] }] },
      "workspaces.0.permissions.1",
    ],
  ])("rejects %j as VALIDATION_FAILED at %s", async (body, path) => {
    const fixed = JSON.parse(JSON.stringify(body).replaceAll("WS_A", wsA)) as object;
    const p = await refused(a, "VALIDATION_FAILED", 400, () =>
      a.admin.roles.create({ name: "Bad", ...fixed }),
    );
    expect(p.errors.map((e) => e.path)).toContain(path);
  });

  it("rejects another tenant's workspace in a row exactly like an unknown one", async () => {
    const row = (workspaceId: string) => ({ name: "Sneaky", workspaces: [{ workspaceId, permissions: [] }] });
    const foreign = await refused(a, "VALIDATION_FAILED", 400, () => a.admin.roles.create(row(foreignWs)));
    const missing = await problemOf(() => a.admin.roles.create(row("wsp_missing")));
    expect(foreign.problem).toEqual(missing.problem);
  });

  it.each([
    [
      "COLLABORATOR_ROLE_HAS_WORKSPACE_ROWS",
      { collaborator: true, workspaces: [{ workspaceId: "WS_A", permissions: ["patients.read"] }] },
      "workspaces",
    ],
    [
      "COLLABORATOR_WORKSPACE_WITH_TENANT_PATIENT_PERMISSIONS",
      {
        permissions: ["patients.phi"],
        workspaces: [{ workspaceId: "WS_A", permissions: ["patients.read"], collaborator: true }],
      },
      "permissions.0",
    ],
    [
      "COLLABORATOR_WORKSPACE_WITH_TENANT_PATIENT_PERMISSIONS",
      {
        permissions: ["users.view", "collections.read"],
        workspaces: [{ workspaceId: "WS_A", permissions: [], collaborator: true }],
      },
      "permissions.1",
    ],
    [
      "FORBIDDEN_FOR_COLLABORATOR",
      { collaborator: true, permissions: ["patients.read", "collections.write"] },
      "permissions.1",
    ],
    [
      "FORBIDDEN_FOR_COLLABORATOR",
      { workspaces: [{ workspaceId: "WS_A", permissions: ["collections.read"], collaborator: true }] },
      "workspaces.0.permissions.0",
    ],
    [
      "WORKSPACE_ROW_TENANT_ONLY_PERMISSION",
      { workspaces: [{ workspaceId: "WS_A", permissions: ["patients.read", "users.view"] }] },
      "workspaces.0.permissions.1",
    ],
  ])("rejects a role breaking %s (422, names the rule)", async (rule, body, path) => {
    const fixed = JSON.parse(JSON.stringify(body).replaceAll("WS_A", wsA)) as object;
    const p = await refused(a, "ROLE_RULE_VIOLATED", 422, () =>
      a.admin.roles.create({ name: "Broken", ...fixed }),
    );
    expect(p.problem.rule).toBe(rule);
    expect(p.errors).toContainEqual(expect.objectContaining({ path }));
  });

  it("checks the rules on update against the merged definition", async () => {
    const role = await a.admin.roles.create({
      name: "Collab Ward",
      workspaces: [{ workspaceId: wsA, permissions: ["patients.read"], collaborator: true }],
    });
    const p = await refused(a, "ROLE_RULE_VIOLATED", 422, () =>
      a.admin.roles.update(role.id, { permissions: ["patients.read"] }),
    );
    expect(p.problem.rule).toBe("COLLABORATOR_WORKSPACE_WITH_TENANT_PATIENT_PERMISSIONS");
  });

  it("keeps names unique per tenant ignoring case, but not across tenants", async () => {
    const nurses = await a.admin.roles.create({ name: "Nurses" });
    const dup = await refused(a, "ROLE_NAME_TAKEN", 409, () => a.admin.roles.create({ name: "  nURSES " }));
    expect(dup.errors[0]?.path).toBe("name");
    const other = await a.admin.roles.create({ name: "Porters" });
    await refused(a, "ROLE_NAME_TAKEN", 409, () => a.admin.roles.update(other.id, { name: "NURSES" }));
    await refused(a, "ROLE_NAME_TAKEN", 409, () => a.admin.roles.copy(other.id, { name: "nurses" }));
    await expect(b.admin.roles.create({ name: "Nurses" })).resolves.toMatchObject({ name: "Nurses" });
    // Changing only the case of its own name is allowed.
    expect((await a.admin.roles.update(nurses.id, { name: "NURSES" })).name).toBe("NURSES");
  });

  it("takes runs of spaces inside a name as one, so two names cannot differ by spaces alone", async () => {
    const night = await a.admin.roles.create({ name: "Night  shift\u00a0 nurses" });
    expect(night.name).toBe("Night shift nurses");
    await refused(a, "ROLE_NAME_TAKEN", 409, () => a.admin.roles.create({ name: "night shift   nurses" }));
  });

  it("gives one 200 and 412s to 10 parallel edits with the same If-Match: no lost update (SECURITY.md §5.3.3)", async () => {
    const role = await a.admin.roles.create({ name: "Racing Desk", permissions: [] });
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        a.admin.roles
          .update(role.id, { description: `Edit ${i}` }, { ifMatch: role.version })
          .then((r) => ({ status: 200, description: r.description }))
          .catch((e: { status: number }) => ({ status: e.status, description: null })),
      ),
    );
    const won = results.filter((r) => r.status === 200);
    expect(won).toHaveLength(1);
    expect(results.filter((r) => r.status === 412)).toHaveLength(9);
    const final = await roleNamed(a.admin, "Racing Desk");
    expect([final.description, final.version]).toEqual([won[0]!.description, role.version + 1]);
  });

  it("never changes or deletes the locked Administrator", async () => {
    const admin = await roleNamed(a.admin, "Administrator");
    expect(admin).toMatchObject({ locked: true, system: true });
    await refused(a, "ROLE_LOCKED", 422, () => a.admin.roles.update(admin.id, { description: "mine now" }));
    await refused(a, "ROLE_LOCKED", 422, () => a.admin.roles.delete(admin.id));
  });

  it("answers 412 to a stale If-Match on update and delete", async () => {
    const role = await a.admin.roles.create({ name: "Versioned" });
    expect((await a.admin.roles.update(role.id, { description: "v2" }, { ifMatch: 1 })).version).toBe(2);
    await refused(a, "PRECONDITION_FAILED", 412, () =>
      a.admin.roles.update(role.id, { description: "lost" }, { ifMatch: 1 }),
    );
    await refused(a, "PRECONDITION_FAILED", 412, () => a.admin.roles.delete(role.id, { ifMatch: 1 }));
    await a.admin.roles.delete(role.id, { ifMatch: 2 });
    expect((await problemOf(() => a.admin.roles.get(role.id))).code).toBe("ROLE_NOT_FOUND");
  });

  it("counts holders and refuses to delete a held role with the count", async () => {
    const role = await a.admin.roles.create({ name: "Held" });
    const other = await a.admin.roles.create({ name: "Other for held" });
    await addUser(a, role.id);
    await addUser(a, other.id, { workspaceRoles: { [wsA]: role.id, [wsB]: role.id } });
    await addUser(a, role.id, { status: "inactive" });
    const archived = await addUser(a, role.id, { status: "archived" });
    expect((await a.admin.roles.get(role.id)).userCount).toBe(3);
    expect((await roleNamed(a.admin, "Held")).userCount).toBe(3);
    // The count the role shows, and the archived holders apart (they block it too).
    const p = await refused(a, "ROLE_IN_USE", 409, () => a.admin.roles.delete(role.id));
    expect([p.problem.userCount, p.problem.archivedUserCount]).toEqual([3, 1]);
    await a.admin.settings.update({ scimDefaultRoleId: role.id });
    const asDefault = await refused(a, "ROLE_IN_USE", 409, () => a.admin.roles.delete(role.id));
    expect([asDefault.problem.userCount, asDefault.problem.archivedUserCount]).toEqual([3, 1]);
    await a.admin.settings.update({ scimDefaultRoleId: null });
    expect(p.problem.detail).toContain("held by 3 users and 1 archived user;");
    await t.db.kysely
      .updateTable("users")
      .set({ role_id: other.id })
      .where("tenant_id", "=", a.id)
      .where("role_id", "=", role.id)
      .where("id", "<>", archived.id)
      .execute();
    await t.db.kysely
      .deleteFrom("user_workspace_roles")
      .where("tenant_id", "=", a.id)
      .where("role_id", "=", role.id)
      .execute();
    expect((await a.admin.roles.get(role.id)).userCount).toBe(0);
    const last = await refused(a, "ROLE_IN_USE", 409, () => a.admin.roles.delete(role.id));
    expect([last.problem.userCount, last.problem.archivedUserCount]).toEqual([0, 1]);
    expect(last.problem.detail).toContain("held by 1 archived user;");
    // As the SCIM default role it is refused for that, still with its real counts (they said 0).
    await a.admin.settings.update({ scimDefaultRoleId: role.id });
    const fallback = await refused(a, "ROLE_IN_USE", 409, () => a.admin.roles.delete(role.id));
    expect([fallback.problem.userCount, fallback.problem.archivedUserCount]).toEqual([0, 1]);
    expect(fallback.problem.detail).toContain("default role");
    await a.admin.settings.update({ scimDefaultRoleId: null });
    // The way out it names: the archived holder's role changes without a restore (which would
    // let the departed person sign in again).
    expect(last.problem.detail).toContain("without restoring it");
    const moved = await a.admin.users.update(archived.id, { roleId: other.id });
    expect([moved.status, moved.roleId]).toEqual(["archived", other.id]);
    await a.admin.roles.delete(role.id);
    // The three non-archived former holders now hold "other"; the archived one is not counted.
    expect((await a.admin.roles.get(other.id)).userCount).toBe(3);
  });

  it("answers another tenant's role id exactly like a missing one", async () => {
    const role = await a.admin.roles.create({ name: "A's own" });
    const foreign = await b.admin.transport.raw("GET", `/api/v1/roles/${role.id}`);
    const missing = await b.admin.transport.raw("GET", "/api/v1/roles/rol_doesnotexist000000000");
    expect(foreign.status).toBe(404);
    expect(await foreign.json()).toEqual(await missing.json());
    await refused(a, "ROLE_NOT_FOUND", 404, () => b.admin.roles.update(role.id, { name: "hijack" }));
    await refused(a, "ROLE_NOT_FOUND", 404, () => b.admin.roles.delete(role.id));
    await refused(b, "ROLE_NOT_FOUND", 404, () => b.admin.roles.copy(role.id));
    expect((await b.admin.roles.list({ limit: 200 })).items.map((r) => r.id)).not.toContain(role.id);
  });

  it("does not reach private roles through /roles", async () => {
    const now = t.clock.now().toISOString();
    const user = await addUser(a, (await roleNamed(a.admin, "Viewer")).id);
    await t.db.kysely
      .insertInto("roles")
      .values({
        tenant_id: a.id,
        id: "rol_private_for_test_000001",
        name: "Private",
        name_key: null,
        description: "",
        system: 0,
        locked: 0,
        private_user_id: user.id,
        collaborator: 0,
        permissions: "[]",
        created_at: now,
        updated_at: now,
        version: 1,
      })
      .execute();
    expect((await problemOf(() => a.admin.roles.get("rol_private_for_test_000001"))).code).toBe(
      "ROLE_NOT_FOUND",
    );
    await refused(a, "ROLE_NOT_FOUND", 404, () => a.admin.roles.delete("rol_private_for_test_000001"));
    await refused(a, "ROLE_NOT_FOUND", 404, () => a.admin.roles.copy("rol_private_for_test_000001"));
    expect((await a.admin.roles.list({ limit: 200 })).items.every((r) => !r.private)).toBe(true);
  });

  it("refuses privilege escalation by a role manager who lacks some permissions", async () => {
    const c = await t.createTenant();
    const mgr = await userWith(c, ["roles.manage", "users.view", "patients.write"], "Role managers");
    const p = await refused(c, "PRIVILEGE_ESCALATION", 403, () =>
      mgr.client.roles.create({ name: "Deleters", permissions: ["patients.read", "patients.delete"] }),
    );
    expect(p.errors).toEqual([
      { path: "permissions", message: expect.stringContaining('"patients.delete"') },
    ]);
    await refused(c, "PRIVILEGE_ESCALATION", 403, () =>
      mgr.client.roles.create({ name: "Ward admins", workspaces: [], permissions: ["workspaces.manage"] }),
    );
    const ok = await mgr.client.roles.create({ name: "Readers", permissions: ["patients.read"] });
    // Adding a permission the manager lacks is refused; narrowing a role that has one is not.
    await refused(c, "PRIVILEGE_ESCALATION", 403, () =>
      mgr.client.roles.update(ok.id, { permissions: ["patients.read", "patients.delete"] }),
    );
    const physicist = await roleNamed(c.admin, "Physicist");
    const narrowed = await mgr.client.roles.update(physicist.id, {
      permissions: physicist.permissions.filter((k) => k !== "patients.write"),
    });
    expect(narrowed.permissions).not.toContain("patients.write");
    await refused(c, "PRIVILEGE_ESCALATION", 403, () =>
      mgr.client.roles.update(physicist.id, { permissions: [...narrowed.permissions, "patients.delete"] }),
    );
    // Lifting the collaborator restriction is an addition too.
    const collab = await c.admin.roles.create({
      name: "Collab readers",
      collaborator: true,
      permissions: ["patients.delete"],
    });
    await refused(c, "PRIVILEGE_ESCALATION", 403, () =>
      mgr.client.roles.update(collab.id, { collaborator: false }),
    );
    const admin = await roleNamed(c.admin, "Administrator");
    await refused(c, "PRIVILEGE_ESCALATION", 403, () => mgr.client.roles.copy(admin.id));

    // Nor does the manager take away what they do not hold (pentest audit): that would strip the
    // role's holders of it. Renaming takes nothing away; removing what they hold is fine.
    const strong = await c.admin.roles.create({
      name: "Strong",
      permissions: ["patients.read", "patients.delete", "users.view"],
    });
    const taken = await refused(c, "PRIVILEGE_ESCALATION", 403, () =>
      mgr.client.roles.update(strong.id, { permissions: ["patients.read", "users.view"] }),
    );
    expect(taken.message).toMatch(/take away/);
    expect(taken.errors).toEqual([
      { path: "permissions", message: expect.stringContaining('"patients.delete"') },
    ]);
    await refused(c, "PRIVILEGE_ESCALATION", 403, () =>
      mgr.client.roles.update(strong.id, { collaborator: true }),
    );
    expect((await c.admin.roles.get(strong.id)).permissions.sort()).toEqual(
      ["patients.delete", "patients.read", "users.view"].sort(),
    );
    const renamed = await mgr.client.roles.update(strong.id, { name: "Strong (renamed)" });
    expect(renamed.name).toBe("Strong (renamed)");
    const lighter = await mgr.client.roles.update(strong.id, {
      permissions: ["patients.delete", "users.view"],
    });
    expect(lighter.permissions).not.toContain("patients.read");
  });

  it("copies a role, the Administrator included, as an unlocked, non-system role", async () => {
    const admin = await roleNamed(a.admin, "Administrator");
    const copy = await a.admin.roles.copy(admin.id);
    expect(copy).toMatchObject({
      name: "Copy of Administrator",
      description: "A copy of Administrator.",
      locked: false,
      system: false,
      permissions: admin.permissions,
      userCount: 0,
      version: 1,
    });
    expect((await a.admin.roles.copy(admin.id)).name).toBe("Copy of Administrator (2)");
    expect((await a.admin.roles.copy(admin.id)).name).toBe("Copy of Administrator (3)");
    const src = await a.admin.roles.create({
      name: "With rows",
      workspaces: [{ workspaceId: wsB, permissions: ["patients.read"], collaborator: true }],
    });
    const named = await a.admin.roles.copy(src.id, { name: "Named copy" });
    expect(named).toMatchObject({
      name: "Named copy",
      workspaces: src.workspaces,
      description: src.description,
    });
    expect((await a.admin.roles.update(copy.id, { description: "editable" })).description).toBe("editable");
  });

  it("refuses to edit or delete a role you hold, formal or per workspace", async () => {
    const c = await t.createTenant();
    const mgr = await userWith(c, ["roles.manage", "users.view"], "Self managers");
    await refused(c, "SELF_ROLE_CHANGE", 403, () =>
      mgr.client.roles.update(mgr.role.id, { permissions: ["roles.manage", "users.view", "audit.view"] }),
    );
    await refused(c, "SELF_ROLE_CHANGE", 403, () => mgr.client.roles.delete(mgr.role.id));
    const wsRole = await c.admin.roles.create({ name: "Ward role" });
    const ward = (await c.admin.workspaces.create({ slug: "ward", name: "Ward" })).id;
    await t.db.kysely
      .insertInto("user_workspace_roles")
      .values({ tenant_id: c.id, user_id: mgr.user.id, workspace_id: ward, role_id: wsRole.id })
      .execute();
    await refused(c, "SELF_ROLE_CHANGE", 403, () =>
      mgr.client.roles.update(wsRole.id, { description: "mine" }),
    );
    // Someone else may change it.
    await expect(c.admin.roles.update(mgr.role.id, { description: "by admin" })).resolves.toMatchObject({
      version: 2,
    });
  });

  it("refuses an update that leaves the tenant without an administrator", async () => {
    const c = await t.createTenant();
    const admins = await c.admin.roles.create({
      name: "Admins 2",
      permissions: ["users.manage", "roles.manage"],
    });
    await t.db.kysely
      .updateTable("users")
      .set({ role_id: admins.id })
      .where("tenant_id", "=", c.id)
      .where("id", "=", c.adminUserId)
      .execute();
    // Only someone who holds users.manage may take it away, and a person holding both is an
    // administrator; an integration's token holding both is not (virtual users do not count).
    const editors = await c.admin.roles.create({
      name: "Role editors",
      permissions: ["users.manage", "roles.manage"],
    });
    const { token, userId } = await c.admin.apiTokens.create({ name: "Directory sync", roleId: editors.id });
    // A token made through the API answers to its maker, who holds the role (SELF_ROLE_CHANGE,
    // token-own-account.test.ts); with no maker recorded, the last administrator's rule is what is left.
    await t.db.kysely
      .updateTable("users")
      .set({ created_by: null })
      .where("tenant_id", "=", c.id)
      .where("id", "=", userId)
      .execute();
    await t.db.kysely
      .updateTable("tenants")
      .set((eb) => ({ policy_version: eb("policy_version", "+", 1) }))
      .where("id", "=", c.id)
      .execute();
    const mgr = t.anonymous.withToken(token);
    const p = await refused(c, "LAST_ADMINISTRATOR", 409, () =>
      mgr.roles.update(admins.id, { permissions: ["roles.manage"] }),
    );
    expect(p.status).toBe(409);
    await expect(mgr.roles.update(admins.id, { description: "still admins" })).resolves.toMatchObject({
      version: 2,
    });
  });

  it("requires users.view to read and roles.manage to write", async () => {
    const c = await t.createTenant();
    const viewer = await userWith(c, ["users.view"], "Viewers only");
    const none = await userWith(c, ["audit.view"], "No users");
    await expect(viewer.client.roles.list()).resolves.toBeDefined();
    await refused(c, "FORBIDDEN", 403, () => viewer.client.roles.create({ name: "Nope" }));
    await refused(c, "FORBIDDEN", 403, () => viewer.client.roles.delete(none.role.id));
    expect((await problemOf(() => none.client.roles.get(viewer.role.id))).code).toBe("FORBIDDEN");
  });

  it("lists formal roles by name with a cursor and searches names", async () => {
    const c = await t.createTenant();
    for (const name of ["zeta", "Alpha", "mid_%", "beta"]) await c.admin.roles.create({ name });
    const names: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await c.admin.roles.list({ limit: 3, ...(cursor ? { cursor } : {}) });
      names.push(...page.items.map((r) => r.name));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(names).toEqual([...names].sort((x, y) => x.toLowerCase().localeCompare(y.toLowerCase())));
    expect(names).toEqual(expect.arrayContaining(["Administrator", "Alpha", "beta", "mid_%", "zeta"]));
    expect((await c.admin.roles.list({ q: "ALP" })).items.map((r) => r.name)).toEqual(["Alpha"]);
    expect((await c.admin.roles.list({ q: "_%" })).items.map((r) => r.name)).toEqual(["mid_%"]);
  });

  it("audits create, update, copy and delete", async () => {
    const role = await a.admin.roles.create({ name: "Audited role", permissions: ["users.view"] });
    await a.admin.roles.update(role.id, { permissions: ["users.view", "audit.view"] });
    const copy = await a.admin.roles.copy(role.id);
    await a.admin.roles.delete(role.id);
    const rows = await t.db.kysely
      .selectFrom("audit_events")
      .select(["action", "changes", "target_id"])
      .where("tenant_id", "=", a.id)
      .where("target_id", "in", [role.id, copy.id])
      .orderBy("seq")
      .execute();
    expect(rows.map((r) => r.action)).toEqual([
      "role.created",
      "role.updated",
      "role.copied",
      "role.deleted",
    ]);
    expect(JSON.parse(rows[1]!.changes!)).toEqual({
      permissions: { before: ["users.view"], after: ["users.view", "audit.view"] },
    });
    expect(JSON.parse(rows[2]!.changes!)).toMatchObject({
      name: { after: "Copy of Audited role" },
      copiedFrom: { after: role.id },
    });
    expect(JSON.parse(rows[3]!.changes!)).toMatchObject({ name: { before: "Audited role" } });
  });
});
