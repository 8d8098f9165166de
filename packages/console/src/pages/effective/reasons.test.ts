import { describe, expect, it } from "vitest";
import type { GridData, Reason } from "./model.ts";
import { type Names, reasonWords, withNames } from "./reasons.ts";

const names: Names = {
  role: (id) => (id === "rol_c" ? "Collaborator" : "Viewer"),
  workspace: (id) => (id === "wsp_n" ? "“North Clinic”" : "this workspace"),
};
const active = { status: "active" };

describe("reasonWords", () => {
  it("says where a per-workspace role's grants hold: its workspace, not the tenant level", () => {
    const denied = {
      code: "COLLABORATOR_NO_GRANT",
      message: "",
      roleId: "rol_c",
      roleKind: "workspace",
      scope: "tenant",
      workspaceId: "wsp_n",
    } as Reason;
    expect(reasonWords(denied, names, active)).toBe(
      "Denied: the per-workspace role “Collaborator” assigned for “North Clinic” makes the user a collaborator in “North Clinic”, and this patient is not shared with them.",
    );
    const granted = { ...denied, code: "GRANTED_TENANT", roleId: "rol_v" } as Reason;
    expect(reasonWords(granted, names, active)).toBe(
      "Allowed: granted by the per-workspace role “Viewer” assigned for “North Clinic”, whose tenant-level permissions apply in that workspace.",
    );
    const formal = { ...granted, roleKind: "formal", workspaceId: undefined } as Reason;
    expect(reasonWords(formal, names, active)).toMatch(
      /^Allowed: granted at tenant level by the role “Viewer”\./,
    );
  });
});

describe("withNames", () => {
  it("names roles the way the API writes them (quoted name and id) or by id alone, and workspaces", () => {
    const data = {
      roleNames: new Map([
        ["rol_v", 'Viewer "day"'],
        ["rol_p", "Private role"],
      ]),
      workspaces: [{ id: "wsp_n", name: "North Clinic", access: true, roleId: null }],
    } as unknown as GridData;
    expect(withNames('role "Viewer \\"day\\"" (rol_v) applies (formal role)', data)).toBe(
      'role “Viewer "day"” applies (formal role)',
    );
    expect(withNames('role rol_p does not grant "patients.read" in workspace wsp_n', data)).toBe(
      'role “Private role” does not grant "patients.read" in workspace “North Clinic”',
    );
  });
});
