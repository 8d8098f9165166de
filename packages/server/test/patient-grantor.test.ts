/**
 * Who may give patient access (issue 5 item 3, PRODUCT.md §2): a holder of patient_access.manage
 * grants any collaborator, but nobody grants themselves; the application's API token reports a
 * created patient (docs/decisions.md).
 */
import type { CheckBody } from "@staffgate/contract";
import type { Staffgate } from "@staffgate/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { problemOf, startTestApp, type TestApp, type TestTenant } from "./harness.ts";
import { auditOf, createRole, createUser, type RoleGrantsInput } from "./lifecycle-fixtures.ts";

let refCounter = 0;
const newRef = () => `esc-${++refCounter}-${Date.now().toString(36)}`;

describe(`who may grant patient access (${process.env.STAFFGATE_TEST_DB ?? "sqlite"})`, () => {
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

  it("lets a holder of patient_access.manage alone grant a collaborator access, everywhere or in one workspace", async () => {
    // The grant chooses the patient; what the collaborator may do there is their role's, vetted when
    // it was given. The grantor need not hold the patient permissions themselves.
    const grantor = await person({ permissions: ["patient_access.manage"] });
    const collaborator = await person({
      permissions: ["patients.write", "patients.phi"],
      collaborator: true,
    });
    const everywhere = newRef();
    for (const what of ["access", "created"] as const) {
      const res = await post(grantor.client, everywhere, what, { userId: collaborator.user.id });
      expect([what, res.status], JSON.stringify(res.body)).toEqual([what, 201]);
    }
    expect(await grantedTo(everywhere)).toEqual([collaborator.user.id]);
    for (const workspaceId of [undefined, wsA, wsB]) {
      const d = await check({
        userId: collaborator.user.id,
        permission: "patients.phi",
        patientRef: everywhere,
        workspaceId,
      });
      expect(d, String(workspaceId)).toMatchObject({ allowed: true, reason: { code: "GRANTED_PATIENT" } });
    }

    const inA = newRef();
    const res = await post(grantor.client, inA, "access", { userId: collaborator.user.id, workspaceId: wsA });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const at = (workspaceId: string) =>
      check({ userId: collaborator.user.id, permission: "patients.write", patientRef: inA, workspaceId });
    expect(await at(wsA)).toMatchObject({ allowed: true, reason: { code: "GRANTED_PATIENT" } });
    const refused = await at(wsB);
    expect(refused).toMatchObject({ allowed: false, reason: { code: "COLLABORATOR_NO_GRANT" } });
    // The denial says where the grant holds, not as if the patient had never been granted.
    expect(refused.reason.message).toContain(`in workspace ${wsB}: it holds only in workspace ${wsA}`);
    // The grant, its refresh by "created", and the grant in ward A.
    expect(await grantAudits(collaborator.user.id)).toBe(3);
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
