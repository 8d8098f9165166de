import { describe, expect, it } from "vitest";
import { importExample } from "./importExample.ts";

describe("the import dialog's example cells", () => {
  it("are neutral until the tenant's workspaces and roles are loaded", () => {
    const example = importExample(null, null);
    expect(example.workspaceRoles).toBe("ward-a=Role name;ward-b=Other role name");
    expect(example.workspaceRoles).not.toMatch(/Physicist|Dosimetrist/);
  });

  it("name the tenant's own workspaces and roles, its own roles before built-in ones", () => {
    const example = importExample(
      [{ slug: "main-clinic" }, { slug: "north-site" }, { slug: "south" }],
      [
        { name: "Administrator", system: true },
        { name: "Veterinarian", system: false },
        { name: "Receptionist", system: false },
      ],
    );
    expect(example).toEqual({
      workspaces: "main-clinic;north-site",
      workspaceRoles: "main-clinic=Veterinarian;north-site=Receptionist",
    });
  });

  it("make do with one workspace or one role, and skip names the cell cannot carry", () => {
    expect(importExample([{ slug: "only" }], [{ name: "Nurse; senior" }, { name: "Nurse" }])).toEqual({
      workspaces: "only",
      workspaceRoles: "only=Nurse",
    });
    expect(importExample([{ slug: "a" }, { slug: "b" }], [{ name: "Nurse" }]).workspaceRoles).toBe(
      "a=Nurse;b=Nurse",
    );
    expect(importExample([], [{ name: "Nurse" }]).workspaceRoles).toBe(
      "ward-a=Role name;ward-b=Other role name",
    );
  });
});
