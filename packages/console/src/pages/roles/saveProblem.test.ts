import { StaffgateError } from "@staffgate/sdk";
import { describe, expect, it } from "vitest";
import type { CatalogPermission } from "./grants.ts";
import { saveProblem } from "./saveProblem.ts";

const permission = (key: string, label: string): CatalogPermission => ({
  key,
  label,
  description: "",
  category: "Patients",
  scope: "tenant+workspace",
  patientScoped: true,
  collaborator: "restricted",
  implies: [],
});
const options = {
  catalog: [permission("patients.read", "Read Patients"), permission("patients.phi", "View PHI")],
  workspaces: [{ id: "wsp_north", name: "North Clinic" }],
  reach: null,
};

describe("saveProblem", () => {
  it("puts a permission the refused change would take away beside its box, by the key the message quotes", () => {
    // What was taken away is not in the body, so the API's path has no index.
    const error = new StaffgateError({
      type: "about:blank",
      title: "Forbidden",
      status: 403,
      code: "PRIVILEGE_ESCALATION",
      detail: "The change would take away permissions you do not hold yourself",
      errors: [
        { path: "permissions", message: 'you do not hold "patients.phi" at tenant level' },
        {
          path: "workspaces.0.permissions",
          message: 'you do not hold "patients.read" in workspace wsp_north',
        },
      ],
    });
    const sent = {
      permissions: ["patients.read"],
      workspaces: [{ workspaceId: "wsp_north", permissions: [] }],
    };
    const p = saveProblem(error, sent, options, "role");
    expect(p.summary).toBe("The change would take away permissions you do not hold yourself");
    expect(p.grants.perm).toEqual({
      "tenant patients.phi": "You do not hold “View PHI” at tenant level",
      "wsp_north patients.read": "You do not hold “Read Patients” in workspace “North Clinic”",
    });
    expect(p.grants.tenant).toEqual([]);
    expect(p.grants.row).toEqual({});
  });
});
