/** Tenant security settings (issue 4 item 12; PRODUCT.md §5): GET/PATCH /api/v1/settings. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CANARY_PASSWORD, problemOf, startTestApp, type TestApp, type TestTenant } from "./harness.ts";
import { auditOf, createRole, createUser } from "./lifecycle-fixtures.ts";

const DEFAULTS = {
  passwordMinLength: 15,
  passwordMinLengthWithMfa: 8,
  passwordHistory: 0,
  lockoutThreshold: 5,
  lockoutMinutes: 15,
  mfaRequired: "off",
  rememberDeviceDays: 30,
  idleTimeoutMinutes: 15,
  absoluteTimeoutHours: 12,
  maxSessionsPerUser: 50,
  adminTypedPasswordsAllowed: true,
  emergencyAccessHours: 4,
  emergencyPermissions: null,
  auditRetentionDays: 2196,
  auditAllPatientDecisions: false,
  scimDefaultRoleId: null,
};

describe(`settings (${process.env.STAFFGATE_TEST_DB ?? "sqlite"})`, () => {
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;
  beforeAll(async () => {
    t = await startTestApp();
    a = await t.createTenant();
    b = await t.createTenant();
  });
  afterAll(() => t.close());

  it("reads the defaults with a version and an ETag", async () => {
    const res = await b.admin.transport.raw("GET", "/api/v1/settings");
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({ ...DEFAULTS, version: expect.any(Number) });
    expect(res.headers.get("etag")).toBe(`"${body.version}"`);
  });

  it.each([
    ["passwordMinLength", 14],
    ["passwordMinLength", 65],
    ["passwordMinLengthWithMfa", 7],
    ["passwordMinLengthWithMfa", 65],
    ["passwordHistory", -1],
    ["passwordHistory", 25],
    ["lockoutThreshold", 0],
    ["lockoutThreshold", 101],
    ["lockoutMinutes", -1],
    ["lockoutMinutes", 1441],
    ["mfaRequired", "sometimes"],
    ["rememberDeviceDays", 31],
    ["rememberDeviceDays", -1],
    ["idleTimeoutMinutes", 0],
    ["idleTimeoutMinutes", 481],
    ["absoluteTimeoutHours", 0],
    ["absoluteTimeoutHours", 25],
    ["maxSessionsPerUser", 0],
    ["maxSessionsPerUser", 101],
    ["adminTypedPasswordsAllowed", "false"],
    ["emergencyAccessHours", 0],
    ["emergencyAccessHours", 25],
    ["emergencyPermissions", []],
    ["emergencyPermissions", "patients.read"],
    ["auditRetentionDays", 2191],
    ["auditAllPatientDecisions", 1],
    ["lockoutThreshold", 5.5],
    ["lockoutThreshold", null],
    ["scimDefaultRoleId", 7],
  ])("refuses %s = %j, naming the field", async (field, value) => {
    const p = await problemOf(() => a.admin.settings.update({ [field]: value } as never));
    expect(p.status).toBe(400);
    expect(p.code).toBe("VALIDATION_FAILED");
    expect(p.errors.map((e) => e.path)).toEqual([field]);
  });

  it("takes one of the tenant's roles as the default role of provisioned users, never another tenant's", async () => {
    const roles = await a.admin.roles.list();
    const viewer = roles.items.find((r) => r.name === "Viewer")!;
    const other = (await b.admin.roles.list()).items.find((r) => r.name === "Viewer")!;
    const before = await a.admin.settings.get();
    for (const id of [other.id, "rol_missing"]) {
      const p = await problemOf(() => a.admin.settings.update({ scimDefaultRoleId: id }));
      expect(p.status).toBe(400);
      expect(p.errors.map((e) => e.path)).toEqual(["scimDefaultRoleId"]);
    }
    expect((await a.admin.settings.get()).version).toBe(before.version);
    expect((await a.admin.settings.update({ scimDefaultRoleId: viewer.id })).scimDefaultRoleId).toBe(
      viewer.id,
    );
    expect((await a.admin.settings.update({ scimDefaultRoleId: null })).scimDefaultRoleId).toBeNull();
  });

  it("takes as the provisioning default only a role the setter could give by hand (403 naming the field)", async () => {
    const roles = (await a.admin.roles.list()).items;
    const administrator = roles.find((r) => r.name === "Administrator")!;
    const viewer = roles.find((r) => r.name === "Viewer")!;
    const settingsOnly = await createUser(t, a, {
      roleId: await createRole(a, ["settings.manage", "users.view", ...viewer.permissions]),
    });
    const before = await a.admin.settings.get();
    const p = await problemOf(() =>
      settingsOnly.client.settings.update({ scimDefaultRoleId: administrator.id }),
    );
    expect([p.status, p.code, p.errors[0]?.path]).toEqual([403, "PRIVILEGE_ESCALATION", "scimDefaultRoleId"]);
    expect((await a.admin.settings.get()).version).toBe(before.version);
    const ok = await settingsOnly.client.settings.update({ scimDefaultRoleId: viewer.id });
    expect(ok.scimDefaultRoleId).toBe(viewer.id);
    // Set by someone who holds it, it stays while a limited setter saves other fields.
    await a.admin.settings.update({ scimDefaultRoleId: administrator.id });
    const fresh = await settingsOnly.client.settings.get();
    await settingsOnly.client.settings.update({ ...fresh, lockoutThreshold: fresh.lockoutThreshold });
    await a.admin.settings.update({ scimDefaultRoleId: null });
    // Its session would be counted by the MFA requirement's confinement in the tests below.
    await a.admin.userActions.deactivate(settingsOnly.user.id);
  });

  it("tells every signed-in person the practice's rules the console states, through /auth/me", async () => {
    const staff = await createUser(t, b, { roleId: await createRole(b, ["patients.read"]) });
    expect((await staff.client.auth.me()).practice).toEqual({
      adminTypedPasswordsAllowed: DEFAULTS.adminTypedPasswordsAllowed,
      emergencyAccessHours: DEFAULTS.emergencyAccessHours,
      rememberDeviceDays: DEFAULTS.rememberDeviceDays,
    });
    await b.admin.settings.update({
      adminTypedPasswordsAllowed: false,
      emergencyAccessHours: 2,
      rememberDeviceDays: 7,
    });
    try {
      expect((await staff.client.auth.me()).practice).toEqual({
        adminTypedPasswordsAllowed: false,
        emergencyAccessHours: 2,
        rememberDeviceDays: 7,
      });
    } finally {
      await b.admin.settings.update({
        adminTypedPasswordsAllowed: DEFAULTS.adminTypedPasswordsAllowed,
        emergencyAccessHours: DEFAULTS.emergencyAccessHours,
        rememberDeviceDays: DEFAULTS.rememberDeviceDays,
      });
    }
  });

  it("says the bounds in words (the floor a tenant may only tighten)", async () => {
    const low = await problemOf(() => a.admin.settings.update({ passwordMinLength: 14 }));
    expect(low.errors[0]?.message).toMatch(/at least 15: .*NIST 800-63B.*may only raise/);
    const high = await problemOf(() => a.admin.settings.update({ idleTimeoutMinutes: 481 }));
    expect(high.errors[0]?.message).toBe("must be at most 480");
    // A lower threshold is the stricter one: its floor says no more than the number.
    const none = await problemOf(() => a.admin.settings.update({ lockoutThreshold: 0 }));
    expect(none.errors[0]?.message).toBe("must be at least 1");
    const long = await problemOf(() => a.admin.settings.update({ lockoutMinutes: 1441 }));
    expect(long.errors[0]?.message).toBe("must be at most 1,440");
    const half = await problemOf(() => a.admin.settings.update({ lockoutThreshold: 5.5 }));
    expect(half.errors[0]?.message).toBe("must be a whole number from 1 to 100");
  });

  it("refuses unknown fields", async () => {
    for (const body of [{ minPasswordLength: 20 }, { tenantId: b.id }]) {
      const p = await problemOf(() => a.admin.settings.update(body as never));
      expect(p.code).toBe("VALIDATION_FAILED");
      expect(p.errors[0]?.path).toBe(Object.keys(body)[0]);
    }
  });

  it("takes back the object GET gave with a field changed; its version is checked as If-Match is", async () => {
    const read = await a.admin.settings.get();
    const changed = await a.admin.settings.update({ ...read, lockoutMinutes: read.lockoutMinutes + 1 });
    expect(changed).toMatchObject({ lockoutMinutes: read.lockoutMinutes + 1, version: read.version + 1 });
    // The same object again names a version that is gone: 412, nothing changed.
    const stale = await problemOf(() => a.admin.settings.update({ ...read, lockoutMinutes: 1 }));
    expect([stale.status, stale.code]).toEqual([412, "PRECONDITION_FAILED"]);
    const disagree = await problemOf(() =>
      a.admin.settings.update({ version: changed.version, lockoutMinutes: 2 }, { ifMatch: read.version }),
    );
    expect([disagree.status, disagree.code]).toEqual([412, "PRECONDITION_FAILED"]);
    expect(await a.admin.settings.get()).toEqual(changed);
    await a.admin.settings.update({ lockoutMinutes: read.lockoutMinutes });
  });

  it("accepts the floors and the extremes: a tenant may only tighten", async () => {
    const before = await a.admin.settings.get();
    const edge = await a.admin.settings.update({
      passwordMinLength: 15,
      passwordMinLengthWithMfa: 8,
      lockoutThreshold: 100,
      lockoutMinutes: 0,
      rememberDeviceDays: 0,
      auditRetentionDays: 2192,
    });
    expect(edge).toMatchObject({ lockoutThreshold: 100, lockoutMinutes: 0, auditRetentionDays: 2192 });
    const tight = await a.admin.settings.update({ passwordMinLength: 64, passwordMinLengthWithMfa: 64 });
    expect(tight.version).toBeGreaterThan(before.version);
    // Put the defaults back for the other cases.
    await a.admin.settings.update({
      passwordMinLength: 15,
      passwordMinLengthWithMfa: 8,
      lockoutThreshold: 5,
      lockoutMinutes: 15,
      rememberDeviceDays: 30,
      auditRetentionDays: 2196,
    });
  });

  it("applies the new password minimum to the next password set", async () => {
    await a.admin.settings.update({ passwordMinLength: 20 });
    try {
      const roleId = await createRole(a, ["users.view"]);
      const p = await problemOf(() =>
        a.admin.users.create({
          username: "shortpw",
          email: "shortpw@example.org",
          firstName: "Sam",
          lastName: "Short",
          roleId,
          password: "nineteen-chars-long",
        } as never),
      );
      expect(p.code).toBe("VALIDATION_FAILED");
      expect(p.errors[0]).toMatchObject({ path: "password", message: expect.stringMatching(/at least 20/) });
    } finally {
      await a.admin.settings.update({ passwordMinLength: 15 });
    }
  });

  it("bumps the version only on a real change, and answers 412 to a stale If-Match", async () => {
    const s = await a.admin.settings.get();
    const same = await a.admin.settings.update(
      { lockoutThreshold: s.lockoutThreshold },
      { ifMatch: s.version },
    );
    expect(same.version).toBe(s.version);
    const changed = await a.admin.settings.update({ lockoutThreshold: 7 }, { ifMatch: s.version });
    expect(changed.version).toBe(s.version + 1);
    const stale = await problemOf(() =>
      a.admin.settings.update({ lockoutThreshold: 9 }, { ifMatch: s.version }),
    );
    expect(stale.status).toBe(412);
    expect(stale.code).toBe("PRECONDITION_FAILED");
    expect((await a.admin.settings.get()).lockoutThreshold).toBe(7);
    await a.admin.settings.update({ lockoutThreshold: 5 }, { ifMatch: changed.version });
  });

  it("audits settings.updated with the before and after of each changed field only", async () => {
    await a.admin.settings.update({ idleTimeoutMinutes: 15, mfaRequired: "off" });
    await a.admin.settings.update({
      idleTimeoutMinutes: 30,
      mfaRequired: "patient_access",
      lockoutMinutes: 15,
    });
    const events = (await auditOf(t, a, a.id)).filter((e) => e.action === "settings.updated");
    const last = events.at(-1)!;
    expect(last.changes).toEqual({
      idleTimeoutMinutes: { before: 15, after: 30 },
      mfaRequired: { before: "off", after: "patient_access" },
    });
    expect(last).toMatchObject({ actor_type: "user", actor_id: a.adminUserId, target_label: a.slug });
    await a.admin.settings.update({ idleTimeoutMinutes: 15, mfaRequired: "off" });
  });

  it("narrows the emergency permission set, never widens it, and elevations grant only that set", async () => {
    const wide = await problemOf(() =>
      a.admin.settings.update({ emergencyPermissions: ["patients.read", "users.manage"] }),
    );
    expect(wide.status).toBe(400);
    expect(wide.errors.map((e) => e.path)).toEqual(["emergencyPermissions.1"]);
    expect((await a.admin.settings.get()).emergencyPermissions).toBeNull();
    await a.admin.settings.update({ emergencyPermissions: ["patients.read", "patients.read"] });
    expect((await a.admin.settings.get()).emergencyPermissions).toEqual(["patients.read"]);
    const last = (await auditOf(t, a, a.id)).filter((e) => e.action === "settings.updated").at(-1);
    expect(last!.changes).toMatchObject({ emergencyPermissions: { before: null, after: ["patients.read"] } });
    try {
      const user = await createUser(t, a, { roleId: await createRole(a, ["emergency_access.use"]) });
      const opened = await user.client.emergencyAccess.open({
        reason: "Patient collapsed in the waiting room",
        password: CANARY_PASSWORD,
        patientRef: "mrn-narrow",
      } as never);
      const listed = (await a.admin.emergencyAccess.list({ status: "open" })).items.find(
        (e) => e.id === opened.id,
      );
      expect(listed?.permissions).toEqual(["patients.read"]);
      const ask = (permission: string) =>
        a.admin.access.check({ userId: user.user.id, permission, patientRef: "mrn-narrow" });
      expect((await ask("patients.read")).reason.code).toBe("EMERGENCY_ACCESS");
      expect((await ask("patients.write")).allowed).toBe(false);
    } finally {
      await a.admin.settings.update({ emergencyPermissions: null });
    }
    expect((await a.admin.settings.get()).emergencyPermissions).toBeNull();
  });

  it("leaves another tenant's settings untouched", async () => {
    const bBefore = await b.admin.settings.get();
    await a.admin.settings.update({ emergencyAccessHours: 2 });
    expect(await b.admin.settings.get()).toEqual(bBefore);
    expect((await a.admin.settings.get()).emergencyAccessHours).toBe(2);
    await a.admin.settings.update({ emergencyAccessHours: 4 });
  });

  it("needs settings.manage to read and to change", async () => {
    const roleId = await createRole(a, ["users.view"]);
    const { client } = await createUser(t, a, { roleId });
    expect((await problemOf(() => client.settings.get())).status).toBe(403);
    expect((await problemOf(() => client.settings.update({ lockoutThreshold: 10 }))).status).toBe(403);
    expect((await a.admin.settings.get()).lockoutThreshold).toBe(5);
  });

  it("is seen by the next sign-in and the next decision on the same app", async () => {
    await a.admin.settings.update({ absoluteTimeoutHours: 2 });
    const now = t.clock.now().getTime();
    const { expiresAt } = await t.anonymous.auth.login({
      tenant: a.slug,
      login: "admin",
      password: a.password,
    });
    expect(Date.parse(expiresAt) - now).toBe(2 * 3_600_000);
    await a.admin.settings.update({ absoluteTimeoutHours: 12 });

    const roleId = await createRole(a, ["patients.read"]);
    const { user } = await createUser(t, a, { roleId });
    const decisions = async () =>
      (await auditOf(t, a, user.id)).filter((e) => e.action === "access.decision").length;
    // Warm the decision cache with the setting off: nothing is recorded.
    await a.admin.access.check({ userId: user.id, permission: "patients.read", patientRef: "P-1" });
    expect(await decisions()).toBe(0);
    await a.admin.settings.update({ auditAllPatientDecisions: true });
    await a.admin.access.check({ userId: user.id, permission: "patients.read", patientRef: "P-1" });
    expect(await decisions()).toBe(1);
    await a.admin.settings.update({ auditAllPatientDecisions: false });
    await a.admin.access.check({ userId: user.id, permission: "patients.read", patientRef: "P-1" });
    expect(await decisions()).toBe(1);
  });
});
