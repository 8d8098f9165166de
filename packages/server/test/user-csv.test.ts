/** CSV import (match on email: update or create; dry run; all or nothing) and export of users. */
import type { StaffgateError } from "@staffgate/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { problemOf, startTestApp, TEST_DB, type TestApp, type TestTenant } from "./harness.ts";
import { createRole, createUser, roleIdByName } from "./lifecycle-fixtures.ts";

const HEADER = "username,email,firstName,lastName,role,workspaces,title";

describe(`users as CSV (${TEST_DB})`, () => {
  let t: TestApp;
  let a: TestTenant;
  let ward: string;
  const count = async (tenantId: string) =>
    Number(
      (
        await t.db.kysely
          .selectFrom("users")
          .select((eb) => eb.fn.countAll().as("n"))
          .where("tenant_id", "=", tenantId)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const byEmail = async (email: string) =>
    (await a.admin.users.list({ status: "all", q: email })).items.find((u) => u.email === email);

  beforeAll(async () => {
    t = await startTestApp();
    a = await t.createTenant();
    ward = (await a.admin.workspaces.create({ slug: "ward-7", name: "Ward 7" })).id;
  });
  afterAll(() => t.close());

  it("a dry run reports what would happen, row by row, and writes nothing", async () => {
    const { user } = await createUser(t, a);
    const before = await count(a.id);
    const csv = [
      HEADER,
      `nurse.kim,kim@example.org,Kim,Lee,Viewer,ward-7,RN`,
      `,${user.email.toUpperCase()},,,,,Charge nurse`,
    ].join("\n");
    const report = await a.admin.users.import({ csv, dryRun: true });
    expect(report).toMatchObject({
      dryRun: true,
      applied: false,
      created: 1,
      updated: 1,
      unchanged: 0,
      failed: 0,
    });
    expect(report.rows).toEqual([
      { line: 2, email: "kim@example.org", action: "create", userId: null, errors: [] },
      { line: 3, email: user.email.toUpperCase(), action: "update", userId: user.id, errors: [] },
    ]);
    expect(await count(a.id)).toBe(before);
    expect((await a.admin.users.get(user.id)).title).toBeNull();
    expect(
      await t.db.kysely
        .selectFrom("outbox")
        .where("to_address", "=", "kim@example.org")
        .selectAll()
        .execute(),
    ).toEqual([]);
  });

  it("imports: creates invited users, updates matched ones with their non-blank cells, and audits it", async () => {
    const { user } = await createUser(t, a);
    const csv = [
      HEADER,
      `nurse.kim,kim@example.org,Kim,Lee,viewer,ward-7,RN`,
      `,${user.email},,,,,Charge nurse`,
      `,${(await createUser(t, a)).user.email},,,,,`,
    ].join("\r\n");
    const report = await a.admin.users.import({ csv });
    expect(report).toMatchObject({
      dryRun: false,
      applied: true,
      created: 1,
      updated: 1,
      unchanged: 1,
      failed: 0,
    });
    const kim = await byEmail("kim@example.org");
    expect(kim).toMatchObject({
      username: "nurse.kim",
      status: "invited",
      roleId: await roleIdByName(t, a, "Viewer"),
      workspaceAccess: [ward],
      title: "RN",
    });
    expect(report.rows[0]!.userId).toBe(kim!.id);
    const updated = await a.admin.users.get(user.id);
    expect(updated).toMatchObject({ title: "Charge nurse", firstName: user.firstName, roleId: user.roleId });
    const invitation = await t.db.kysely
      .selectFrom("outbox")
      .select("kind")
      .where("to_address", "=", "kim@example.org")
      .execute();
    expect(invitation).toEqual([{ kind: "user.invitation" }]);
    const [event] = (await a.admin.audit.list({ action: "users.imported", limit: 1 })).items;
    expect(event?.changes).toEqual({ created: { after: 1 }, updated: { after: 1 }, unchanged: { after: 1 } });
    expect((await a.admin.audit.list({ action: "user.created", targetId: kim!.id })).items).toHaveLength(1);
  });

  it("writes nothing when any row is bad, and names each row's column and problem (422)", async () => {
    const before = await count(a.id);
    const csv = [
      HEADER,
      `good.one,good.one@example.org,Good,One,Viewer,all,`,
      `bad.role,bad.role@example.org,Bad,Role,No Such Role,all,`,
      `bad.ws,bad.ws@example.org,Bad,Ws,Viewer,ward-99,`,
      `,missing@example.org,Missing,Username,Viewer,all,`,
      `twice,good.one@example.org,Twice,Again,Viewer,all,`,
      `noemail,,No,Email,Viewer,all,`,
    ].join("\n");
    const p = await problemOf(() => a.admin.users.import({ csv }));
    expect([p.status, p.code]).toEqual([422, "USER_IMPORT_INVALID"]);
    expect(p.errors).toEqual(
      expect.arrayContaining([
        { path: "csv.3.role", message: 'no role named "No Such Role"' },
        { path: "csv.4.workspaces", message: 'no workspace "ward-99"' },
        expect.objectContaining({ path: "csv.5.username" }),
        { path: "csv.6.email", message: "repeats line 2" },
        { path: "csv.7.email", message: "is required: rows are matched on email" },
      ]),
    );
    const report = (p as StaffgateError).problem.report as { failed: number; rows: { action: string }[] };
    expect(report.failed).toBe(5);
    expect(report.rows[0]!.action).toBe("create");
    expect(await count(a.id)).toBe(before);
    expect(await byEmail("good.one@example.org")).toBeUndefined();
  });

  it("applies the API's rules: nobody grants a role they do not hold", async () => {
    const limited = await createUser(t, a, { roleId: await createRole(a, ["users.view", "users.manage"]) });
    const csv = [HEADER, `escalate,escalate@example.org,Es,Calate,Administrator,all,`].join("\n");
    const report = await limited.client.users.import({ csv, dryRun: true });
    expect(report.failed).toBe(1);
    expect(report.rows[0]!.errors[0]).toMatchObject({ column: "role" });
    expect(report.rows[0]!.errors[0]!.message).toMatch(/hold|grant/i);
  });

  it("refuses a malformed file, an unknown column and a file without an email column (400 naming csv)", async () => {
    for (const csv of [
      'username,email\n"unclosed,x@example.org',
      "username,email,shoeSize\na,b@example.org,42",
      "username\nalice",
    ]) {
      const p = await problemOf(() => a.admin.users.import({ csv }));
      expect([p.status, p.code, p.errors[0]?.path], csv).toEqual([400, "VALIDATION_FAILED", "csv"]);
    }
  });

  it("exports the matching users as CSV that imports back unchanged, and audits the export", async () => {
    // A phone starts with "+", which the export protects from spreadsheets; an archived user and a
    // user holding more than the importer are in the file too.
    const { user: phoned } = await createUser(t, a);
    await a.admin.users.update(phoned.id, { phone: "+44 20 7946 0958" });
    const { user: gone } = await createUser(t, a);
    await a.admin.userActions.archive(gone.id);
    const csv = await a.admin.users.export({ status: "all" });
    expect(csv).toContain(",'+442079460958,");
    const lines = csv.trimEnd().split("\r\n");
    expect(lines[0]).toBe(
      "username,email,firstName,lastName,initials,phone,workRole,professionalId,prescriberId,qualifications,areasOfExpertise,employeeNumber,title,role,workspaces,expiresAt,id,status,locked,mfaEnrolled,lastLoginAt,createdAt",
    );
    const kim = lines.find((l) => l.startsWith("nurse.kim,"));
    expect(kim).toContain(",RN,Viewer,ward-7,");
    expect(lines).toHaveLength(1 + (await a.admin.users.list({ status: "all", limit: 200 })).items.length);
    const again = await a.admin.users.import({ csv, dryRun: true });
    expect(again.rows.filter((r) => r.action !== "unchanged")).toEqual([]);
    const limited = await createUser(t, a, { roleId: await createRole(a, ["users.view", "users.manage"]) });
    const byLimited = await limited.client.users.import({ csv, dryRun: true });
    expect(byLimited.rows.filter((r) => r.action !== "unchanged")).toEqual([]);
    const [event] = (await a.admin.audit.list({ action: "users.exported", limit: 1 })).items;
    expect(event?.changes).toEqual({ status: { after: "all" }, sort: { after: "name" } });
  });

  it("exports a private role as [Private role], which imports back as is and gives nobody a private role", async () => {
    const { user } = await createUser(t, a, { roleId: await roleIdByName(t, a, "Viewer") });
    await a.admin.userActions.setPermissions(user.id, {
      permissions: ["patients.read"],
      collaborator: false,
      workspaces: [],
    });
    const csv = await a.admin.users.export({ q: user.username });
    const line = csv
      .trimEnd()
      .split("\r\n")
      .find((l) => l.startsWith(`${user.username},`))!;
    expect(line.split(",")[13]).toBe("[Private role]");
    const again = await a.admin.users.import({ csv, dryRun: true });
    expect(again.rows.map((r) => r.action)).toEqual(["unchanged"]);
    const formal = (await createUser(t, a, { roleId: await roleIdByName(t, a, "Viewer") })).user;
    const p = await problemOf(() =>
      a.admin.users.import({
        csv: [
          HEADER,
          "priv.new,priv.new@example.org,Priv,New,[Private role],all,",
          `${formal.username},${formal.email},${formal.firstName},${formal.lastName},[private ROLE],all,`,
        ].join("\n"),
      }),
    );
    expect(p.errors.map((e) => e.path)).toEqual(["csv.2.role", "csv.3.role"]);
    expect(p.errors[0]?.message).toMatch(/only keeps a user's private role/);
    expect((await a.admin.users.get(formal.id)).privateRole).toBe(false);
    expect((await a.admin.users.get(user.id)).privateRole).toBe(true);
  });

  it("keeps tenants apart: another tenant's user with the same email is created, not updated", async () => {
    const b = await t.createTenant();
    const { user } = await createUser(t, b);
    const report = await a.admin.users.import({
      csv: [HEADER, `twin,${user.email},Twin,User,Viewer,all,`].join("\n"),
      dryRun: true,
    });
    expect(report.rows[0]).toMatchObject({ action: "create", userId: null });
    expect(await a.admin.users.export({ status: "all" })).not.toContain(user.email);
  });
});
