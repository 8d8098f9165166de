/**
 * effective-permissions and who-can over HTTP: they agree with check on every (user, permission,
 * workspace[, patient]) pair they cover, and they answer the same callers as check.
 */
import type { CheckBody, EffectivePermissionsResult } from "@staffgate/contract";
import type { Staffgate } from "@staffgate/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CANARY_PASSWORD, problemOf, startTestApp, type TestApp, type TestTenant } from "./harness.ts";
import { createRole, createUser, type RoleGrantsInput } from "./lifecycle-fixtures.ts";

describe(`effective permissions and who-can (${process.env.STAFFGATE_TEST_DB ?? "sqlite"})`, () => {
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;
  const ws: string[] = [];
  const users: string[] = [];
  let keys: string[] = [];
  let tenantOnly = new Set<string>();
  let n = 0;
  const GRANTED = "P-granted";
  const GRANTED_WS = "P-granted-ws";
  const NOBODY = "P-nobody";

  const role = (grants: RoleGrantsInput) => createRole(a, grants);
  const user = async (roleId: string, extra: Record<string, unknown> = {}) => {
    n += 1;
    const u = await a.admin.users.create({
      username: `eff${String(n).padStart(3, "0")}`,
      email: `eff${n}@${a.slug}.example`,
      firstName: "Eff",
      lastName: `User${n}`,
      roleId,
      password: CANARY_PASSWORD,
      mustChangePassword: false,
      ...extra,
    } as never);
    return u.id;
  };

  /** check/batch in chunks of 1,000. */
  async function checkAll(queries: CheckBody[]): Promise<boolean[]> {
    const out: boolean[] = [];
    for (let i = 0; i < queries.length; i += 1000) {
      const { results } = await a.admin.access.checkBatch(queries.slice(i, i + 1000));
      for (const r of results) out.push(r.allowed);
    }
    return out;
  }

  beforeAll(async () => {
    t = await startTestApp();
    a = await t.createTenant();
    b = await t.createTenant();
    for (const slug of ["eff-a", "eff-b", "eff-c"]) {
      ws.push((await a.admin.workspaces.create({ slug, name: slug })).id);
    }
    const catalogue = (await a.admin.permissions.list()).items;
    keys = catalogue.map((p) => p.key);
    tenantOnly = new Set(catalogue.filter((p) => p.scope === "tenant").map((p) => p.key));
    const [w1, w2, w3] = ws as [string, string, string];

    const reader = await role({ permissions: ["patients.read", "custom_metrics.manage"] });
    const rows = await role({
      permissions: ["renaming_rules.manage"],
      workspaces: [
        { workspaceId: w1, permissions: ["patients.write"] },
        { workspaceId: w2, permissions: ["patients.phi"], collaborator: true },
      ],
    });
    const collab = await role({ permissions: ["patients.contour", "users.view"], collaborator: true });
    const perWs = await role({ permissions: ["collections.write", "patients.delete"] });
    const wsCollab = await role({
      workspaces: [
        { workspaceId: w3, permissions: ["patients.read", "collections.read"] },
        { workspaceId: w1, permissions: ["patients.download_dicom"], collaborator: true },
      ],
    });

    users.push(await user(reader));
    users.push(await user(rows, { workspaceAccess: [w1, w2] }));
    users.push(await user(collab));
    users.push(await user(reader, { workspaceRoles: [{ workspaceId: w2, roleId: perWs }] }));
    users.push(await user(wsCollab, { workspaceRoles: [{ workspaceId: w2, roleId: collab }] }));
    users.push(await user(rows, { workspaceAccess: [w3] }));
    // Private roles: a tenant-level collaborator, and one with a collaborator row.
    const priv1 = await user(reader);
    await a.admin.userActions.setPermissions(priv1, { permissions: ["patients.phi"], collaborator: true });
    users.push(priv1);
    const priv2 = await user(reader, { workspaceAccess: [w2, w3] });
    await a.admin.userActions.setPermissions(priv2, {
      permissions: ["custom_metrics.manage"],
      workspaces: [{ workspaceId: w2, permissions: ["patients.write"], collaborator: true }],
    });
    users.push(priv2);
    // Not active: inactive and archived.
    const inactive = await user(reader);
    await a.admin.userActions.deactivate(inactive);
    users.push(inactive);
    const archived = await user(collab);
    await a.admin.userActions.archive(archived);
    users.push(archived);

    // Patient grants: tenant-wide, per workspace, expired.
    for (const u of users.slice(0, 8)) {
      await a.admin.patientAccess.grant(GRANTED, { userId: u, reason: "care team" });
      await a.admin.patientAccess.grant(GRANTED_WS, { userId: u, workspaceId: w2 });
    }
    await a.admin.patientAccess.grant("P-expiring", {
      userId: users[2]!,
      expiresAt: new Date(t.clock.now().getTime() + 60_000).toISOString(),
    });
    t.clock.advance(120_000);

    // An emergency elevation for one workspace, opened by a user holding emergency_access.use.
    const breaker = await createUser(t, a, {
      roleId: await role({ permissions: ["emergency_access.use"] }),
    });
    await breaker.client.emergencyAccess.open({
      reason: "unconscious patient in the ward",
      password: CANARY_PASSWORD,
      workspaceId: w3,
    });
    users.push(breaker.user.id, a.adminUserId);
  });
  afterAll(() => t.close());

  it("flags what holds only through an open elevation, as check does", async () => {
    const breaker = users[users.length - 2]!;
    const w3 = ws[2]!;
    const m = await a.admin.access.effectivePermissions(breaker);
    for (const column of m.workspaces) {
      const checks = await a.admin.access.checkBatch(
        keys.map((permission) => ({ userId: breaker, permission, workspaceId: column.workspaceId })),
      );
      const viaEmergency = keys.filter((_, i) => checks.results[i]?.reason.viaEmergency);
      expect(column.emergencyPermissions).toEqual(viaEmergency);
      for (const key of column.emergencyPermissions) expect(column.permissions).toContain(key);
      if (column.workspaceId === w3) expect(viaEmergency).toContain("patients.write");
      else expect(viaEmergency).toEqual([]);
    }
  });

  it("records an effective-permissions read that rests on an elevation, as check records its decisions", async () => {
    const breaker = users[users.length - 2]!;
    const recorded = async () =>
      (await a.admin.audit.list({ action: "access.effective_permissions", limit: 200 })).items;
    const before = (await recorded()).length;
    await a.admin.access.effectivePermissions(breaker);
    const events = await recorded();
    expect(events.length).toBe(before + 1);
    expect(events[0]).toMatchObject({
      actor: { id: a.adminUserId },
      target: { type: "user", id: breaker },
      changes: { viaEmergency: { after: [ws[2]] } },
    });
    // Nothing rests on an elevation for a user without one: nothing is recorded.
    await a.admin.access.effectivePermissions(users[0]!);
    expect(await recorded()).toHaveLength(before + 1);
  });

  it("marks where the user acts as a collaborator, as the role that applies there says", async () => {
    const [w1, w2] = ws as [string, string, string];
    const flags = async (u: string) => {
      const m = await a.admin.access.effectivePermissions(u);
      const at = (w: string) => m.workspaces.find((x) => x.workspaceId === w)!;
      return { tenant: m.tenantCollaborator, w1: at(w1).collaborator, w2: at(w2).collaborator };
    };
    // A plain role: nowhere. A role whose w2 row is a collaborator row: w2 only.
    expect(await flags(users[0]!)).toEqual({ tenant: false, w1: false, w2: false });
    expect(await flags(users[1]!)).toEqual({ tenant: false, w1: false, w2: true });
    // A collaborator role: wherever it applies; as a per-workspace role, only in that workspace.
    expect(await flags(users[2]!)).toEqual({ tenant: true, w1: true, w2: true });
    expect(await flags(users[4]!)).toMatchObject({ tenant: false, w2: true });
    const m = await a.admin.access.effectivePermissions(users[2]!);
    expect(m.tenantCollaboratorPermissions).toContain("patients.contour");
    expect(m.tenant).not.toContain("patients.contour");
  });

  it("effective-permissions agrees with check for every permission, with and without each workspace", async () => {
    const matrices = new Map<string, EffectivePermissionsResult>();
    for (const u of users) matrices.set(u, await a.admin.access.effectivePermissions(u));
    const places: (string | null)[] = [null, ...ws];
    const queries: CheckBody[] = [];
    const expected: boolean[] = [];
    const labels: string[] = [];
    for (const u of users) {
      const m = matrices.get(u)!;
      expect(m.workspaces.map((w) => w.workspaceId).sort()).toEqual([...ws].sort());
      for (const place of places) {
        const column = place === null ? null : m.workspaces.find((w) => w.workspaceId === place)!;
        for (const permission of keys) {
          // Every column answers for every permission, as check does there (tenant-only ones
          // ignore the workspace, so a workspace lists them exactly as the tenant column does).
          const allowed = new Set(column ? column.permissions : m.tenant);
          const marks = new Set(column ? column.collaboratorPermissions : m.tenantCollaboratorPermissions);
          if (column && tenantOnly.has(permission))
            expect(column.permissions.includes(permission)).toBe(m.tenant.includes(permission));
          const at = place ? { workspaceId: place } : {};
          // No patient: exactly the listed permissions.
          queries.push({ userId: u, permission, ...at });
          expected.push(allowed.has(permission));
          // A patient granted everywhere: listed or collaborator-marked.
          queries.push({ userId: u, permission, ...at, patientRef: GRANTED });
          expected.push(allowed.has(permission) || (marks.has(permission) && users.indexOf(u) < 8));
          // A patient nobody was granted: only the listed ones.
          queries.push({ userId: u, permission, ...at, patientRef: NOBODY });
          expected.push(allowed.has(permission));
          for (let i = 0; i < 3; i++) labels.push(`${u} ${permission} @${place ?? "tenant"} #${i}`);
          expect(allowed.has(permission) && marks.has(permission)).toBe(false);
        }
      }
    }
    const actual = await checkAll(queries);
    const mismatches = labels.filter((_, i) => actual[i] !== expected[i]);
    expect(mismatches).toEqual([]);
    expect(queries.length).toBeGreaterThan(1000);
    // The fixture covers what it claims: collaborator marks, per-workspace differences.
    const all = [...matrices.values()];
    expect(all.some((m) => m.workspaces.some((w) => w.collaboratorPermissions.length > 0))).toBe(true);
    expect(all.some((m) => m.tenantCollaboratorPermissions.length > 0)).toBe(true);
    const same = (x: string[], y: string[]) => x.length === y.length && x.every((k) => y.includes(k));
    expect(all.some((m) => m.workspaces.some((w) => !same(w.permissions, m.tenant)))).toBe(true);
    // Inactive and archived users: nothing anywhere.
    for (const u of users.slice(8, 10)) {
      const m = matrices.get(u)!;
      expect([
        m.tenant,
        m.tenantCollaboratorPermissions,
        ...m.workspaces.flatMap((w) => [w.permissions, w.collaboratorPermissions]),
      ]).toEqual(Array(2 + 2 * ws.length).fill([]));
      expect([m.tenantCollaborator, ...m.workspaces.map((w) => w.collaborator)]).not.toContain(true);
    }
  });

  it("who-can lists exactly the active users check allows, by username then id, paged", async () => {
    const { items: all } = await a.admin.users.list({ status: "all", limit: 200 });
    const ids = all.map((u) => u.id);
    const places: (string | null)[] = [null, ...ws, "wsp_unknown"];
    const patients: (string | null)[] = [null, GRANTED, GRANTED_WS, NOBODY, "P-expiring"];
    let compared = 0;
    for (const permission of keys) {
      for (const place of places) {
        for (const patientRef of patients) {
          const at = { ...(place ? { workspaceId: place } : {}), ...(patientRef ? { patientRef } : {}) };
          const listed: { userId: string; username: string }[] = [];
          let cursor: string | undefined;
          for (let page = 0; page < 20; page++) {
            const res = await a.admin.access.whoCan({
              permission,
              ...at,
              limit: 4,
              ...(cursor ? { cursor } : {}),
            });
            expect(res.items.length).toBeLessThanOrEqual(4);
            listed.push(...res.items);
            if (!res.nextCursor) break;
            cursor = res.nextCursor;
          }
          const answers = await checkAll(ids.map((userId) => ({ userId, permission, ...at })));
          const expected = ids.filter((_, i) => answers[i]).sort();
          expect([...listed.map((l) => l.userId)].sort(), `${permission} ${JSON.stringify(at)}`).toEqual(
            expected,
          );
          const order = listed.map((l) => `${l.username}\u0000${l.userId}`);
          expect(order).toEqual([...order].sort());
          compared += ids.length;
        }
      }
    }
    expect(compared).toBeGreaterThan(5000);
  });

  it("who-can gives the reason check gives", async () => {
    const [w1, w2] = ws as [string, string];
    const { items } = await a.admin.access.whoCan({
      permission: "patients.read",
      workspaceId: w2,
      patientRef: GRANTED,
    });
    expect(items.length).toBeGreaterThan(0);
    for (const item of items) {
      const d = await a.admin.access.check({
        userId: item.userId,
        permission: "patients.read",
        workspaceId: w2,
        patientRef: GRANTED,
      });
      expect(item.reason).toEqual(d.reason);
    }
    const w3 = ws[2]!;
    const emergency = await a.admin.access.whoCan({ permission: "patients.write", workspaceId: w3 });
    expect(emergency.items.some((i) => i.reason.code === "EMERGENCY_ACCESS")).toBe(true);
    expect(w1).toBeTruthy();
  });

  it("records who-can about a patient when the answer rests on a patient grant (PRODUCT.md §6)", async () => {
    const w2 = ws[1]!;
    const before = (await a.admin.audit.list({ action: "access.who_can", limit: 200 })).items.length;
    const { items } = await a.admin.access.whoCan({
      permission: "patients.read",
      workspaceId: w2,
      patientRef: GRANTED,
    });
    const viaGrant = items.filter((i) => i.reason.viaPatientGrant).length;
    expect(viaGrant).toBeGreaterThan(0);
    const events = (await a.admin.audit.list({ action: "access.who_can", limit: 200 })).items;
    expect(events.length).toBe(before + 1);
    expect(events[0]).toMatchObject({
      actor: { id: a.adminUserId },
      changes: {
        permission: { after: "patients.read" },
        patientRef: { after: GRANTED },
        listed: { after: items.length },
        viaPatientGrant: { after: viaGrant },
      },
    });
    // Without a patient, nothing rests on a grant: nothing is recorded.
    await a.admin.access.whoCan({ permission: "patients.read", workspaceId: w2 });
    expect((await a.admin.audit.list({ action: "access.who_can", limit: 200 })).items.length).toBe(
      before + 1,
    );
    // A workspace's open elevation, with no patient named: recorded as check records it.
    const w3 = ws[2]!;
    const viaElevation = await a.admin.access.whoCan({ permission: "patients.write", workspaceId: w3 });
    const viaEmergency = viaElevation.items.filter((i) => i.reason.viaEmergency).length;
    expect(viaEmergency).toBeGreaterThan(0);
    const after = (await a.admin.audit.list({ action: "access.who_can", limit: 200 })).items;
    expect(after.length).toBe(before + 2);
    expect(after[0]?.changes).toMatchObject({
      permission: { after: "patients.write" },
      workspaceId: { after: w3 },
      viaEmergency: { after: viaEmergency },
    });
    expect(after[0]?.changes).not.toHaveProperty("patientRef");
  });

  it("refuses an unknown permission with the path, and a bad cursor", async () => {
    const p = await problemOf(() => a.admin.access.whoCan({ permission: "nope.nothing" }));
    expect(p.status).toBe(400);
    expect(p.errors.map((e) => e.path)).toContain("permission");
    const c = await problemOf(() =>
      a.admin.access.whoCan({ permission: "patients.read", cursor: "garbage" }),
    );
    expect(c.status).toBe(400);
    // Sent in who-can's body, so named as the body's field.
    expect(c.errors.map((e) => e.path)).toEqual(["cursor"]);
    const l = await problemOf(() => a.admin.access.whoCan({ permission: "patients.read", limit: 201 }));
    expect(l.status).toBe(400);
  });

  it("404s an unknown or foreign user for effective-permissions", async () => {
    expect((await problemOf(() => a.admin.access.effectivePermissions("usr_nope"))).code).toBe(
      "USER_NOT_FOUND",
    );
    expect((await problemOf(() => a.admin.access.effectivePermissions(b.adminUserId))).code).toBe(
      "USER_NOT_FOUND",
    );
  });

  it("answers the callers check answers: users.view, or a user about themselves", async () => {
    const plain = await createUser(t, a, { roleId: await role({ permissions: ["patients.read"] }) });
    const self: Staffgate = plain.client;
    const mine = await self.access.effectivePermissions(plain.user.id);
    expect(mine.tenant).toContain("patients.read");
    expect((await problemOf(() => self.access.effectivePermissions(users[0]!))).status).toBe(403);
    expect((await problemOf(() => self.access.whoCan({ permission: "patients.read" }))).status).toBe(403);
    const viewer = await createUser(t, a, { roleId: await role({ permissions: ["users.view"] }) });
    expect((await viewer.client.access.effectivePermissions(users[0]!)).tenant).toContain("patients.read");
    expect((await viewer.client.access.whoCan({ permission: "patients.read" })).items.length).toBeGreaterThan(
      0,
    );
    // Another tenant's administrator sees nothing of this tenant.
    expect((await problemOf(() => b.admin.access.effectivePermissions(users[0]!))).code).toBe(
      "USER_NOT_FOUND",
    );
  });
});
