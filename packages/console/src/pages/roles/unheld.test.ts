import { describe, expect, it } from "vitest";
import {
  analyse,
  type CatalogPermission,
  type Grants,
  withCollaborator,
  withRowCollaborator,
  withTicked,
} from "./grants.ts";
import { unheldChange } from "./unheld.ts";

const permission = (key: string, over: Partial<CatalogPermission> = {}): CatalogPermission => ({
  key,
  label: key,
  description: "",
  category: "Patients",
  scope: "tenant+workspace",
  patientScoped: true,
  collaborator: "restricted",
  implies: [],
  ...over,
});
const catalog = [
  permission("patients.read"),
  permission("patients.phi", { implies: ["patients.read"] }),
  permission("collections.read", { patientScoped: false, collaborator: "forbidden" }),
];
const a = analyse(catalog);
// The brief's limited administrator: Read Patients, nothing else of these.
const holds = (key: string) => key === "patients.read";
const role = (over: Partial<Grants>): Grants => ({
  permissions: [],
  collaborator: false,
  workspaces: [],
  ...over,
});

describe("unheldChange", () => {
  it("refuses taking away a permission the editor does not hold, as granting it", () => {
    const before = role({ permissions: ["patients.read", "patients.phi"] });
    expect(unheldChange(before, role({ permissions: ["patients.read"] }), holds, a)).toEqual([
      "patients.phi",
    ]);
    expect(unheldChange(role({}), before, holds, a)).toEqual(["patients.phi"]);
    // Read Patients is theirs, and View PHI keeps implying it anyway.
    expect(unheldChange(before, role({ permissions: ["patients.phi"] }), holds, a)).toEqual([]);
  });

  it("counts a removed row, and a permission moved from a row to tenant level takes nothing away", () => {
    const row = { workspaceId: "wsp_a", permissions: ["patients.phi"], collaborator: false };
    const before = role({ workspaces: [row] });
    expect(unheldChange(before, role({}), holds, a)).toEqual(["patients.phi"]);
    const readRow = role({ workspaces: [{ ...row, permissions: ["patients.read"] }] });
    expect(unheldChange(readRow, role({}), holds, a)).toEqual([]);
    const everywhere = role({ permissions: ["patients.phi"] });
    // Held at tenant level only: granted there instead, nothing goes from the row's workspace.
    const atTenantOnly = (_key: string, workspaceId?: string) => workspaceId === undefined;
    expect(unheldChange(before, everywhere, atTenantOnly, a)).toEqual([]);
    expect(unheldChange(before, role({}), atTenantOnly, a)).toEqual(["patients.read", "patients.phi"]);
  });

  it("counts Collaborator set as taking away and cleared as adding", () => {
    const before = role({ permissions: ["patients.phi", "collections.read"] });
    const on = withCollaborator(before, true, catalog);
    expect(unheldChange(before, on, holds, a)).toEqual(["patients.phi", "collections.read"]);
    expect(unheldChange(on, withCollaborator(on, false, catalog), holds, a)).toEqual(["patients.phi"]);
    const held = role({ permissions: ["patients.read"] });
    expect(unheldChange(held, withCollaborator(held, true, catalog), holds, a)).toEqual([]);
    const rowed = role({
      workspaces: [{ workspaceId: "wsp_a", permissions: ["patients.phi"], collaborator: false }],
    });
    expect(unheldChange(rowed, withRowCollaborator(rowed, "wsp_a", true, a), holds, a)).toEqual([
      "patients.phi",
    ]);
  });
});

describe("unheldChange with implied permissions ticked (DOMAIN.md §5 #22)", () => {
  const phiHolder = (key: string) => key === "patients.read" || key === "patients.phi";
  it("judges a tick that also ticks what it implies as the tick alone", () => {
    const after = role({ permissions: withTicked([], ["patients.phi"], true, a) });
    expect([...after.permissions].sort()).toEqual(["patients.phi", "patients.read"]);
    // Held: the change is theirs; not held: refused for View PHI alone, as before.
    expect(unheldChange(role({}), after, phiHolder, a)).toEqual([]);
    expect(unheldChange(role({}), after, holds, a)).toEqual(["patients.phi"]);
  });

  it("takes nothing more away when the implying one is unticked: the implied one stays ticked", () => {
    const before = role({ permissions: ["patients.phi"] });
    const after = role({ permissions: withTicked(before.permissions, ["patients.phi"], false, a) });
    expect(after.permissions).toEqual(["patients.read"]);
    expect(unheldChange(before, after, phiHolder, a)).toEqual([]);
    expect(unheldChange(before, after, holds, a)).toEqual(["patients.phi"]);
  });
});
