/**
 * SECURITY.md A-2 (ASVS 6.1.2 / 6.2.11): the context words a password may not be built from
 * include role names, on every path that sets one: a tenant's first administrator, a new user, an
 * administrator's typed password, one's own change, a reset link.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CANARY_PASSWORD, problemOf, startTestApp, type TestApp, type TestTenant } from "./harness.ts";
import { createUser, roleIdByName } from "./lifecycle-fixtures.ts";

describe(`passwords built from role names (${process.env.STAFFGATE_TEST_DB ?? "sqlite"})`, () => {
  let t: TestApp;
  let a: TestTenant;

  beforeAll(async () => {
    t = await startTestApp();
    a = await t.createTenant({ catalogPreset: "radiotherapy" });
  });
  afterAll(() => t?.close());

  const refused = async (call: () => Promise<unknown>, path: string) => {
    const p = await problemOf(call);
    expect([p.status, p.code, p.errors[0]?.path, p.problem.passwordProblem]).toEqual([
      400,
      "VALIDATION_FAILED",
      path,
      "CONTEXT",
    ]);
    expect(p.errors[0]?.message).toMatch(/role/);
  };

  it("refuses the tenant's role names, its work roles and a role it created, wherever a password is set", async () => {
    const { user, client } = await createUser(t, a);
    await refused(
      () => a.admin.credentials.setUserPassword(user.id, { password: "Administrator-Administrator" }),
      "password",
    );
    await refused(
      () => a.admin.credentials.setUserPassword(user.id, { password: "Dosimetrist-2024-2024!" }),
      "password",
    );
    // "Radiation Therapist" is one of the radiotherapy catalogue's work roles.
    await refused(
      () =>
        client.credentials.changePassword({
          currentPassword: CANARY_PASSWORD,
          newPassword: "therapist-radiation-77",
        }),
      "newPassword",
    );
    await a.admin.roles.create({ name: "Night Triage", permissions: [] });
    await refused(
      () =>
        a.admin.users.create({
          username: "nora",
          email: "nora@example.org",
          firstName: "Nora",
          lastName: "Quist",
          roleId: user.roleId,
          password: "night-triage-night-triage",
          mustChangePassword: false,
        } as never),
      "password",
    );
    // The same passwords are fine where no such role exists.
    const b = await t.createTenant({ catalogPreset: "veterinary" });
    const other = await createUser(t, b, { roleId: await roleIdByName(t, b, "Administrator") });
    await b.admin.credentials.setUserPassword(other.user.id, { password: "night-triage-night-triage" });
  });

  it("refuses a first administrator's password built from the catalogue's role names", async () => {
    await refused(
      () =>
        t.operator.tenants.create({
          slug: "rolewords",
          name: "Role Words",
          catalogPreset: "radiotherapy",
          admin: {
            username: "boss",
            email: "boss@rolewords.example",
            firstName: "Bo",
            lastName: "Ss",
            password: "Physicist-Physicist-1",
          },
        }),
      "admin.password",
    );
  });
});
