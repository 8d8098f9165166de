/** GET /permissions also gives the tenant's work-role list: the choices a user's `workRole` may take. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { problemOf, startTestApp, type TestApp } from "./harness.ts";

describe(`the tenant's work roles (${process.env.STAFFGATE_TEST_DB ?? "sqlite"})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it("lists the work roles of the tenant's preset, and only those are accepted on a user", async () => {
    const vet = await t.createTenant({ catalogPreset: "veterinary" });
    const { workRoles } = await vet.admin.permissions.list();
    expect(workRoles).toEqual([
      { name: "Veterinarian", professionalIdLabel: "Veterinarian ID" },
      { name: "Support staff", professionalIdLabel: null },
      { name: "Administrative", professionalIdLabel: null },
      { name: "Technical", professionalIdLabel: null },
    ]);
    const roles = await vet.admin.roles.list();
    const roleId = roles.items.find((r) => r.name === "Reports")?.id ?? "";
    const base = { firstName: "Vera", lastName: "Vet", roleId };
    const ok = await vet.admin.users.create({
      ...base,
      username: "vera",
      email: "vera@example.test",
      workRole: "Veterinarian",
      professionalId: "V-1234",
    });
    expect(ok.workRole).toBe("Veterinarian");
    const refused = await problemOf(() =>
      vet.admin.users.create({
        ...base,
        username: "vic",
        email: "vic@example.test",
        workRole: "Dosimetrist",
      }),
    );
    expect([refused.code, refused.errors[0]?.path]).toEqual(["VALIDATION_FAILED", "workRole"]);
  });

  it("gives each tenant its own list", async () => {
    const rt = await t.createTenant({ catalogPreset: "radiotherapy" });
    const { workRoles } = await rt.admin.permissions.list();
    expect(workRoles.map((w) => w.name)).toContain("Dosimetrist");
    expect(workRoles.map((w) => w.name)).not.toContain("Veterinarian");
  });
});
