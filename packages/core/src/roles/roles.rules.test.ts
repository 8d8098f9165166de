import { describe, expect, it } from "vitest";
import type { RoleGrants } from "../access/grants.rules.ts";
import { buildCatalog } from "../catalog/catalog.rules.ts";
import { isAppError } from "../shared/errors.ts";
import { assertValidRole, roleProblem } from "./roles.rules.ts";

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
      perm("collections.read", { collaborator: "forbidden" }),
      perm("collections.write", { collaborator: "forbidden", implies: ["collections.read"] }),
      perm("reports.read"),
      perm("metrics.manage", { scope: "tenant" }),
    ],
  },
  "test",
);

const WS = new Set(["wsp_a", "wsp_b"]);
const role = (g: Partial<RoleGrants>): RoleGrants => ({
  permissions: [],
  collaborator: false,
  workspaces: [],
  ...g,
});
const row = (workspaceId: string, permissions: string[], collaborator = false) => ({
  workspaceId,
  permissions,
  collaborator,
});

function ruleOf(g: Partial<RoleGrants>) {
  const p = roleProblem(catalog, role(g), WS);
  return p?.kind === "rule" ? p.violations.map((v) => [v.rule, v.path]) : p;
}

describe("role rules", () => {
  it("accepts valid definitions", () => {
    expect(
      roleProblem(catalog, role({ permissions: ["metrics.manage", "collections.write"] }), WS),
    ).toBeNull();
    expect(
      roleProblem(catalog, role({ permissions: ["patients.write"], collaborator: true }), WS),
    ).toBeNull();
    expect(
      roleProblem(
        catalog,
        role({ permissions: ["reports.read"], workspaces: [row("wsp_a", ["patients.write"], true)] }),
        WS,
      ),
    ).toBeNull();
  });

  it("rejects unknown keys, unknown workspaces and repeated rows as input errors with paths", () => {
    const p = roleProblem(
      catalog,
      role({
        permissions: ["reports.read", "nope.key"],
        workspaces: [row("wsp_a", ["patients.read", "x.y", "z.z"]), row("wsp_zz", []), row("wsp_a", [])],
      }),
      WS,
    );
    expect(p?.kind).toBe("invalid");
    expect(p?.kind === "invalid" && p.errors.map((e) => e.path)).toEqual([
      "permissions.1",
      "workspaces.0.permissions.1",
      "workspaces.0.permissions.2",
      "workspaces.1.workspaceId",
      "workspaces.2.workspaceId",
    ]);
  });

  it("COLLABORATOR_ROLE_HAS_WORKSPACE_ROWS", () => {
    expect(ruleOf({ collaborator: true, workspaces: [row("wsp_a", ["reports.read"])] })).toEqual([
      ["COLLABORATOR_ROLE_HAS_WORKSPACE_ROWS", "workspaces"],
    ]);
  });

  it("COLLABORATOR_WORKSPACE_WITH_TENANT_PATIENT_PERMISSIONS covers patient and collection keys", () => {
    const ws = [row("wsp_a", ["patients.read"], true)];
    expect(ruleOf({ permissions: ["reports.read", "patients.write"], workspaces: ws })).toEqual([
      ["COLLABORATOR_WORKSPACE_WITH_TENANT_PATIENT_PERMISSIONS", "permissions.1"],
    ]);
    expect(ruleOf({ permissions: ["collections.read"], workspaces: ws })).toEqual([
      ["COLLABORATOR_WORKSPACE_WITH_TENANT_PATIENT_PERMISSIONS", "permissions.0"],
    ]);
    // Without a collaborator row the same tenant-level keys are fine.
    expect(
      ruleOf({ permissions: ["patients.write"], workspaces: [row("wsp_a", ["patients.read"])] }),
    ).toBeNull();
  });

  it("FORBIDDEN_FOR_COLLABORATOR at tenant level and in a collaborator row, following implications", () => {
    expect(ruleOf({ collaborator: true, permissions: ["patients.read", "collections.write"] })).toEqual([
      ["FORBIDDEN_FOR_COLLABORATOR", "permissions.1"],
    ]);
    expect(ruleOf({ workspaces: [row("wsp_b", ["patients.read", "collections.read"], true)] })).toEqual([
      ["FORBIDDEN_FOR_COLLABORATOR", "workspaces.0.permissions.1"],
    ]);
    expect(ruleOf({ workspaces: [row("wsp_b", ["collections.read"], false)] })).toBeNull();
  });

  it("WORKSPACE_ROW_TENANT_ONLY_PERMISSION", () => {
    expect(ruleOf({ workspaces: [row("wsp_a", ["reports.read", "metrics.manage"])] })).toEqual([
      ["WORKSPACE_ROW_TENANT_ONLY_PERMISSION", "workspaces.0.permissions.1"],
    ]);
  });

  it("throws 422 naming the first rule and listing every violation", () => {
    try {
      assertValidRole(
        catalog,
        role({
          collaborator: true,
          permissions: ["collections.read"],
          workspaces: [row("wsp_a", ["metrics.manage"])],
        }),
        WS,
      );
      expect.unreachable();
    } catch (error) {
      expect(isAppError(error, "ROLE_RULE_VIOLATED")).toBe(true);
      if (!isAppError(error)) throw error;
      expect(error.extensions.rule).toBe("COLLABORATOR_ROLE_HAS_WORKSPACE_ROWS");
      expect(error.extensions.rules).toEqual([
        "COLLABORATOR_ROLE_HAS_WORKSPACE_ROWS",
        "FORBIDDEN_FOR_COLLABORATOR",
        "WORKSPACE_ROW_TENANT_ONLY_PERMISSION",
      ]);
      expect(error.errors?.map((e) => e.path)).toEqual([
        "workspaces",
        "permissions.0",
        "workspaces.0.permissions.0",
      ]);
    }
  });

  it("throws 400 for input errors before looking at rules", () => {
    expect(() =>
      assertValidRole(catalog, role({ collaborator: true, workspaces: [row("wsp_x", [])] }), WS),
    ).toThrowError(expect.objectContaining({ code: "VALIDATION_FAILED" }));
  });
});
