/**
 * PRODUCT.md §2 "no privilege escalation" for patient access grants: nobody grants themselves
 * access, and a grant may unlock for a collaborator only what the grantor holds, in the same place.
 * The application's API token reporting a created patient is trusted (docs/decisions.md).
 */
import type { CheckBody } from "@staffgate/contract";
import type { Staffgate } from "@staffgate/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { problemOf, startTestApp, type TestApp, type TestTenant } from "./harness.ts";
import { auditOf, createRole, createUser, type RoleGrantsInput } from "./lifecycle-fixtures.ts";

let refCounter = 0;
const newRef = () => `esc-${++refCounter}-${Date.now().toString(36)}`;

describe(`patient grants and privilege escalation (${process.env.STAFFGATE_TEST_DB ?? "sqlite"})`, () => {
  let t: TestApp;
  let a: TestTenant;
  let wsA: string;
  let wsB: string;

  beforeAll(async () => {
    t = await startTestApp();
    a = await t.createTenant();
    wsA = (await a.admin.workspaces.create({ slug: "ward-a", name: "Ward A" })).id;
    wsB = (await a.admin.workspaces.create({ slug: "ward-b", name: "Ward B" })).id;
  });
  afterAll(() => t.close());

  const person = async (grants: RoleGrantsInput) => createUser(t, a, { roleId: await createRole(a, grants) });
  const check = (body: CheckBody) => a.admin.access.check(body);
  const grantedTo = async (ref: string) => (await a.admin.patientAccess.list(ref)).items.map((g) => g.userId);
  const grantAudits = async (userId: string) =>
    (await auditOf(t, a, userId)).filter((e) => e.action === "patient_access.granted").length;

  /** A grant through the route, as the grantor's session sends it. */
  async function post(client: Staffgate, ref: string, what: "access" | "created", body: object) {
    const res = await client.transport.raw("POST", `/api/v1/patients/${encodeURIComponent(ref)}/${what}`, {
      body,
    });
    return { status: res.status, body: (await res.json()) as { code?: string; detail?: string } };
  }

  it("refuses a collaborator granting themselves access (403 SELF_ACTION_FORBIDDEN), by grant or by 'created'", async () => {
    const me = await person({ permissions: ["patients.read", "patient_access.manage"], collaborator: true });
    const ref = newRef();
    for (const what of ["access", "created"] as const) {
      const res = await post(me.client, ref, what, { userId: me.user.id });
      expect([res.status, res.body.code], JSON.stringify(res.body)).toEqual([403, "SELF_ACTION_FORBIDDEN"]);
      expect(res.body.detail).toBe("You cannot grant patient access to yourself; ask another administrator");
    }
    expect(await grantedTo(ref)).toEqual([]);
    expect(await grantAudits(me.user.id)).toBe(0);
    expect(await check({ userId: me.user.id, permission: "patients.read", patientRef: ref })).toMatchObject({
      allowed: false,
      reason: { code: "COLLABORATOR_NO_GRANT" },
    });
  });

  it("refuses a grant that unlocks permissions the grantor does not hold (403 PRIVILEGE_ESCALATION)", async () => {
    const grantor = await person({ permissions: ["patients.read", "patient_access.manage"] });
    const collaborator = await person({
      permissions: ["patients.write", "patients.phi"],
      collaborator: true,
    });
    const ref = newRef();
    for (const what of ["access", "created"] as const) {
      const res = await post(grantor.client, ref, what, { userId: collaborator.user.id });
      expect([res.status, res.body.code], JSON.stringify(res.body)).toEqual([403, "PRIVILEGE_ESCALATION"]);
      expect(res.body.detail).toBe(
        "This grant would give the user permissions on the patient that you do not hold: patients.phi, patients.write",
      );
    }
    expect(await grantedTo(ref)).toEqual([]);
    expect(await grantAudits(collaborator.user.id)).toBe(0);
    for (const permission of ["patients.read", "patients.write", "patients.phi"]) {
      const d = await check({ userId: collaborator.user.id, permission, patientRef: ref });
      expect(d, permission).toMatchObject({ allowed: false, reason: { code: "COLLABORATOR_NO_GRANT" } });
    }
  });

  it("does not count a permission the grantor holds only as a collaborator", async () => {
    const grantor = await person({
      permissions: ["patients.read", "patient_access.manage"],
      collaborator: true,
    });
    const other = await person({ permissions: ["patients.read"], collaborator: true });
    const ref = newRef();
    const res = await post(grantor.client, ref, "access", { userId: other.user.id });
    expect([res.status, res.body.code]).toEqual([403, "PRIVILEGE_ESCALATION"]);
    expect(res.body.detail).toMatch(/: patients\.read$/);
    expect(await grantedTo(ref)).toEqual([]);
  });

  it("lets a grantor who holds what the grant unlocks grant it, for every workspace", async () => {
    const grantor = await person({
      permissions: ["patients.write", "patients.phi", "patient_access.manage"],
    });
    const collaborator = await person({
      permissions: ["patients.write", "patients.phi"],
      collaborator: true,
    });
    const ref = newRef();
    const res = await post(grantor.client, ref, "access", { userId: collaborator.user.id });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(await grantedTo(ref)).toEqual([collaborator.user.id]);
    for (const workspaceId of [undefined, wsA, wsB]) {
      const d = await check({
        userId: collaborator.user.id,
        permission: "patients.write",
        patientRef: ref,
        workspaceId,
      });
      expect(d, String(workspaceId)).toMatchObject({ allowed: true, reason: { code: "GRANTED_PATIENT" } });
    }
    // A user who is no collaborator needs no grant: granting them unlocks nothing, so anyone may.
    const plainGrantor = await person({ permissions: ["patient_access.manage"] });
    const staff = await person({ permissions: ["patients.write"] });
    expect((await post(plainGrantor.client, ref, "access", { userId: staff.user.id })).status).toBe(201);
  });

  it("judges a grant limited to one workspace on that workspace only", async () => {
    // The grantor holds the patient permissions in ward A only.
    const grantor = await person({
      permissions: ["patient_access.manage"],
      workspaces: [{ workspaceId: wsA, permissions: ["patients.write", "patients.phi"] }],
    });
    const collaborator = await person({
      permissions: ["patients.write", "patients.phi"],
      collaborator: true,
    });
    const ref = newRef();
    const inA = await post(grantor.client, ref, "access", { userId: collaborator.user.id, workspaceId: wsA });
    expect(inA.status, JSON.stringify(inA.body)).toBe(201);
    expect(
      await check({
        userId: collaborator.user.id,
        permission: "patients.phi",
        patientRef: ref,
        workspaceId: wsA,
      }),
    ).toMatchObject({ allowed: true, reason: { code: "GRANTED_PATIENT" } });

    const inB = await post(grantor.client, ref, "access", { userId: collaborator.user.id, workspaceId: wsB });
    expect([inB.status, inB.body.code]).toEqual([403, "PRIVILEGE_ESCALATION"]);
    expect(inB.body.detail).toContain(`patients.phi in ${wsB}`);
    const everywhere = await post(grantor.client, ref, "access", { userId: collaborator.user.id });
    expect([everywhere.status, everywhere.body.code]).toEqual([403, "PRIVILEGE_ESCALATION"]);
    expect((await a.admin.patientAccess.list(ref)).items.map((g) => [g.userId, g.workspaceId])).toEqual([
      [collaborator.user.id, wsA],
    ]);
    expect(
      await check({
        userId: collaborator.user.id,
        permission: "patients.phi",
        patientRef: ref,
        workspaceId: wsB,
      }),
    ).toMatchObject({ allowed: false, reason: { code: "COLLABORATOR_NO_GRANT" } });
  });

  it("asks of a workspace-limited grant only what the grantee needs a grant for there", async () => {
    // A collaborator in ward B only (a per-workspace role); elsewhere the grantee reads patients
    // without any grant.
    const inB = await createRole(a, { permissions: ["patients.phi"], collaborator: true });
    const grantee = await createUser(t, a, {
      roleId: await createRole(a, ["patients.read"]),
      extra: { workspaceRoles: [{ workspaceId: wsB, roleId: inB }] },
    });
    const grantor = await person({ permissions: ["patients.read", "patient_access.manage"] });
    const ref = newRef();
    expect(
      (await post(grantor.client, ref, "access", { userId: grantee.user.id, workspaceId: wsA })).status,
    ).toBe(201);
    for (const body of [{ userId: grantee.user.id, workspaceId: wsB }, { userId: grantee.user.id }]) {
      const res = await post(grantor.client, ref, "access", body);
      expect([res.status, res.body.code], JSON.stringify(body)).toEqual([403, "PRIVILEGE_ESCALATION"]);
      expect(res.body.detail).toMatch(new RegExp(`: patients\\.phi in ${wsB}$`));
    }
    expect(await grantedTo(ref)).toEqual([grantee.user.id]);
  });

  it("keeps the application's token reporting a created patient for a collaborator", async () => {
    const viewer = (await a.admin.roles.list({ limit: 200 })).items.find((r) => r.name === "Viewer")!;
    const token = await a.admin.apiTokens.create({ name: "Clinical app", roleId: viewer.id });
    const app = t.anonymous.withToken(token.token);
    const collaborator = await person({
      permissions: ["patients.write", "patients.phi"],
      collaborator: true,
    });
    const ref = newRef();
    const res = await post(app, ref, "created", { userId: collaborator.user.id });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ reason: "created the patient", expiresAt: null });
    expect(
      await check({ userId: collaborator.user.id, permission: "patients.phi", patientRef: ref }),
    ).toMatchObject({ allowed: true, reason: { code: "GRANTED_PATIENT" } });
  });

  it("leaves revoking as it was: a holder of patient_access.manage revokes any grant", async () => {
    const collaborator = await person({
      permissions: ["patients.write", "patients.phi"],
      collaborator: true,
    });
    const ref = newRef();
    await a.admin.patientAccess.grant(ref, { userId: collaborator.user.id });
    const plainGrantor = await person({ permissions: ["patient_access.manage"] });
    await plainGrantor.client.patientAccess.revoke(ref, collaborator.user.id);
    expect(await grantedTo(ref)).toEqual([]);
  });

  it("lets the administrator, who holds everything, grant any collaborator, but not themselves", async () => {
    const collaborator = await person({
      permissions: ["patients.write", "patients.phi"],
      collaborator: true,
    });
    const ref = newRef();
    await a.admin.patientAccess.grant(ref, { userId: collaborator.user.id, workspaceId: wsB });
    const self = await problemOf(() => a.admin.patientAccess.grant(ref, { userId: a.adminUserId }));
    expect([self.status, self.code]).toEqual([403, "SELF_ACTION_FORBIDDEN"]);
    expect(await grantedTo(ref)).toEqual([collaborator.user.id]);
  });
});
