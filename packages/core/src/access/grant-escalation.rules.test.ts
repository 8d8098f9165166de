import { describe, expect, it } from "vitest";
import { buildCatalog } from "../catalog/catalog.rules.ts";
import { collaboratorOnlyAt, patientGrantExcess, unlockedByPatientGrant } from "./grant-escalation.rules.ts";
import type { Holder, RoleGrants, WorkspaceGrant } from "./grants.rules.ts";

const perm = (key: string, extra: Record<string, unknown> = {}) => ({
  key,
  label: key,
  category: "Test",
  scope: "tenant+workspace",
  ...extra,
});

const catalog = buildCatalog(
  {
    name: "test",
    version: "1",
    permissions: [
      perm("patients.read", { patientScoped: true, collaborator: "restricted" }),
      perm("patients.write", { patientScoped: true, collaborator: "restricted", implies: ["patients.read"] }),
      perm("patients.phi", { patientScoped: true, collaborator: "restricted" }),
      perm("patients.export", { patientScoped: true, collaborator: "restricted", scope: "tenant" }),
      perm("billing.read", { patientScoped: true, collaborator: "forbidden" }),
      perm("directory.read"),
      perm("charts.read", { patientScoped: true, collaborator: "restricted", implies: ["directory.read"] }),
    ],
  },
  "test",
);

const role = (g: Partial<RoleGrants>): RoleGrants => ({
  permissions: [],
  collaborator: false,
  workspaces: [],
  ...g,
});
const row = (workspaceId: string, permissions: string[], collaborator = false): WorkspaceGrant => ({
  workspaceId,
  permissions,
  collaborator,
});
const holder = (r: Partial<RoleGrants>, workspaceRoles: [string, Partial<RoleGrants>][] = []): Holder => ({
  role: role(r),
  workspaceRoles: new Map(workspaceRoles.map(([w, g]) => [w, role(g)])),
});

const manager = (
  perms: string[],
  extra: Partial<RoleGrants> = {},
  ws: [string, Partial<RoleGrants>][] = [],
) => holder({ permissions: ["patient_access.manage", ...perms], ...extra }, ws);

describe("collaboratorOnlyAt", () => {
  it("is the patient-scoped, non-forbidden keys of a collaborator role, implications followed", () => {
    const h = holder({
      permissions: ["patients.write", "billing.read", "directory.read", "patients.export"],
      collaborator: true,
    });
    expect(collaboratorOnlyAt(catalog, h, null)).toEqual([
      "patients.export",
      "patients.read",
      "patients.write",
    ]);
    // Tenant-only keys are the tenant level's, never a workspace's.
    expect(collaboratorOnlyAt(catalog, h, "wsp_a")).toEqual(["patients.read", "patients.write"]);
  });

  it("is empty for a role that is not a collaborator", () => {
    expect(collaboratorOnlyAt(catalog, holder({ permissions: ["patients.write"] }), null)).toEqual([]);
  });

  it("takes a workspace's collaborator row, unless the role grants the key at tenant level", () => {
    const h = holder({
      permissions: ["patients.read"],
      workspaces: [row("wsp_a", ["patients.write"], true)],
    });
    expect(collaboratorOnlyAt(catalog, h, "wsp_a")).toEqual(["patients.write"]);
    expect(collaboratorOnlyAt(catalog, h, "wsp_b")).toEqual([]);
  });

  it("uses the per-workspace role in its workspace", () => {
    const h = holder({ permissions: ["patients.read"] }, [
      ["wsp_a", { permissions: ["patients.phi"], collaborator: true }],
    ]);
    expect(collaboratorOnlyAt(catalog, h, "wsp_a")).toEqual(["patients.phi"]);
    expect(collaboratorOnlyAt(catalog, h, null)).toEqual([]);
  });
});

