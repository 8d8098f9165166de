import { describe, expect, it } from "vitest";
import { buildCatalog } from "../catalog/catalog.rules.ts";
import { emergencyPermissionSet } from "./emergency-set.ts";

const perm = (key: string, extra: Record<string, unknown> = {}) => ({
  key,
  label: key,
  category: "Test",
  scope: "tenant+workspace",
  ...extra,
});

describe("the emergency permission set", () => {
  it("is every patient-scoped permission that is not forbidden for collaborators", () => {
    const catalog = buildCatalog(
      {
        name: "test",
        version: "1",
        permissions: [
          perm("chart.read", { patientScoped: true, collaborator: "restricted" }),
          perm("chart.note", { patientScoped: true, collaborator: "restricted" }),
          perm("chart.purge", { patientScoped: true, collaborator: "forbidden" }),
          perm("reports.read", { patientScoped: false, collaborator: "unaffected" }),
          perm("cohorts.read", { patientScoped: false, collaborator: "forbidden" }),
        ],
      },
      "test",
    );
    expect(emergencyPermissionSet(catalog).sort()).toEqual(["chart.note", "chart.read"]);
  });
});
