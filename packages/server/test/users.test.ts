import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CANARY_PASSWORD, problemOf, startTestApp, type TestApp, type TestTenant } from "./harness.ts";
import { insertRole, newUser, roleIdByName, setUserColumns } from "./users-fixtures.ts";

describe(`users (${process.env.STAFFGATE_TEST_DB ?? "sqlite"})`, () => {
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;
  let adminRole: string;
  let viewerRole: string;
  let bViewerRole: string;
  const countUsers = async (tenantId: string) =>
    Number(
      (
        await t.db.kysely
          .selectFrom("users")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .where("tenant_id", "=", tenantId)
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    t = await startTestApp();
    a = await t.createTenant();
    b = await t.createTenant();
    adminRole = await roleIdByName(t, a.id, "Administrator");
    viewerRole = await roleIdByName(t, a.id, "Viewer");
    bViewerRole = await roleIdByName(t, b.id, "Viewer");
  });
  afterAll(() => t.close());

  it("creates an active user from a password, with ETag and derived fields, who signs in and works", async () => {
    const res = await a.admin.transport.raw("POST", "/api/v1/users", {
      body: { ...newUser(viewerRole, { firstName: "ada", lastName: "Lovelace" }), password: CANARY_PASSWORD },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get("etag")).toBe('"1"');
    const u = (await res.json()) as Record<string, unknown>;
    expect(u).toMatchObject({
      status: "active",
      initials: "AL",
      displayName: "ada Lovelace",
      // API.md makes "must change" the default of the password action only; asked for, it is set.
      mustChangePassword: false,
      workspaceAccess: "all",
      workspaceRoles: [],
      privateRole: false,
      virtual: false,
      createdBy: a.adminUserId,
      version: 1,
    });
    expect(JSON.stringify(u)).not.toContain(CANARY_PASSWORD);
    const fresh = await t.signIn(a.slug, u.username as string);
    expect((await fresh.auth.me()).user.id).toBe(u.id);
    // Not confined to changing the password: the session reaches more than /auth/me.
    expect((await fresh.auth.sessions()).items.length).toBeGreaterThan(0);
  });

  it("invites a user created without a password; virtual users are active and cannot take one", async () => {
    const invited = await a.admin.users.create(newUser(viewerRole));
    expect(invited).toMatchObject({ status: "invited", mustChangePassword: false });
    const bot = await a.admin.users.create(newUser(viewerRole, { virtual: true, mustChangePassword: true }));
    expect(bot).toMatchObject({ status: "active", virtual: true, mustChangePassword: false });
    const before = await countUsers(a.id);
    const p = await problemOf(() =>
      a.admin.users.create(newUser(viewerRole, { virtual: true, password: CANARY_PASSWORD })),
    );
    expect([p.status, p.errors[0]?.path]).toEqual([400, "password"]);
    const weak = await problemOf(() => a.admin.users.create(newUser(viewerRole, { password: "short" })));
    expect([weak.status, weak.errors[0]?.path]).toEqual([400, "password"]);
    expect(await countUsers(a.id)).toBe(before);
    const asked = await a.admin.users.create(
      newUser(viewerRole, { password: CANARY_PASSWORD, mustChangePassword: true }),
    );
    expect(asked.mustChangePassword).toBe(true);
  });

  it("stores phones as E.164 without spaces and rejects anything else", async () => {
    const u = await a.admin.users.create(newUser(viewerRole, { phone: "+44 20 7946 0958" }));
    expect(u.phone).toBe("+442079460958");
    const p = await problemOf(() => a.admin.users.create(newUser(viewerRole, { phone: "12345" })));
    expect([p.status, p.code, p.errors[0]?.path]).toEqual([400, "VALIDATION_FAILED", "phone"]);
    const upd = await problemOf(() => a.admin.users.update(u.id, { phone: "+12" }));
    expect(upd.errors[0]?.path).toBe("phone");
    expect((await a.admin.users.update(u.id, { phone: "" })).phone).toBe("");
  });

  it("names every field at fault in one answer: a bad phone beside over-long initials", async () => {
    const p = await problemOf(() =>
      a.admin.users.create(newUser(viewerRole, { initials: "ABCDEFGHIJ", phone: "12ab" })),
    );
    expect([p.status, p.code]).toEqual([400, "VALIDATION_FAILED"]);
    expect(p.errors.map((e) => e.path).sort()).toEqual(["initials", "phone"]);
  });

  it("says why a role cannot be taken away (roleId null): a user holds exactly one", async () => {
    const user = await a.admin.users.create(newUser(viewerRole));
    const p = await problemOf(() => a.admin.users.update(user.id, { roleId: null } as never));
    expect([p.status, p.errors[0]?.path, p.errors[0]?.message]).toEqual([
      400,
      "roleId",
      "cannot be null: a user holds exactly one role",
    ]);
  });

  it("rejects a header-injection email", async () => {
    const p = await problemOf(() =>
      a.admin.users.create(newUser(viewerRole, { email: "a@b.c\r\nBcc: x@y.z" })),
    );
    expect([p.status, p.errors[0]?.path]).toEqual([400, "email"]);
  });

  it("rejects an email whose part before the @ is over 64 bytes (RFC 5321: no mail reaches it), and creates nothing", async () => {
    const before = (await a.admin.users.list({ limit: 200 })).items.length;
    const p = await problemOf(() =>
      a.admin.users.create(newUser(viewerRole, { email: `${"x".repeat(65)}@example.com` })),
    );
    expect([p.status, p.errors[0]?.path]).toEqual([400, "email"]);
    expect((await a.admin.users.list({ limit: 200 })).items.length).toBe(before);
    const ok = await a.admin.users.create(newUser(viewerRole, { email: `${"y".repeat(64)}@example.com` }));
    expect(ok.email).toBe(`${"y".repeat(64)}@example.com`);
  });

  it("rejects a CR, LF or tab at either end of an email or username instead of trimming it away, and creates nothing", async () => {
    for (const [field, value] of [
      ["email", "edge@b.example\r\n"],
      ["email", "\nedge@b.example"],
      ["email", "edge@b.example\t"],
      ["username", "edge-user\r\n"],
    ] as const) {
      const p = await problemOf(() =>
        a.admin.users.create(
          newUser(viewerRole, { username: "edge-user", email: "edge@b.example", [field]: value }),
        ),
      );
      expect([p.status, p.errors[0]?.path], JSON.stringify(value)).toEqual([400, field]);
    }
    expect((await a.admin.users.list({ q: "edge-user", status: "all" })).items).toHaveLength(0);
    // Spaces are still trimmed.
    const spaced = await a.admin.users.create(
      newUser(viewerRole, { username: " edge-user ", email: " edge@b.example " }),
    );
    expect([spaced.username, spaced.email]).toEqual(["edge-user", "edge@b.example"]);
  });

  it("accepts only the tenant's work roles, and a professional ID only where the work role has one", async () => {
    const unknown = await problemOf(() => a.admin.users.create(newUser(viewerRole, { workRole: "Wizard" })));
    expect([unknown.status, unknown.code, unknown.errors[0]?.path]).toEqual([
      400,
      "VALIDATION_FAILED",
      "workRole",
    ]);
    const nurse = await problemOf(() =>
      a.admin.users.create(newUser(viewerRole, { workRole: "Nurse", professionalId: "X1" })),
    );
    expect([nurse.status, nurse.code, nurse.errors[0]?.path]).toEqual([
      400,
      "VALIDATION_FAILED",
      "professionalId",
    ]);
    const onc = await a.admin.users.create(
      newUser(viewerRole, { workRole: "Radiation Oncologist", professionalId: "NPI-1" }),
    );
    expect(onc).toMatchObject({ workRole: "Radiation Oncologist", professionalId: "NPI-1" });
    const change = await problemOf(() => a.admin.users.update(onc.id, { workRole: "Nurse" }));
    expect([change.code, change.errors[0]?.path]).toEqual(["VALIDATION_FAILED", "professionalId"]);
    const ok = await a.admin.users.update(onc.id, { workRole: "Nurse", professionalId: null });
    expect(ok).toMatchObject({ workRole: "Nurse", professionalId: null });
    // Matched without regard to case, stored in the list's spelling (so filters find it).
    const lower = await a.admin.users.create(
      newUser(viewerRole, { workRole: "radiation ONCOLOGIST", professionalId: "NPI-2" }),
    );
    expect(lower).toMatchObject({ workRole: "Radiation Oncologist", professionalId: "NPI-2" });
    expect((await a.admin.users.update(onc.id, { workRole: "nurse" })).workRole).toBe("Nurse");
  });

  it("rejects unknown, private and other tenants' roles and workspaces alike", async () => {
    const wsA = await a.admin.workspaces.create({ slug: "ref-a", name: "A" });
    const wsB = await b.admin.workspaces.create({ slug: "ref-b", name: "B" });
    const someone = await a.admin.users.create(newUser(viewerRole));
    const privateRole = await insertRole(t, a.id, "p", ["patients.read"], { privateUserId: someone.id });
    const before = await countUsers(a.id);
    for (const roleId of ["rol_missing000000000000000", bViewerRole, privateRole]) {
      const p = await problemOf(() => a.admin.users.create(newUser(roleId)));
      expect([p.status, p.code, p.errors[0]?.path]).toEqual([400, "VALIDATION_FAILED", "roleId"]);
    }
    for (const bad of ["wsp_missing000000000000000", wsB.id]) {
      const p = await problemOf(() =>
        a.admin.users.create(newUser(viewerRole, { workspaceAccess: [wsA.id, bad] })),
      );
      expect([p.status, p.errors[0]?.path]).toEqual([400, "workspaceAccess.1"]);
      const r = await problemOf(() =>
        a.admin.users.create(
          newUser(viewerRole, { workspaceRoles: [{ workspaceId: bad, roleId: viewerRole }] }),
        ),
      );
      expect(r.errors[0]?.path).toBe("workspaceRoles.0.workspaceId");
    }
    const foreignRole = await problemOf(() =>
      a.admin.users.create(
        newUser(viewerRole, { workspaceRoles: [{ workspaceId: wsA.id, roleId: bViewerRole }] }),
      ),
    );
    expect(foreignRole.errors[0]?.path).toBe("workspaceRoles.0.roleId");
    const twice = await problemOf(() =>
      a.admin.users.create(
        newUser(viewerRole, {
          workspaceRoles: [
            { workspaceId: wsA.id, roleId: viewerRole },
            { workspaceId: wsA.id, roleId: adminRole },
          ],
        }),
      ),
    );
    expect(twice.errors[0]?.path).toBe("workspaceRoles.1.workspaceId");
    expect(await countUsers(a.id)).toBe(before);
    const good = await a.admin.users.create(
      newUser(viewerRole, {
        workspaceAccess: [wsA.id],
        workspaceRoles: [{ workspaceId: wsA.id, roleId: adminRole }],
      }),
    );
    expect(good).toMatchObject({
      workspaceAccess: [wsA.id],
      workspaceRoles: [{ workspaceId: wsA.id, roleId: adminRole }],
    });
  });

  it("keeps usernames and emails unique per tenant, case-insensitively, archived users included", async () => {
    const u = await a.admin.users.create(
      newUser(viewerRole, { username: "Jane.Doe", email: "Jane@Example.test" }),
    );
    await setUserColumns(t, a.id, u.id, { status: "archived" });
    const name = await problemOf(() => a.admin.users.create(newUser(viewerRole, { username: "jane.DOE" })));
    expect([name.status, name.code, name.errors[0]?.path]).toEqual([409, "USER_USERNAME_TAKEN", "username"]);
    const mail = await problemOf(() =>
      a.admin.users.create(newUser(viewerRole, { email: "jane@example.TEST" })),
    );
    expect([mail.status, mail.code, mail.errors[0]?.path]).toEqual([409, "USER_EMAIL_TAKEN", "email"]);
    const other = await a.admin.users.create(newUser(viewerRole));
    const patch = await problemOf(() => a.admin.users.update(other.id, { username: "JANE.doe" }));
    expect(patch.code).toBe("USER_USERNAME_TAKEN");
    await expect(
      b.admin.users.create(newUser(bViewerRole, { username: "jane.doe", email: "jane@example.test" })),
    ).resolves.toMatchObject({ username: "jane.doe" });
  });

  it("gives exactly one 201 among 50 parallel creates of one username", async () => {
    const c = await t.createTenant();
    const role = await roleIdByName(t, c.id, "Viewer");
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        c.admin.users
          .create(newUser(role, { username: "racer", email: `racer${i}@example.test` }))
          .then(() => 201)
          .catch((e: { status: number; code: string }) => (e.code === "USER_USERNAME_TAKEN" ? e.status : -1)),
      ),
    );
    expect(results.filter((s) => s === 201)).toHaveLength(1);
    expect(results.filter((s) => s === 409)).toHaveLength(49);
  });

  it("edits with If-Match (412 when stale), re-derives names and stores expiry as UTC", async () => {
    const u = await a.admin.users.create(newUser(viewerRole, { firstName: "Alan", lastName: "Turing" }));
    const upd = await a.admin.users.update(
      u.id,
      { firstName: "Joan", expiresAt: "2027-03-01T10:00:00+02:00" },
      { ifMatch: 1 },
    );
    expect(upd).toMatchObject({
      initials: "JT",
      displayName: "Joan Turing",
      expiresAt: "2027-03-01T08:00:00.000Z",
    });
    expect(upd.version).toBe(2);
    const stale = await problemOf(() => a.admin.users.update(u.id, { lastName: "Lost" }, { ifMatch: 1 }));
    expect([stale.status, stale.code]).toEqual([412, "PRECONDITION_FAILED"]);
    expect((await a.admin.users.get(u.id)).lastName).toBe("Turing");
    const past = await problemOf(() => a.admin.users.update(u.id, { expiresAt: "2020-01-01T00:00:00Z" }));
    expect(past.errors[0]?.path).toBe("expiresAt");
    const same = await a.admin.users.update(u.id, { firstName: "Joan" });
    expect(same.version).toBe(2);
  });

  it("gives one 200 and 412s to 10 parallel edits with the same If-Match: no lost update (SECURITY.md §5.3.3)", async () => {
    const u = await a.admin.users.create(newUser(viewerRole, { title: "Start" }));
    const other = await t.signIn(a.slug, a.adminUsername);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 ? other : a.admin).users
          .update(u.id, { title: `Edit ${i}` }, { ifMatch: u.version })
          .then((r) => ({ status: 200, title: r.title }))
          .catch((e: { status: number }) => ({ status: e.status, title: null })),
      ),
    );
    const won = results.filter((r) => r.status === 200);
    expect(won).toHaveLength(1);
    expect(results.filter((r) => r.status === 412)).toHaveLength(9);
    const final = await a.admin.users.get(u.id);
    expect([final.title, final.version]).toEqual([won[0]!.title, u.version + 1]);
  });

  it("refuses to edit an archived user's fields (restore first) but changes its roles and workspaces", async () => {
    const u = await a.admin.users.create(newUser(viewerRole));
    await setUserColumns(t, a.id, u.id, { status: "archived" });
    const archived = await a.admin.users.get(u.id);
    const p = await problemOf(() => a.admin.users.update(u.id, { title: "Dr" }));
    expect([p.status, p.code]).toEqual([409, "USER_STATE_INVALID"]);
    expect(p.errors).toEqual([{ path: "title", message: "cannot be changed while the user is archived" }]);
    // A role with a field besides: refused whole, nothing changed.
    const mixed = await problemOf(() =>
      a.admin.users.update(u.id, { roleId: adminRole, email: "x@y.example" }),
    );
    expect([mixed.code, mixed.errors.map((e) => e.path)]).toEqual(["USER_STATE_INVALID", ["email"]]);
    expect(await a.admin.users.get(u.id)).toEqual(archived);
    const ws = await a.admin.workspaces.create({ slug: "archived-ws", name: "Archived WS" });
    const holders = (await a.admin.roles.get(adminRole)).userCount;
    const after = await a.admin.users.update(u.id, {
      roleId: adminRole,
      workspaceAccess: [ws.id],
      workspaceRoles: [{ workspaceId: ws.id, roleId: viewerRole }],
    });
    expect(after).toMatchObject({
      status: "archived",
      roleId: adminRole,
      workspaceAccess: [ws.id],
      workspaceRoles: [{ workspaceId: ws.id, roleId: viewerRole }],
      title: archived.title,
      version: archived.version + 1,
    });
    // An archived holder is not counted (it blocks a deletion, said apart).
    expect((await a.admin.roles.get(adminRole)).userCount).toBe(holders);
    const events = await a.admin.audit.list({ targetId: u.id });
    expect(events.items[0]).toMatchObject({
      action: "user.updated",
      changes: { roleId: { before: viewerRole, after: adminRole } },
    });
  });

  it("lets nobody change their own role", async () => {
    const ws = await a.admin.workspaces.create({ slug: "self-ws", name: "Self" });
    // The only administrator giving up the role hears the deeper reason, the one API.md names.
    const p = await problemOf(() => a.admin.users.update(a.adminUserId, { roleId: viewerRole }));
    expect([p.status, p.code]).toEqual([409, "LAST_ADMINISTRATOR"]);
    const permissions = await problemOf(() =>
      a.admin.userActions.setPermissions(a.adminUserId, { permissions: ["users.view"] }),
    );
    expect([permissions.status, permissions.code]).toEqual([409, "LAST_ADMINISTRATOR"]);
    const w = await problemOf(() =>
      a.admin.users.update(a.adminUserId, { workspaceRoles: [{ workspaceId: ws.id, roleId: viewerRole }] }),
    );
    expect(w.code).toBe("SELF_ROLE_CHANGE");
    const me = await a.admin.users.update(a.adminUserId, { title: "Practice manager", roleId: adminRole });
    expect(me).toMatchObject({ title: "Practice manager", roleId: adminRole });
  });

  describe("as a user manager with fewer permissions than an administrator", () => {
    let managerRole: string;
    let manager: Awaited<ReturnType<TestApp["signIn"]>>;
    beforeAll(async () => {
      managerRole = await insertRole(t, a.id, "User manager", [
        "users.view",
        "users.manage",
        "patients.read",
        "collections.read",
      ]);
      const m = await a.admin.users.create(
        newUser(managerRole, { username: "manager", password: CANARY_PASSWORD, mustChangePassword: false }),
      );
      manager = await t.signIn(a.slug, m.username);
    });

    it("cannot grant a role or a per-workspace role beyond its own permissions", async () => {
      const ws = await a.admin.workspaces.create({ slug: "esc-ws", name: "Esc" });
      const physicist = await roleIdByName(t, a.id, "Physicist");
      const before = await countUsers(a.id);
      const p = await problemOf(() => manager.users.create(newUser(adminRole)));
      expect([p.status, p.code, p.errors[0]?.path]).toEqual([403, "PRIVILEGE_ESCALATION", "roleId"]);
      const w = await problemOf(() =>
        manager.users.create(
          newUser(viewerRole, { workspaceRoles: [{ workspaceId: ws.id, roleId: physicist }] }),
        ),
      );
      expect([w.status, w.code, w.errors[0]?.path]).toEqual([
        403,
        "PRIVILEGE_ESCALATION",
        "workspaceRoles.0.roleId",
      ]);
      expect(await countUsers(a.id)).toBe(before);
      const ok = await manager.users.create(
        newUser(viewerRole, { workspaceRoles: [{ workspaceId: ws.id, roleId: viewerRole }] }),
      );
      const up = await problemOf(() => manager.users.update(ok.id, { roleId: adminRole }));
      expect(up.code).toBe("PRIVILEGE_ESCALATION");
      expect((await a.admin.users.get(ok.id)).roleId).toBe(viewerRole);
    });

    it("cannot edit, and so cannot demote, a user who holds more than the manager", async () => {
      // The last-administrator guard behind it is exercised in user-lifecycle and private-role tests.
      const p = await problemOf(() => manager.users.update(a.adminUserId, { roleId: viewerRole }));
      expect([p.status, p.code]).toEqual([403, "PRIVILEGE_ESCALATION"]);
      const email = await problemOf(() =>
        manager.users.update(a.adminUserId, { email: "takeover@evil.example" }),
      );
      expect(email.code).toBe("PRIVILEGE_ESCALATION");
      expect((await a.admin.users.get(a.adminUserId)).email).not.toBe("takeover@evil.example");
      expect((await a.admin.users.get(a.adminUserId)).roleId).toBe(adminRole);
    });
  });

  it("deletes the private role when the user is given a formal role again", async () => {
    const ws = await a.admin.workspaces.create({ slug: "priv-ws", name: "Priv" });
    const u = await a.admin.users.create(newUser(viewerRole));
    const priv = await insertRole(t, a.id, "private", ["patients.read"], {
      privateUserId: u.id,
      workspaces: [{ workspaceId: ws.id, permissions: ["patients.write"] }],
    });
    await setUserColumns(t, a.id, u.id, { role_id: priv });
    expect(await a.admin.users.get(u.id)).toMatchObject({ roleId: priv, privateRole: true });
    const back = await a.admin.users.update(u.id, { roleId: viewerRole });
    expect(back).toMatchObject({ roleId: viewerRole, privateRole: false });
    const left = await t.db.kysely
      .selectFrom("roles")
      .select("id")
      .where("tenant_id", "=", a.id)
      .where("id", "=", priv)
      .execute();
    const rows = await t.db.kysely
      .selectFrom("role_workspaces")
      .select("role_id")
      .where("tenant_id", "=", a.id)
      .where("role_id", "=", priv)
      .execute();
    expect([left.length, rows.length]).toEqual([0, 0]);
  });

  it("answers another tenant's user id exactly like a missing one", async () => {
    const u = await a.admin.users.create(newUser(viewerRole));
    const foreign = await b.admin.transport.raw("GET", `/api/v1/users/${u.id}`);
    const missing = await b.admin.transport.raw("GET", "/api/v1/users/usr_doesnotexist00000000000");
    expect(foreign.status).toBe(404);
    expect(await foreign.json()).toEqual(await missing.json());
    const patch = await problemOf(() => b.admin.users.update(u.id, { firstName: "Hijack" }));
    expect([patch.status, patch.code]).toEqual([404, "USER_NOT_FOUND"]);
    expect((await a.admin.users.get(u.id)).firstName).toBe("Grace");
  });

  it("lets a user without users.view read only themselves", async () => {
    const u = await a.admin.users.create(
      newUser(viewerRole, { password: CANARY_PASSWORD, mustChangePassword: false }),
    );
    const viewer = await t.signIn(a.slug, u.username);
    expect((await viewer.users.get(u.id)).id).toBe(u.id);
    expect((await problemOf(() => viewer.users.get(a.adminUserId))).status).toBe(403);
    expect((await problemOf(() => viewer.users.list())).status).toBe(403);
    expect((await problemOf(() => viewer.users.create(newUser(viewerRole)))).status).toBe(403);
  });

  it("audits create and update with public before/after, never the password", async () => {
    const u = await a.admin.users.create(newUser(viewerRole, { password: CANARY_PASSWORD }));
    await a.admin.users.update(u.id, { lastName: "Hopper-Renamed" });
    const rows = await t.db.kysely
      .selectFrom("audit_events")
      .select(["action", "changes", "actor_id"])
      .where("tenant_id", "=", a.id)
      .where("target_id", "=", u.id)
      .orderBy("seq")
      .execute();
    expect(rows.map((r) => r.action)).toEqual(["user.created", "user.updated"]);
    expect(JSON.parse(rows[0]!.changes!)).toMatchObject({
      username: { after: u.username },
      status: { after: "active" },
    });
    expect(JSON.parse(rows[1]!.changes!)).toEqual({
      lastName: { before: u.lastName, after: "Hopper-Renamed" },
    });
    const all = await t.db.allTenants.selectFrom("audit_events").selectAll().execute();
    const dump = JSON.stringify(all);
    expect(dump).not.toContain(CANARY_PASSWORD);
    expect(dump).not.toContain("$argon2");
  });
});
