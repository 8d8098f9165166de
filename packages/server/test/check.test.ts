/** check, check/batch and explain over HTTP: every rule of PRODUCT.md §3, and who may ask. */
import type { CheckBody } from "@staffgate/contract";
import type { Staffgate } from "@staffgate/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CANARY_PASSWORD, problemOf, startTestApp, type TestApp, type TestTenant } from "./harness.ts";
import { auditOf, createRole, createUser, type RoleGrantsInput } from "./lifecycle-fixtures.ts";

describe(`decisions (${process.env.STAFFGATE_TEST_DB ?? "sqlite"})`, () => {
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;
  let ws1: string;
  let ws2: string;
  let n = 0;

  beforeAll(async () => {
    t = await startTestApp();
    a = await t.createTenant();
    b = await t.createTenant();
    ws1 = (await a.admin.workspaces.create({ slug: "ws-one", name: "One" })).id;
    ws2 = (await a.admin.workspaces.create({ slug: "ws-two", name: "Two" })).id;
  });
  afterAll(() => t.close());

  const role = (grants: RoleGrantsInput) => createRole(a, grants);
  const user = async (roleId: string, extra: Record<string, unknown> = {}) =>
    (await createUser(t, a, { roleId, extra })).user.id;
  const check = (body: CheckBody, client: Staffgate = a.admin) => client.access.check(body);

  it("grants at tenant level, follows implies, and answers 200 with the role and scope", async () => {
    const r = await role({ permissions: ["patients.phi"] });
    const u = await user(r);
    const d = await check({ userId: u, permission: "patients.read" });
    expect(d).toEqual({
      allowed: true,
      reason: expect.objectContaining({
        code: "GRANTED_TENANT",
        roleId: r,
        roleKind: "formal",
        scope: "tenant",
      }),
    });
    expect((await check({ userId: u, permission: "patients.phi", workspaceId: ws1 })).reason).toMatchObject({
      code: "GRANTED_TENANT",
      scope: "tenant",
      workspaceId: ws1,
    });
    expect(await check({ userId: u, permission: "patients.write" })).toMatchObject({
      allowed: false,
      reason: { code: "NOT_GRANTED", roleId: r },
    });
  });

  it("grants at workspace level only in that workspace; tenant level overrides the row", async () => {
    const r = await role({
      permissions: ["patients.read"],
      workspaces: [{ workspaceId: ws1, permissions: ["patients.write", "patients.read"] }],
    });
    const u = await user(r);
    expect((await check({ userId: u, permission: "patients.write", workspaceId: ws1 })).reason).toMatchObject(
      {
        code: "GRANTED_WORKSPACE",
        scope: "workspace",
        workspaceId: ws1,
      },
    );
    expect((await check({ userId: u, permission: "patients.write", workspaceId: ws2 })).reason.code).toBe(
      "NOT_GRANTED",
    );
    expect((await check({ userId: u, permission: "patients.write" })).allowed).toBe(false);
    expect((await check({ userId: u, permission: "patients.read", workspaceId: ws1 })).reason).toMatchObject({
      code: "GRANTED_TENANT",
      scope: "tenant",
    });
  });

  it("requires workspace access, and refuses an unknown workspace", async () => {
    const r = await role({ permissions: ["patients.read"] });
    const limited = await user(r, { workspaceAccess: [ws1] });
    expect((await check({ userId: limited, permission: "patients.read", workspaceId: ws1 })).allowed).toBe(
      true,
    );
    expect(await check({ userId: limited, permission: "patients.read", workspaceId: ws2 })).toMatchObject({
      allowed: false,
      reason: { code: "WORKSPACE_INACTIVE", workspaceId: ws2 },
    });
    const all = await user(r);
    expect(
      (await check({ userId: all, permission: "patients.read", workspaceId: "wsp_nope" })).reason.code,
    ).toBe("WORKSPACE_NOT_FOUND");
    // The tenant-level answer does not depend on workspace access.
    expect((await check({ userId: limited, permission: "patients.read" })).allowed).toBe(true);
  });

  it("applies the per-workspace role in its workspace and the user's role elsewhere", async () => {
    const base = await role({ permissions: ["patients.read"] });
    const perWs = await role({ permissions: ["collections.read"] });
    const u = await user(base, { workspaceRoles: [{ workspaceId: ws2, roleId: perWs }] });
    expect(await check({ userId: u, permission: "patients.read", workspaceId: ws2 })).toMatchObject({
      allowed: false,
      reason: { code: "NOT_GRANTED", roleId: perWs, roleKind: "workspace" },
    });
    expect(
      (await check({ userId: u, permission: "collections.read", workspaceId: ws2 })).reason,
    ).toMatchObject({ code: "GRANTED_TENANT", roleId: perWs, roleKind: "workspace" });
    expect((await check({ userId: u, permission: "patients.read", workspaceId: ws1 })).reason).toMatchObject({
      code: "GRANTED_TENANT",
      roleId: base,
      roleKind: "formal",
    });
    expect((await check({ userId: u, permission: "collections.read", workspaceId: ws1 })).allowed).toBe(
      false,
    );
  });

  it("ignores the workspace for tenant-only permissions", async () => {
    const r = await role({ permissions: ["custom_metrics.manage"] });
    const u = await user(r, { workspaceAccess: [ws1] });
    for (const workspaceId of [ws2, "wsp_does_not_exist"]) {
      const d = await check({ userId: u, permission: "custom_metrics.manage", workspaceId });
      expect(d).toMatchObject({ allowed: true, reason: { code: "GRANTED_TENANT", scope: "tenant" } });
      expect(d.reason.workspaceId).toBeUndefined();
    }
  });

  it("says when the private role decided", async () => {
    const u = await user(await role({}));
    const updated = await a.admin.userActions.setPermissions(u, { permissions: ["patients.contour"] });
    expect((await check({ userId: u, permission: "patients.read" })).reason).toMatchObject({
      code: "GRANTED_TENANT",
      roleId: updated.roleId,
      roleKind: "private",
    });
  });

  it("names the role that applied, and its new name at the next check after a rename", async () => {
    // A clinical application's token need not be able to read roles: the reason carries the name.
    const r = await role({ permissions: ["patients.read"] });
    const u = await user(r);
    const before = (await check({ userId: u, permission: "patients.read" })).reason;
    const { name, version } = await a.admin.roles.get(r);
    expect(before).toMatchObject({ code: "GRANTED_TENANT", roleId: r, roleName: name });
    expect(before.message).toBe(`granted at tenant level by role ${JSON.stringify(name)} (${r})`);
    expect((await check({ userId: u, permission: "patients.write" })).reason).toMatchObject({
      code: "NOT_GRANTED",
      roleName: name,
    });
    await a.admin.roles.update(r, { name: 'Dosimetrist "night"' }, { ifMatch: version });
    const after = (await check({ userId: u, permission: "patients.read" })).reason;
    expect(after.roleName).toBe('Dosimetrist "night"');
    expect(after.message).toBe(`granted at tenant level by role "Dosimetrist \\"night\\"" (${r})`);
    // A private role has no name to give.
    await a.admin.userActions.setPermissions(u, { permissions: ["patients.read"] });
    expect((await check({ userId: u, permission: "patients.read" })).reason).not.toHaveProperty("roleName");
  });

  it("limits a collaborator to patients with a live grant (and its workspace)", async () => {
    const r = await role({ permissions: ["patients.read", "users.view"], collaborator: true });
    const u = await user(r);
    expect((await check({ userId: u, permission: "users.view" })).allowed).toBe(true);
    expect((await check({ userId: u, permission: "patients.read" })).reason.code).toBe(
      "COLLABORATOR_NO_PATIENT",
    );
    expect(await check({ userId: u, permission: "patients.read", patientRef: "P-1" })).toMatchObject({
      allowed: false,
      reason: { code: "COLLABORATOR_NO_GRANT" },
    });
    const grant = await a.admin.patientAccess.grant("P-1", { userId: u, reason: "referral" });
    const allowed = await check({ userId: u, permission: "patients.read", patientRef: "P-1" });
    expect(allowed).toMatchObject({
      allowed: true,
      reason: { code: "GRANTED_PATIENT", viaPatientGrant: grant.id },
    });
    // A grant for one workspace holds only there.
    await a.admin.patientAccess.grant("P-2", { userId: u, workspaceId: ws1 });
    expect(
      (await check({ userId: u, permission: "patients.read", patientRef: "P-2", workspaceId: ws1 })).allowed,
    ).toBe(true);
    expect(
      (await check({ userId: u, permission: "patients.read", patientRef: "P-2", workspaceId: ws2 })).reason
        .code,
    ).toBe("COLLABORATOR_NO_GRANT");
    expect((await check({ userId: u, permission: "patients.read", patientRef: "P-2" })).allowed).toBe(false);
    // An expired grant grants nothing.
    await t.db.kysely
      .insertInto("patient_grants")
      .values({
        tenant_id: a.id,
        id: "pgr_expired_test",
        user_id: u,
        patient_ref: "P-3",
        workspace_id: null,
        granted_by: null,
        reason: null,
        expires_at: new Date(t.clock.now().getTime() - 1000).toISOString(),
        created_at: "2026-01-01T00:00:00.000Z",
      })
      .execute();
    expect((await check({ userId: u, permission: "patients.read", patientRef: "P-3" })).allowed).toBe(false);
    // Revoked: the very next check refuses.
    await a.admin.patientAccess.revoke("P-1", u);
    expect((await check({ userId: u, permission: "patients.read", patientRef: "P-1" })).allowed).toBe(false);
    // The decision that used the grant is in the audit, the ordinary ones are not.
    const decisions = (await auditOf(t, a, u)).filter((e) => e.action === "access.decision");
    expect(decisions).toHaveLength(2);
    expect(decisions[0]?.changes).toMatchObject({
      permission: { after: "patients.read" },
      patientRef: { after: "P-1" },
      allowed: { after: true },
      reason: { after: "GRANTED_PATIENT" },
      viaPatientGrant: { after: grant.id },
    });
  });

  it("never grants a forbidden permission to a collaborator", async () => {
    // The roles API refuses such a role; one written before that rule (direct SQL, outside the use
    // cases, so the cache is told to forget what it holds) must still not grant it.
    const c = await t.createTenant();
    n += 1;
    const r = (
      await c.admin.roles.create({ name: `Collab ${n}`, permissions: ["patients.read"], collaborator: true })
    ).id;
    const u = (await createUser(t, c, { roleId: r })).user.id;
    await t.db.kysely
      .updateTable("roles")
      .set({ permissions: JSON.stringify(["patients.read", "collections.read"]) })
      .where("tenant_id", "=", c.id)
      .where("id", "=", r)
      .execute();
    t.app.core.access.forgetSnapshots();
    expect(
      await c.admin.access.check({ userId: u, permission: "collections.read", patientRef: "P-1" }),
    ).toMatchObject({
      allowed: false,
      reason: { code: "COLLABORATOR_FORBIDDEN" },
    });
  });

  it("refuses users who are not active, expired or virtual, unknown users and unknown permissions", async () => {
    const r = await role({ permissions: ["patients.read"] });
    const ask = (userId: string) => check({ userId, permission: "patients.read" });
    const inactive = await user(r);
    await a.admin.userActions.deactivate(inactive);
    expect(await ask(inactive)).toMatchObject({ allowed: false, reason: { code: "USER_NOT_ACTIVE" } });
    const archived = await user(r);
    await a.admin.userActions.archive(archived);
    expect((await ask(archived)).reason.code).toBe("USER_NOT_ACTIVE");
    const expiring = await user(r);
    await a.admin.users.update(expiring, {
      expiresAt: new Date(t.clock.now().getTime() + 60_000).toISOString(),
    });
    expect((await ask(expiring)).allowed).toBe(true);
    t.clock.advance(120_000);
    expect((await ask(expiring)).reason.code).toBe("USER_EXPIRED");
    const virtual = await a.admin.users.create({
      username: `virt${Date.now()}`,
      email: `virt${Date.now()}@example.test`,
      firstName: "Vi",
      lastName: "Rtual",
      roleId: r,
      virtual: true,
    } as never);
    expect((await ask(virtual.id)).reason.code).toBe("VIRTUAL_USER");
    const unknown = await ask("usr_no_such_user");
    expect(unknown).toEqual({
      allowed: false,
      reason: { code: "USER_NOT_FOUND", message: expect.any(String) },
    });
    // Another tenant's user: exactly the same answer.
    expect(await ask(b.adminUserId)).toEqual(unknown);
    expect((await check({ userId: a.adminUserId, permission: "no.such" })).reason.code).toBe(
      "UNKNOWN_PERMISSION",
    );
  });

  it("an open emergency elevation grants what the rules denied, says so and is audited", async () => {
    const r = await role({ permissions: ["users.view", "emergency_access.use"] });
    const made = await createUser(t, a, { roleId: r });
    const u = made.user.id;
    expect((await check({ userId: u, permission: "patients.read", patientRef: "P-9" })).allowed).toBe(false);
    const opened = await made.client.emergencyAccess.open({
      reason: "cardiac arrest in the bunker",
      password: CANARY_PASSWORD,
      patientRef: "P-9",
    });
    expect(await check({ userId: u, permission: "patients.read", patientRef: "P-9" })).toMatchObject({
      allowed: true,
      reason: { code: "EMERGENCY_ACCESS", viaEmergency: opened.id },
    });
    expect((await check({ userId: u, permission: "patients.read", patientRef: "P-10" })).allowed).toBe(false);
    const audited = (await auditOf(t, a, u)).filter((e) => e.action === "access.decision");
    expect(audited.map((e) => e.changes?.viaEmergency)).toEqual([{ after: opened.id }]);
  });

  it("records every patient decision when auditAllPatientDecisions is on", async () => {
    const r = await role({ permissions: ["patients.read"] });
    const u = await user(r);
    await check({ userId: u, permission: "patients.read", patientRef: "P-20" });
    expect((await auditOf(t, a, u)).filter((e) => e.action === "access.decision")).toHaveLength(0);
    const row = await t.db.kysely
      .selectFrom("tenants")
      .select("settings")
      .where("id", "=", a.id)
      .executeTakeFirstOrThrow();
    const set = (on: boolean) =>
      t.db.kysely
        .updateTable("tenants")
        .set({ settings: JSON.stringify({ ...JSON.parse(row.settings), auditAllPatientDecisions: on }) })
        .where("id", "=", a.id)
        .execute();
    await set(true);
    try {
      await check({ userId: u, permission: "patients.read", patientRef: "P-20" });
      await check({ userId: u, permission: "patients.write", patientRef: "P-20" });
      await check({ userId: u, permission: "users.view", patientRef: "P-20" }); // not patient-scoped
      await check({ userId: u, permission: "patients.read" }); // no patient named: still recorded
      const audited = (await auditOf(t, a, u)).filter((e) => e.action === "access.decision");
      expect(
        audited.map((e) => [e.changes?.permission, e.changes?.patientRef, e.changes?.allowed, e.outcome]),
      ).toEqual([
        [{ after: "patients.read" }, { after: "P-20" }, { after: true }, "success"],
        [{ after: "patients.write" }, { after: "P-20" }, { after: false }, "denied"],
        [{ after: "patients.read" }, { after: null }, { after: true }, "success"],
      ]);
      // Through what: the role that applied, by id and by its name then.
      const { name } = await a.admin.roles.get(r);
      expect(audited[0]?.changes).toMatchObject({
        roleId: { after: r },
        roleName: { after: name },
        roleKind: { after: "formal" },
      });
    } finally {
      await set(false);
    }
  });

  it("answers a batch in order against one snapshot, up to 1,000", async () => {
    const r = await role({
      permissions: ["patients.read"],
      workspaces: [{ workspaceId: ws1, permissions: ["patients.write"] }],
    });
    const u = await user(r);
    const checks: CheckBody[] = [
      { userId: u, permission: "patients.read" },
      { userId: u, permission: "patients.write" },
      { userId: u, permission: "patients.write", workspaceId: ws1 },
      { userId: "usr_nobody", permission: "patients.read" },
      { userId: a.adminUserId, permission: "roles.manage", workspaceId: ws2 },
    ];
    const { results } = await a.admin.access.checkBatch(checks);
    expect(results.map((x) => [x.allowed, x.reason.code])).toEqual([
      [true, "GRANTED_TENANT"],
      [false, "NOT_GRANTED"],
      [true, "GRANTED_WORKSPACE"],
      [false, "USER_NOT_FOUND"],
      [true, "GRANTED_TENANT"],
    ]);
    for (let i = 0; i < checks.length; i++) expect(results[i]).toEqual(await check(checks[i]!));
    const many = Array.from({ length: 1000 }, (_, i) => checks[i % checks.length]!);
    const big = await a.admin.access.checkBatch(many);
    expect(big.results.map((x) => x.allowed)).toEqual(
      many.map((_, i) => results[i % checks.length]!.allowed),
    );
    const tooMany = await problemOf(() => a.admin.access.checkBatch([...many, checks[0]!]));
    expect(tooMany).toMatchObject({ status: 400, code: "VALIDATION_FAILED" });
    expect((await problemOf(() => a.admin.access.checkBatch([]))).status).toBe(400);
  });

  it("explains every step and echoes the query", async () => {
    const r = await role({ permissions: ["patients.read"], collaborator: true });
    const u = await user(r, { workspaceAccess: [ws1] });
    const e = await a.admin.access.explain({
      userId: u,
      permission: "patients.read",
      workspaceId: ws1,
      patientRef: "P-7",
    });
    expect(e).toMatchObject({
      allowed: false,
      reason: { code: "COLLABORATOR_NO_GRANT" },
      query: { userId: u, permission: "patients.read", workspaceId: ws1, patientRef: "P-7" },
    });
    expect(e.steps.join("\n")).toMatch(/active in workspace/);
    expect(e.steps.join("\n")).toMatch(/collaborator/);
    expect(e.steps.at(-1)).toMatch(/^denied: /);
    const plain = await a.admin.access.explain({ userId: u, permission: "patients.read" });
    expect(plain.query).toEqual({
      userId: u,
      permission: "patients.read",
      workspaceId: null,
      patientRef: null,
    });
  });

  it("answers holders of users.view, and anyone about themselves only", async () => {
    const plainRole = await role({ permissions: ["patients.read"] });
    const me = await createUser(t, a, { roleId: plainRole });
    const other = await user(plainRole);
    expect((await me.client.access.check({ userId: me.user.id, permission: "patients.read" })).allowed).toBe(
      true,
    );
    expect(
      (await me.client.access.explain({ userId: me.user.id, permission: "patients.write" })).allowed,
    ).toBe(false);
    expect(
      (await me.client.access.checkBatch([{ userId: me.user.id, permission: "patients.read" }])).results,
    ).toHaveLength(1);
    for (const call of [
      () => me.client.access.check({ userId: other, permission: "patients.read" }),
      () => me.client.access.explain({ userId: other, permission: "patients.read" }),
      () =>
        me.client.access.checkBatch([
          { userId: me.user.id, permission: "patients.read" },
          { userId: other, permission: "patients.read" },
        ]),
      // Asking about an id that does not exist is asking about someone else.
      () => me.client.access.check({ userId: "usr_nobody", permission: "patients.read" }),
    ]) {
      expect(await problemOf(call)).toMatchObject({ status: 403, code: "FORBIDDEN" });
    }
    const viewer = await createUser(t, a, { roleId: await role({ permissions: ["users.view"] }) });
    expect((await viewer.client.access.check({ userId: other, permission: "patients.read" })).allowed).toBe(
      true,
    );
    expect(
      (await problemOf(() => t.anonymous.access.check({ userId: other, permission: "patients.read" })))
        .status,
    ).toBe(401);
    // Another tenant's administrator asking about this tenant's user: "no such user".
    expect((await b.admin.access.check({ userId: other, permission: "patients.read" })).reason.code).toBe(
      "USER_NOT_FOUND",
    );
  });

  it("validates the body", async () => {
    const bad = await problemOf(() => a.admin.access.check({ userId: a.adminUserId } as never));
    expect(bad).toMatchObject({ status: 400, code: "VALIDATION_FAILED" });
    const long = await problemOf(() =>
      a.admin.access.check({
        userId: a.adminUserId,
        permission: "patients.read",
        patientRef: "x".repeat(201),
      }),
    );
    expect(long.status).toBe(400);
  });

  it("refuses a patient reference no grant could hold (control characters), naming it, on every decision endpoint", async () => {
    const q = { userId: a.adminUserId, permission: "patients.read", patientRef: "MRN\t9" };
    for (const ask of [
      () => a.admin.access.check(q),
      () => a.admin.access.explain(q),
      () => a.admin.access.checkBatch([q]),
      () => a.admin.access.whoCan({ permission: "patients.read", patientRef: "MRN\u00859" }),
    ]) {
      const p = await problemOf(ask);
      expect([p.status, p.code]).toEqual([400, "VALIDATION_FAILED"]);
      expect(p.errors?.[0]?.path).toMatch(/(^|\.)patientRef$/);
    }
    // Spaces at the ends are taken, as by every read of grants: an answer, not a problem.
    expect((await a.admin.access.check({ ...q, patientRef: " MRN-9 " })).allowed).toBe(true);
  });
});
