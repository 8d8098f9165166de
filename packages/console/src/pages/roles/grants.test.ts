import { describe, expect, it } from "vitest";
import { analyse, type CatalogPermission, impliedBy, withCollaborator, withTicked } from "./grants.ts";

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

describe("ticking a permission ticks what it implies (DOMAIN.md §5 #22)", () => {
  const perm = (key: string, implies: string[] = []): CatalogPermission => ({
    ...permission(key, "restricted"),
    category: "Invoices",
    label: key,
    implies,
  });
  const a = analyse([
    perm("invoices.read"),
    perm("invoices.write", ["invoices.read"]),
    perm("invoices.delete", ["invoices.write"]),
    perm("other"),
  ]);

  it("ticks the implied permissions, transitively", () => {
    expect(withTicked([], ["invoices.write"], true, a).sort()).toEqual(["invoices.read", "invoices.write"]);
    expect(withTicked(["other"], ["invoices.delete"], true, a).sort()).toEqual([
      "invoices.delete",
      "invoices.read",
      "invoices.write",
      "other",
    ]);
  });

  it("leaves the implied ones ticked when the implying one is unticked", () => {
    expect(withTicked(["invoices.read", "invoices.write"], ["invoices.write"], false, a)).toEqual([
      "invoices.read",
    ]);
    // A role saved before listed Write alone: Read was shown ticked, and stays so.
    expect(withTicked(["invoices.write"], ["invoices.write"], false, a)).toEqual(["invoices.read"]);
    // Unticked together (a category's box), nothing comes back.
    expect(
      withTicked(["invoices.read", "invoices.write"], ["invoices.read", "invoices.write"], false, a),
    ).toEqual([]);
  });

  it("says what implies a permission, for its note and its disabled box", () => {
    const implied = impliedBy(["invoices.delete"], a);
    expect([...implied]).toEqual([
      ["invoices.write", "invoices.delete"],
      ["invoices.read", "invoices.delete"],
    ]);
    expect(impliedBy(["invoices.read"], a).size).toBe(0);
  });
});