describe("unlockedByPatientGrant", () => {
  const grantee = holder({ permissions: ["patients.read", "patients.export"], collaborator: true }, [
    ["wsp_a", { permissions: ["patients.phi"], collaborator: true }],
  ]);

  it("for every workspace: the tenant level and each workspace that differs", () => {
    expect(unlockedByPatientGrant(catalog, grantee, null)).toEqual([
      { workspaceId: null, permissions: ["patients.export", "patients.read"] },
      { workspaceId: "wsp_a", permissions: ["patients.phi"] },
    ]);
  });

  it("limited to one workspace: that workspace, and the tenant-only keys", () => {
    expect(unlockedByPatientGrant(catalog, grantee, "wsp_a")).toEqual([
      { workspaceId: null, permissions: ["patients.export"] },
      { workspaceId: "wsp_a", permissions: ["patients.phi"] },
    ]);
    expect(unlockedByPatientGrant(catalog, grantee, "wsp_b")).toEqual([
      { workspaceId: null, permissions: ["patients.export"] },
      { workspaceId: "wsp_b", permissions: ["patients.read"] },
    ]);
  });

  it("unlocks nothing for a user who is no collaborator", () => {
    expect(unlockedByPatientGrant(catalog, holder({ permissions: ["patients.write"] }), null)).toEqual([]);
  });
});

describe("patientGrantExcess", () => {
  const collaborator = holder({ permissions: ["patients.write", "patients.phi"], collaborator: true });

  it("names what the grant unlocks and the grantor does not hold", () => {
    expect(patientGrantExcess(catalog, manager(["patients.read"]), collaborator, null)).toEqual([
      { workspaceId: null, permission: "patients.phi" },
      { workspaceId: null, permission: "patients.write" },
    ]);
  });

  it("is empty when the grantor holds everything the grant unlocks", () => {
    expect(
      patientGrantExcess(catalog, manager(["patients.write", "patients.phi"]), collaborator, null),
    ).toEqual([]);
  });

  it("is empty when the grant unlocks nothing (the grantee is no collaborator)", () => {
    const plain = holder({ permissions: ["patients.write", "patients.phi"] });
    expect(patientGrantExcess(catalog, manager([]), plain, null)).toEqual([]);
  });

  it("does not count a key the grantor holds only as a collaborator", () => {
    const grantor = manager(["patients.write", "patients.phi"], { collaborator: true });
    expect(patientGrantExcess(catalog, grantor, collaborator, null).map((e) => e.permission)).toEqual([
      "patients.phi",
      "patients.read",
      "patients.write",
    ]);
  });

  it("judges a workspace-limited grant on that workspace only", () => {
    const grantor = manager([], { workspaces: [row("wsp_a", ["patients.write", "patients.phi"])] });
    expect(patientGrantExcess(catalog, grantor, collaborator, "wsp_a")).toEqual([]);
    expect(patientGrantExcess(catalog, grantor, collaborator, "wsp_b")).toEqual([
      { workspaceId: "wsp_b", permission: "patients.phi" },
      { workspaceId: "wsp_b", permission: "patients.read" },
      { workspaceId: "wsp_b", permission: "patients.write" },
    ]);
    // Held in one workspace only, a grant for every workspace is too much.
    expect(patientGrantExcess(catalog, grantor, collaborator, null).map((e) => e.workspaceId)).toContain(
      null,
    );
  });

  it("judges a grant for every workspace also where the grantor's per-workspace role applies", () => {
    const grantor = manager(["patients.write", "patients.phi"], {}, [
      ["wsp_a", { permissions: ["patients.read"] }],
    ]);
    expect(patientGrantExcess(catalog, grantor, collaborator, null)).toEqual([
      { workspaceId: "wsp_a", permission: "patients.phi" },
      { workspaceId: "wsp_a", permission: "patients.write" },
    ]);
    expect(patientGrantExcess(catalog, grantor, collaborator, "wsp_b")).toEqual([]);
  });

  it("judges the tenant-only keys a workspace-limited grant reaches at tenant level", () => {
    const grantee = holder({ permissions: ["patients.export"], collaborator: true });
    expect(patientGrantExcess(catalog, manager([]), grantee, "wsp_a")).toEqual([
      { workspaceId: null, permission: "patients.export" },
    ]);
    expect(patientGrantExcess(catalog, manager(["patients.export"]), grantee, "wsp_a")).toEqual([]);
  });

  it("ignores keys the unlocked ones imply that no grant needs", () => {
    // charts.read implies directory.read, which a collaborator holds without any grant.
    const grantee = holder({ permissions: ["charts.read"], collaborator: true });
    expect(unlockedByPatientGrant(catalog, grantee, null)).toEqual([
      { workspaceId: null, permissions: ["charts.read"] },
    ]);
    expect(patientGrantExcess(catalog, manager([]), grantee, null)).toEqual([
      { workspaceId: null, permission: "charts.read" },
    ]);
  });
});
