import { describe, expect, it } from "vitest";
import { buildCatalog } from "../catalog/catalog.rules.ts";
import { loadCatalogs } from "../catalog/catalogs.ts";
import {
  type DecisionFacts,
  type DecisionRole,
  type DecisionUser,
  decide,
  type EmergencyFact,
} from "./decision.rules.ts";

const catalog = loadCatalogs().get("radiotherapy")!;
const NOW = "2026-06-01T12:00:00.000Z";
const role = (over: Partial<DecisionRole> = {}): DecisionRole => ({
  id: "rol_r",
  kind: "formal",
  permissions: [],
  collaborator: false,
  workspaces: [],
  ...over,
});
const user = (over: Partial<DecisionUser> = {}): DecisionUser => ({
  id: "usr_u",
  status: "active",
  virtual: false,
  expiresAt: null,
  workspaceAccess: "all",
  role: role(),
  workspaceRoles: new Map(),
  ...over,
});
const facts = (u: DecisionUser | undefined, over: Partial<DecisionFacts> = {}): DecisionFacts => ({
  catalog,
  now: NOW,
  user: u,
  viaApiToken: false,
  patientGrants: [],
  emergencies: [],
  ...over,
});

describe("decide()", () => {
  it("denies unknown permissions, missing, inactive, expired and virtual users", () => {
    const u = user({ role: role({ permissions: ["patients.read"] }) });
    expect(decide(facts(u), { permission: "nope.read" }).reason.code).toBe("UNKNOWN_PERMISSION");
    expect(decide(facts(undefined), { permission: "patients.read" }).reason.code).toBe("USER_NOT_FOUND");
    expect(decide(facts({ ...u, status: "inactive" }), { permission: "patients.read" }).reason.code).toBe(
      "USER_NOT_ACTIVE",
    );
    expect(decide(facts({ ...u, expiresAt: NOW }), { permission: "patients.read" }).reason.code).toBe(
      "USER_EXPIRED",
    );
    expect(decide(facts({ ...u, virtual: true }), { permission: "patients.read" }).reason.code).toBe(
      "VIRTUAL_USER",
    );
    expect(
      decide(facts({ ...u, virtual: true }, { viaApiToken: true }), { permission: "patients.read" }).allowed,
    ).toBe(true);
  });

  it("grants at tenant level through implications, in every workspace", () => {
    const u = user({ role: role({ permissions: ["patients.write"] }) });
    const d = decide(facts(u), { permission: "patients.read", workspaceId: "wsp_a" });
    expect(d).toMatchObject({
      allowed: true,
      reason: { code: "GRANTED_TENANT", scope: "tenant", roleId: "rol_r" },
    });
    expect(d.steps.length).toBeGreaterThan(2);
    // The explanation says which granted permission carries the one asked about.
    expect(d.steps).toContain(
      '"patients.read" is granted at tenant level (implied by "patients.write", which the role grants)',
    );
    const direct = decide(facts(user({ role: role({ permissions: ["patients.read"] }) })), {
      permission: "patients.read",
    });
    expect(direct.steps).toContain('"patients.read" is granted at tenant level');
  });

  it("grants a workspace row only in its workspace", () => {
    const u = user({
      role: role({
        workspaces: [{ workspaceId: "wsp_a", permissions: ["patients.read"], collaborator: false }],
      }),
    });
    expect(decide(facts(u), { permission: "patients.read", workspaceId: "wsp_a" }).reason.code).toBe(
      "GRANTED_WORKSPACE",
    );
    expect(decide(facts(u), { permission: "patients.read", workspaceId: "wsp_b" }).allowed).toBe(false);
    expect(decide(facts(u), { permission: "patients.read" }).allowed).toBe(false);
  });

  it("denies in a workspace the user is not active in", () => {
    const u = user({ workspaceAccess: new Set(["wsp_a"]), role: role({ permissions: ["patients.read"] }) });
    expect(decide(facts(u), { permission: "patients.read", workspaceId: "wsp_b" }).reason.code).toBe(
      "WORKSPACE_INACTIVE",
    );
    expect(decide(facts(u), { permission: "patients.read", workspaceId: "wsp_a" }).allowed).toBe(true);
  });

  it("lets tenant-only permissions ignore the workspace", () => {
    const u = user({ workspaceAccess: new Set(), role: role({ permissions: ["users.manage"] }) });
    expect(decide(facts(u), { permission: "users.view", workspaceId: "wsp_z" }).allowed).toBe(true);
  });

  it("uses the per-workspace role in its workspace instead of the user's role", () => {
    const wsRole = role({ id: "rol_ws", permissions: ["collections.read"] });
    const u = user({
      role: role({ permissions: ["patients.delete"] }),
      workspaceRoles: new Map([["wsp_a", wsRole]]),
    });
    expect(decide(facts(u), { permission: "patients.delete", workspaceId: "wsp_a" }).allowed).toBe(false);
    expect(decide(facts(u), { permission: "collections.read", workspaceId: "wsp_a" }).reason).toMatchObject({
      roleId: "rol_ws",
      roleKind: "workspace",
    });
    expect(decide(facts(u), { permission: "patients.delete", workspaceId: "wsp_b" }).allowed).toBe(true);
  });

  it("limits a collaborator to patients with a live grant, in the grant's workspace", () => {
    const u = user({ role: role({ collaborator: true, permissions: ["patients.phi"] }) });
    const grants = [{ id: "grt_1", workspaceId: "wsp_a", expiresAt: null }];
    expect(decide(facts(u), { permission: "patients.read" }).reason.code).toBe("COLLABORATOR_NO_PATIENT");
    expect(decide(facts(u), { permission: "patients.read", patientRef: "p1" }).reason.code).toBe(
      "COLLABORATOR_NO_GRANT",
    );
    expect(
      decide(facts(u, { patientGrants: grants }), {
        permission: "patients.read",
        patientRef: "p1",
        workspaceId: "wsp_a",
      }).reason,
    ).toMatchObject({
      code: "GRANTED_PATIENT",
      viaPatientGrant: "grt_1",
    });
    expect(
      decide(facts(u, { patientGrants: grants }), {
        permission: "patients.read",
        patientRef: "p1",
        workspaceId: "wsp_b",
      }).allowed,
    ).toBe(false);
    const expired = [{ id: "grt_2", workspaceId: null, expiresAt: NOW }];
    expect(
      decide(facts(u, { patientGrants: expired }), { permission: "patients.read", patientRef: "p1" }).allowed,
    ).toBe(false);
  });

  it("names the same grant whatever order the grants come in", () => {
    const u = user({ role: role({ collaborator: true, permissions: ["patients.read"] }) });
    const q = { permission: "patients.read", patientRef: "p1", workspaceId: "wsp_a" };
    const via = (patientGrants: DecisionFacts["patientGrants"]) =>
      [patientGrants, [...patientGrants].reverse()].map(
        (list) => decide(facts(u, { patientGrants: list }), q).reason.viaPatientGrant,
      );
    const tenantWide = { id: "grt_a", workspaceId: null, expiresAt: null };
    const here = { id: "grt_b", workspaceId: "wsp_a", expiresAt: "2026-07-01T00:00:00.000Z" };
    expect(via([tenantWide, here])).toEqual(["grt_b", "grt_b"]);
    const sooner = { id: "grt_c", workspaceId: null, expiresAt: "2026-06-02T00:00:00.000Z" };
    expect(via([sooner, tenantWide])).toEqual(["grt_a", "grt_a"]);
    const twin = { ...tenantWide, id: "grt_0" };
    expect(via([tenantWide, twin])).toEqual(["grt_0", "grt_0"]);
  });

  it("never lets a collaborator hold a forbidden permission", () => {
    const u = user({ role: role({ collaborator: true, permissions: ["collections.read"] }) });
    expect(decide(facts(u), { permission: "collections.read" }).reason.code).toBe("COLLABORATOR_FORBIDDEN");
  });

  it("lets an open emergency elevation grant what the rules denied, and says so", () => {
    const u = user({ role: role({ permissions: ["emergency_access.use"] }) });
    const e = {
      id: "emg_1",
      workspaceId: null,
      patientRef: "p9",
      expiresAt: "2026-06-01T16:00:00.000Z",
      permissions: new Set(["patients.read"]),
    };
    const d = decide(facts(u, { emergencies: [e] }), { permission: "patients.read", patientRef: "p9" });
    expect(d.reason).toMatchObject({ code: "EMERGENCY_ACCESS", viaEmergency: "emg_1" });
    expect(
      decide(facts(u, { emergencies: [e] }), { permission: "patients.read", patientRef: "p8" }).allowed,
    ).toBe(false);
    expect(
      decide(facts(u, { emergencies: [{ ...e, expiresAt: NOW }] }), {
        permission: "patients.read",
        patientRef: "p9",
      }).allowed,
    ).toBe(false);
    expect(
      decide(facts({ ...u, status: "inactive" }, { emergencies: [e] }), {
        permission: "patients.read",
        patientRef: "p9",
      }).allowed,
    ).toBe(false);
  });

  it("says in explain when the patient's grant is limited to another workspace", () => {
    const u = user({ role: role({ collaborator: true, permissions: ["patients.read"] }) });
    const grant = { id: "pgr_1", workspaceId: "wsp_b", expiresAt: null };
    const d = decide(facts(u, { patientGrants: [grant] }), {
      permission: "patients.read",
      workspaceId: "wsp_a",
      patientRef: "p9",
    });
    expect(d.reason.code).toBe("COLLABORATOR_NO_GRANT");
    expect(d.steps).toContain("grant pgr_1 on patient p9 is limited to workspace wsp_b");
  });

  it("says in the denial where a collaborator's workspace-limited access to the patient holds", () => {
    const u = user({
      role: role({ collaborator: true, permissions: ["patients.read"] }),
      workspaceAccess: new Set(["wsp_a", "wsp_b", "wsp_c"]),
    });
    const q = { permission: "patients.read", patientRef: "p9" };
    const grant = (id: string, workspaceId: string | null, expiresAt: string | null = null) => ({
      id,
      workspaceId,
      expiresAt,
    });
    const denial = (grants: DecisionFacts["patientGrants"], workspaceId?: string) =>
      decide(facts(u, { patientGrants: grants }), { ...q, ...(workspaceId ? { workspaceId } : {}) }).reason
        .message;
    const base = "the user is a collaborator at tenant level and has no access to patient p9";
    expect(denial([grant("g1", "wsp_b")], "wsp_a")).toBe(
      `${base} in workspace wsp_a: it holds only in workspace wsp_b`,
    );
    expect(denial([grant("g1", "wsp_b")])).toBe(
      `${base} without a workspace: it holds only in workspace wsp_b`,
    );
    expect(denial([grant("g2", "wsp_c"), grant("g1", "wsp_b")], "wsp_a")).toBe(
      `${base} in workspace wsp_a: it holds only in workspaces wsp_b, wsp_c`,
    );
    // Nothing to point at: no grant, an expired one (tenant-wide or not), or one in a workspace the
    // user is no longer active in (a question there is refused for the workspace).
    expect(denial([], "wsp_a")).toBe(base);
    expect(denial([grant("g1", "wsp_b", NOW), grant("g2", null, NOW)], "wsp_a")).toBe(base);
    expect(denial([grant("g1", "wsp_z")], "wsp_a")).toBe(base);
  });

  it("names the workspace of a per-workspace collaborator role, not the tenant level", () => {
    const collaborator = role({ id: "rol_c", collaborator: true, permissions: ["patients.read"] });
    const u = user({
      role: role({ permissions: ["collections.read"] }),
      workspaceRoles: new Map([["wsp_a", collaborator]]),
    });
    const d = decide(facts(u), { permission: "patients.read", workspaceId: "wsp_a", patientRef: "p9" });
    expect(d.reason).toMatchObject({
      code: "COLLABORATOR_NO_GRANT",
      roleId: "rol_c",
      roleKind: "workspace",
    });
    expect(d.reason.message).toBe(
      "the user is a collaborator in workspace wsp_a (per-workspace role) and has no access to patient p9",
    );
    const formal = decide(facts(user({ role: collaborator })), {
      permission: "patients.read",
      patientRef: "p9",
    });
    expect(formal.reason.message).toBe(
      "the user is a collaborator at tenant level and has no access to patient p9",
    );
  });

  describe("an emergency elevation", () => {
    const holder = user({ role: role({ permissions: ["emergency_access.use"] }) });
    const open = (over: Partial<EmergencyFact> = {}): EmergencyFact => ({
      id: "emg_1",
      workspaceId: "wsp_a",
      patientRef: null,
      expiresAt: "2026-06-01T16:00:00.000Z",
      permissions: new Set(["patients.write"]),
      ...over,
    });

    it("grants what a permission of its set implies, as a role does", () => {
      const d = decide(facts(holder, { emergencies: [open()] }), {
        permission: "patients.read",
        workspaceId: "wsp_a",
      });
      expect(d.reason).toMatchObject({ code: "EMERGENCY_ACCESS", viaEmergency: "emg_1" });
    });

    it("never grants beyond what an elevation may (administration, collaborator-forbidden)", () => {
      const wide = open({ permissions: new Set(["users.manage", "collections.read"]) });
      for (const permission of ["users.manage", "collections.read"]) {
        const d = decide(facts(holder, { emergencies: [wide] }), { permission, workspaceId: "wsp_a" });
        expect(d.allowed, permission).toBe(false);
      }
    });

    it("does not reach a workspace that is not there (deleted since it was opened)", () => {
      const d = decide(facts(holder, { emergencies: [open()], workspaceExists: false }), {
        permission: "patients.write",
        workspaceId: "wsp_a",
      });
      expect(d).toMatchObject({ allowed: false, reason: { code: "WORKSPACE_NOT_FOUND" } });
    });

    it("stops granting once its user no longer holds emergency_access.use, and explain says so", () => {
      const d = decide(facts(user(), { emergencies: [open()] }), {
        permission: "patients.write",
        workspaceId: "wsp_a",
      });
      expect(d).toMatchObject({ allowed: false, reason: { code: "NOT_GRANTED" } });
      expect(d.steps.join("\n")).toContain('no longer holds "emergency_access.use"');
    });

    it("is named in explain when one is open but does not cover the question", () => {
      const d = decide(facts(holder, { emergencies: [open()] }), {
        permission: "patients.write",
        workspaceId: "wsp_b",
      });
      expect(d.allowed).toBe(false);
      expect(d.steps.join("\n")).toContain('no open emergency access covers "patients.write" here');
    });
  });

  describe("a tenant-only, patient-scoped permission (custom catalogues: no preset has one)", () => {
    // PRODUCT.md §3 step 4: a tenant-only permission ignores the workspace, so the workspace asked
    // about opens nothing either: a grant or an elevation limited to a workspace never applies.
    const custom = buildCatalog(
      {
        name: "custom",
        version: "1",
        permissions: [
          {
            key: "reports.patient",
            label: "Patient report",
            category: "Reports",
            scope: "tenant",
            patientScoped: true,
            collaborator: "restricted",
          },
        ],
      },
      "test",
    );
    const collaborator = user({
      workspaceAccess: new Set(["wsp_a"]),
      role: role({ permissions: ["reports.patient"], collaborator: true }),
    });
    const on = (over: Partial<DecisionFacts>, workspaceId: string | null) =>
      decide(
        { ...facts(collaborator), catalog: custom, ...over },
        { permission: "reports.patient", workspaceId, patientRef: "P9" },
      );
    const grant = (workspaceId: string | null) => ({ id: "pag_1", workspaceId, expiresAt: null });

    it("ignores a grant limited to a workspace, even the one asked about", () => {
      for (const ws of ["wsp_b", "wsp_a", null]) {
        const d = on({ patientGrants: [grant("wsp_b")] }, ws);
        expect([ws, d.allowed, d.reason.code]).toEqual([ws, false, "COLLABORATOR_NO_GRANT"]);
      }
    });

    it("holds with a grant without a workspace, whatever workspace is asked about", () => {
      for (const ws of ["wsp_b", "wsp_a", null]) {
        const d = on({ patientGrants: [grant(null)] }, ws);
        expect([ws, d.allowed, d.reason.code]).toEqual([ws, true, "GRANTED_PATIENT"]);
        expect(d.reason.workspaceId).toBeUndefined();
      }
    });

    it("is not opened by an emergency elevation of the workspace asked about", () => {
      const elevation: EmergencyFact = {
        id: "emg_1",
        workspaceId: "wsp_a",
        patientRef: null,
        expiresAt: "2026-06-01T16:00:00.000Z",
        permissions: new Set(["reports.patient"]),
      };
      const staff = user({ role: role({ permissions: ["emergency_access.use"] }) });
      const ask = (workspaceId: string, patientRef: string | null) =>
        decide(
          { ...facts(staff), catalog: custom, emergencies: [elevation] },
          { permission: "reports.patient", workspaceId, patientRef },
        );
      expect([ask("wsp_a", "P9").allowed, ask("wsp_a", "P9").reason.code]).toEqual([false, "NOT_GRANTED"]);
      // An elevation naming the patient does open it.
      const forPatient = { ...elevation, workspaceId: null, patientRef: "P9" };
      const d = decide(
        { ...facts(staff), catalog: custom, emergencies: [forPatient] },
        { permission: "reports.patient", workspaceId: "wsp_a", patientRef: "P9" },
      );
      expect([d.allowed, d.reason.code, d.reason.workspaceId]).toEqual([true, "EMERGENCY_ACCESS", undefined]);
    });
  });
});
