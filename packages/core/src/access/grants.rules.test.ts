import { describe, expect, it } from "vitest";
import { buildCatalog } from "../catalog/catalog.rules.ts";
import { loadCatalogs } from "../catalog/catalogs.ts";
import {
  ANY_PATIENT_PERMISSION,
  type Holder,
  lacksToCreatePatients,
  type RoleGrants,
} from "./grants.rules.ts";

const role = (permissions: string[], over: Partial<RoleGrants> = {}): RoleGrants => ({
  permissions,
  collaborator: false,
  workspaces: [],
  ...over,
});
const holder = (r: RoleGrants, activeIn: Holder["activeIn"] = "all"): Holder => ({
  role: r,
  workspaceRoles: new Map(),
  activeIn,
});

describe("lacksToCreatePatients", () => {
  it("asks for patients.write and patients.phi where the catalogue has them", () => {
    const radiotherapy = loadCatalogs().get("radiotherapy")!;
    const keys = ["patients.write", "patients.phi"].filter((k) => radiotherapy.byKey.has(k));
    expect(keys.length).toBeGreaterThan(0);
    expect(lacksToCreatePatients(radiotherapy, holder(role([])), null)).toEqual(keys);
    expect(lacksToCreatePatients(radiotherapy, holder(role(keys)), null)).toEqual([]);
  });

  describe("in a catalogue of its own without either", () => {
    const custom = buildCatalog(
      {
        name: "custom",
        version: "1",
        permissions: [
          {
            key: "records.read",
            label: "r",
            category: "R",
            scope: "tenant+workspace",
            patientScoped: true,
            collaborator: "restricted",
          },
          {
            key: "records.sign",
            label: "g",
            category: "R",
            scope: "tenant+workspace",
            patientScoped: true,
            collaborator: "forbidden",
          },
          { key: "schedule.edit", label: "s", category: "S", scope: "tenant+workspace" },
        ],
      },
      "test",
    );

    it("asks for some patient-scoped permission, where the report places the patient", () => {
      expect(lacksToCreatePatients(custom, holder(role([])), null)).toEqual([ANY_PATIENT_PERMISSION]);
      expect(lacksToCreatePatients(custom, holder(role(["schedule.edit"])), null)).toEqual([
        ANY_PATIENT_PERMISSION,
      ]);
      expect(lacksToCreatePatients(custom, holder(role(["records.read"])), null)).toEqual([]);
      // Held only as a collaborator counts, as it does for patients.write.
      const collaborator = holder(role(["records.read"], { collaborator: true }));
      expect(lacksToCreatePatients(custom, collaborator, "wsp_a")).toEqual([]);
      // ...but not one a collaborator never holds.
      const forbidden = holder(role(["records.sign"], { collaborator: true }));
      expect(lacksToCreatePatients(custom, forbidden, null)).toEqual([ANY_PATIENT_PERMISSION]);
      // A workspace row counts in its workspace only.
      const row = holder(
        role([], {
          workspaces: [{ workspaceId: "wsp_a", permissions: ["records.read"], collaborator: false }],
        }),
      );
      expect(lacksToCreatePatients(custom, row, "wsp_a")).toEqual([]);
      expect(lacksToCreatePatients(custom, row, "wsp_b")).toEqual([ANY_PATIENT_PERMISSION]);
    });

    it("holds nothing in a workspace the holder is not active in", () => {
      const limited = holder(role(["records.read"]), new Set(["wsp_a"]));
      expect(lacksToCreatePatients(custom, limited, "wsp_a")).toEqual([]);
      expect(lacksToCreatePatients(custom, limited, "wsp_b")).toEqual([ANY_PATIENT_PERMISSION]);
    });
  });
});
