import { describe, expect, it } from "vitest";
import { type CatalogPermission, withCollaborator } from "./grants.ts";

const permission = (key: string, collaborator: CatalogPermission["collaborator"]): CatalogPermission => ({
  key,
  label: key,
  description: "",
  category: "Patients",
  scope: "tenant+workspace",
  patientScoped: true,
  collaborator,
  implies: [],
});
const catalog = [permission("patients.read", "restricted"), permission("collections.read", "forbidden")];

describe("withCollaborator", () => {
  it("takes away what a tenant-level collaborator role may not hold: forbidden permissions and every workspace row", () => {
    const grants = {
      permissions: ["patients.read", "collections.read"],
      collaborator: false,
      workspaces: [{ workspaceId: "wsp_a", permissions: ["patients.read"], collaborator: false }],
    };
    expect(withCollaborator(grants, true, catalog)).toEqual({
      permissions: ["patients.read"],
      collaborator: true,
      workspaces: [],
    });
    // Cleared, nothing else changes.
    expect(withCollaborator(grants, false, catalog)).toEqual({ ...grants, collaborator: false });
  });
});
