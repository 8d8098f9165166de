/**
 * A person's own change that was authenticated before an administrator cut the person off
 * (deactivated, or took the permission away) while the password was being checked: it must not
 * commit afterwards, nor come back into force when the account is reactivated (race audit,
 * 2026-12-06). The password check is held open, as a slow hash would hold it.
 */
import type { Staffgate } from "@staffgate/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CANARY_PASSWORD, problemOf, startTestApp, type TestApp, type TestTenant } from "./harness.ts";
import { whileCheckHeld } from "./held-check.ts";
import { auditOf, createRole, createUser } from "./lifecycle-fixtures.ts";

describe(`own changes racing a deactivation (${process.env.STAFFGATE_TEST_DB ?? "sqlite"})`, () => {
  let t: TestApp;
  let a: TestTenant;
  let useRole: string;
  let viewRole: string;

  beforeAll(async () => {
    t = await startTestApp();
    a = await t.createTenant();
    useRole = await createRole(a, ["emergency_access.use", "patients.read"]);
    viewRole = await createRole(a, ["users.view"]);
  });
  afterAll(() => t?.close());

  const openElevation = (who: Staffgate, patientRef: string) =>
    who.emergencyAccess.open({ reason: "ward emergency", password: CANARY_PASSWORD, patientRef });

  it("an emergency elevation is refused when its opener was deactivated meanwhile, and stays absent after reactivation", async () => {
    const clinician = await createUser(t, a, { roleId: useRole });
    const outcome = await whileCheckHeld(
      t,
      () => openElevation(clinician.client, "PT-RACE-1"),
      () => a.admin.userActions.deactivate(clinician.user.id),
    );
    expect(outcome).toBe("401 UNAUTHENTICATED");
    await a.admin.userActions.reactivate(clinician.user.id);
    expect((await a.admin.emergencyAccess.list({ status: "open" })).items).toEqual([]);
    const events = await auditOf(t, a, clinician.user.id);
    expect(events.filter((e) => e.action === "emergency_access.opened" && e.outcome === "success")).toEqual(
      [],
    );
  });

  it("an emergency elevation is refused when its opener lost emergency_access.use meanwhile", async () => {
    const clinician = await createUser(t, a, { roleId: useRole });
    const outcome = await whileCheckHeld(
      t,
      () => openElevation(clinician.client, "PT-RACE-2"),
      () => a.admin.users.update(clinician.user.id, { roleId: viewRole }),
    );
    expect(outcome).toBe("403 FORBIDDEN");
    expect((await a.admin.emergencyAccess.list({ status: "open" })).items).toEqual([]);
  });

  it("a password change is refused when its maker was deactivated meanwhile: the old password still signs in after reactivation", async () => {
    const { user, client } = await createUser(t, a, { roleId: viewRole });
    const outcome = await whileCheckHeld(
      t,
      () =>
        client.credentials.changePassword({
          currentPassword: CANARY_PASSWORD,
          newPassword: "a-new-harbour-lantern-73",
        }),
      () => a.admin.userActions.deactivate(user.id),
    );
    expect(outcome).toBe("401 UNAUTHENTICATED");
    await a.admin.userActions.reactivate(user.id);
    await expect(t.signIn(a.slug, user.username)).resolves.toBeDefined();
    const refused = await problemOf(() =>
      t.anonymous.auth.login({ tenant: a.slug, login: user.username, password: "a-new-harbour-lantern-73" }),
    );
    expect(refused.code).toBe("INVALID_CREDENTIALS");
  });
});
