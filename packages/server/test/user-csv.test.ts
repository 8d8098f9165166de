/** CSV import (match on email: update or create; dry run; all or nothing) and export of users. */
import type { ImportUsersResponse } from "@staffgate/contract";
import type { StaffgateError } from "@staffgate/sdk";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { problemOf, startTestApp, TEST_DB, type TestApp, type TestTenant } from "./harness.ts";
import { createRole, createUser, inviteUser, roleIdByName } from "./lifecycle-fixtures.ts";

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

  it("lets other requests in between an import's rows and an export's pages (SQLite runs them on this thread)", async () => {
    const c = await t.createTenant();
    const rows = Array.from(
      { length: 450 },
      (_, i) => `staff.${i},staff.${i}@example.org,S,${i},Viewer,all,`,
    );
    let turns = 0;
    let counting = true;
    const tick = () => {
      turns += 1;
      if (counting) setImmediate(tick);
    };
    const during = async (work: Promise<unknown>) => {
      turns = 0;
      counting = true;
      setImmediate(tick);
      await work;
      counting = false;
      return turns;
    };
    expect(await during(c.admin.users.import({ csv: [HEADER, ...rows].join("\n") }))).toBeGreaterThanOrEqual(
      400,
    );
    // Three pages of 200 users: the loop turns between them.
    expect(await during(c.admin.users.export({ status: "all" }))).toBeGreaterThanOrEqual(3);
  });

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
      await t.db.allTenants
        .selectFrom("outbox")
        .where("to_address", "=", "kim@example.org")
        .selectAll()
        .execute(),
    ).toEqual([]);
  });

  it("answers 200 with the report, dry run or not: an import is no one resource created", async () => {
    const csv = `${HEADER}\nimport.status,import.status@example.org,Ida,Status,Viewer,,\n`;
    for (const dryRun of [true, false]) {
      const res = await a.admin.transport.raw("POST", "/api/v1/users/import", { body: { csv, dryRun } });
      expect({ dryRun, status: res.status }).toEqual({ dryRun, status: 200 });
      expect(res.headers.get("location")).toBeNull();
    }
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
    const invitation = await t.db.allTenants
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

  it("audits rows refused for what the importer may not do, dry run or not, as the API's refusals are", async () => {
    const limitedRole = await createRole(a, ["users.view", "users.manage"]);
    const limited = await createUser(t, a, { roleId: limitedRole });
    const denied = async () =>
      (
        await t.db.kysely
          .selectFrom("audit_events")
          .select(["actor_id", "outcome", "target_label", "changes"])
          .where("tenant_id", "=", a.id)
          .where("action", "=", "authz.failed")
          .where("actor_id", "=", limited.user.id)
          .orderBy("seq")
          .execute()
      ).map((e) => ({ ...e, changes: JSON.parse(e.changes!) as Record<string, { after: unknown }> }));
    const adminEmail = (await a.admin.auth.me()).user.email;
    const csv = [
      "email,firstName,lastName,role,status",
      "climber@example.org,Clim,Ber,Administrator,",
      `${limited.user.email},,,Viewer,`,
      `${adminEmail},,,,inactive`,
      // A role the importer holds: this row alone would be imported.
      `plain@example.org,Plain,Row,${limitedRole},`,
    ].join("\n");
    expect((await limited.client.users.import({ csv, dryRun: true })).failed).toBe(3);
    const real = await problemOf(() => limited.client.users.import({ csv }));
    expect(real.code).toBe("USER_IMPORT_INVALID");
    const events = await denied();
    expect(events).toHaveLength(2);
    for (const e of events) {
      expect(e).toMatchObject({ outcome: "denied", target_label: "POST /api/v1/users/import" });
      expect(e.changes.rows!.after).toEqual([
        "2 PRIVILEGE_ESCALATION",
        "3 SELF_ROLE_CHANGE",
        "4 PRIVILEGE_ESCALATION",
      ]);
      expect(e.changes.code!.after).toBe("PRIVILEGE_ESCALATION");
    }
    // A file with nothing but mistakes is no refusal of what the importer may do.
    await limited.client.users.import({ csv: "email,role\nnobody@example.org,No such role\n", dryRun: true });
    expect(await denied()).toHaveLength(2);
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
      "username,email,firstName,lastName,initials,phone,workRole,professionalId,prescriberId,qualifications,areasOfExpertise,employeeNumber,title,role,workspaces,workspaceRoles,expiresAt,status,id,virtual,locked,mfaEnrolled,lastLoginAt,createdAt",
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

  /** The row errors of a dry run and of the real import (422), which must say the same. */
  async function bothReports(client: TestTenant["admin"], csv: string) {
    const dry = await client.users.import({ csv, dryRun: true });
    const p = await problemOf(() => client.users.import({ csv }));
    expect([p.status, p.code]).toEqual([422, "USER_IMPORT_INVALID"]);
    const real = (p as StaffgateError).problem.report as ImportUsersResponse;
    expect(real.rows).toEqual(dry.rows);
    return dry.rows.map((r) => r.errors);
  }
  const columns = (errors: readonly { column: string }[]) => errors.map((e) => e.column).sort();

  it("reports every problem of a row at once, each naming its column, in the dry run and the import alike", async () => {
    const { user: taken } = await createUser(t, a);
    const before = await count(a.id);
    const [fields, named, twice, again] = await bothReports(
      a.admin,
      [
        "email,firstName,lastName,username,role,phone,workRole,professionalId,expiresAt",
        "me3@x.example,A,B,me3,Viewer,12345,Wizard,X1,",
        "me4@x.example,,,me4,No Such Role,12,Nurse,,2020-01-01T00:00:00Z",
        `me5@x.example,C,D,${taken.username.toUpperCase()},Viewer,,,,`,
        "me6@x.example,E,F,me4,Viewer,,,,not-a-date",
      ].join("\n"),
    );
    expect(columns(fields!)).toEqual(["phone", "professionalId", "workRole"]);
    expect(fields!.find((e) => e.column === "workRole")?.message).toMatch(/^"Wizard" is not one of/);
    expect(fields!.find((e) => e.column === "professionalId")?.message).toMatch(/Radiation Oncologist/);
    expect(columns(named!)).toEqual(["expiresAt", "firstName", "lastName", "phone", "role"]);
    expect(named!.find((e) => e.column === "firstName")?.message).toBe("is required for a new user");
    expect(twice).toEqual([
      {
        column: "username",
        message: `"${taken.username.toUpperCase()}" is already used by another user (archived users included)`,
      },
    ]);
    // Line 3 has an error, yet its username is still claimed within the file.
    expect(columns(again!)).toEqual(["expiresAt", "username"]);
    expect(again!.find((e) => e.column === "username")?.message).toBe('"me4" is also on line 3 of this file');
    expect(await count(a.id)).toBe(before);
  });

  it("reads ProKnow's file (e-mail, name, role, active): names split, usernames from emails, active as status", async () => {
    const { user: known } = await createUser(t, a);
    const csv = [
      "E-mail,Name,Role,Active",
      "maria.lopez@example.org,Maria de la Cruz Lopez,Viewer,true",
      `${known.email},,,false`,
    ].join("\n");
    const dry = await a.admin.users.import({ csv, dryRun: true });
    expect(dry.rows.map((r) => [r.action, r.errors])).toEqual([
      ["create", []],
      ["update", []],
    ]);
    await a.admin.users.import({ csv });
    expect(await byEmail("maria.lopez@example.org")).toMatchObject({
      username: "maria.lopez@example.org",
      firstName: "Maria de la Cruz",
      lastName: "Lopez",
      roleId: await roleIdByName(t, a, "Viewer"),
      status: "invited",
    });
    expect((await a.admin.users.get(known.id)).status).toBe("inactive");
    // Both names for one field is one column named twice.
    const twice = await problemOf(() =>
      a.admin.users.import({ csv: "email,name,firstName\nx@example.org,X Y,X\n", dryRun: true }),
    );
    expect(twice.errors[0]).toMatchObject({ path: "csv", message: expect.stringMatching(/twice/) });
  });

  it("reads Prevounce's and the console's column names: User Role is the work role, Role the security role", async () => {
    const csv = [
      "Name,Email,Username,User Role,Role,Employee Number",
      "Noor Haddad,noor.haddad@example.org,nhaddad,Nurse,Viewer,E-1042",
    ].join("\n");
    const dry = await a.admin.users.import({ csv, dryRun: true });
    expect(dry.rows.map((r) => [r.action, r.errors])).toEqual([["create", []]]);
    await a.admin.users.import({ csv });
    expect(await byEmail("noor.haddad@example.org")).toMatchObject({
      username: "nhaddad",
      firstName: "Noor",
      lastName: "Haddad",
      workRole: "Nurse",
      employeeNumber: "E-1042",
      roleId: await roleIdByName(t, a, "Viewer"),
    });
    const [unknown] = await bothReports(
      a.admin,
      "First Name,Last Name,Email,Work Role,Role\nIvo,Petrov,ivo.petrov@example.org,Wizard,Viewer\n",
    );
    expect(unknown).toEqual([
      {
        column: "workRole",
        message: expect.stringMatching(/^"Wizard" is not one of the tenant's work roles/),
      },
    ]);
    // Both names for one field is one column named twice.
    const twice = await problemOf(() =>
      a.admin.users.import({ csv: "email,Work Role,User Role\nx@example.org,Nurse,Nurse\n", dryRun: true }),
    );
    expect(twice.errors[0]).toMatchObject({
      path: "csv",
      message: 'names the column "workRole" twice (as "Work Role" and "User Role")',
    });
  });

  it("names a missing column, a taken username and a refused grant together", async () => {
    const { user: alice } = await createUser(t, a);
    const [missing] = await bothReports(a.admin, `email,username\nnewalice@x.example,${alice.username}\n`);
    expect(missing).toEqual([
      { column: "firstName", message: 'is required for a new user: the file has no "firstName" column' },
      { column: "lastName", message: 'is required for a new user: the file has no "lastName" column' },
      { column: "role", message: 'is required for a new user: the file has no "role" column' },
      {
        column: "username",
        message: `"${alice.username}" is already used by another user (archived users included)`,
      },
    ]);
    const limited = await createUser(t, a, { roleId: await createRole(a, ["users.view", "users.manage"]) });
    const [escalating] = await bothReports(
      limited.client,
      "username,email,firstName,lastName,role,phone\nesc2,esc2@x.example,Es,Two,Administrator,12\n",
    );
    expect(columns(escalating!)).toEqual(["phone", "role"]);
    expect(escalating!.find((e) => e.column === "role")?.message).toMatch(
      /^grants permissions you do not hold/,
    );
  });

  it("says plainly that your own role is not yours to change", async () => {
    const me = await a.admin.auth.me();
    const [own] = await bothReports(a.admin, `email,role,title\n${me.user.email},Viewer,Boss\n`);
    expect(own).toEqual([
      { column: "role", message: "is your own role: another administrator must change it" },
    ]);
  });

  it("refuses a cell that holds U+FFFD (a file decoded with the wrong encoding), naming its column", async () => {
    const [row] = await bothReports(
      a.admin,
      "username,email,firstName,lastName,role,title\njose,jose@x.example,Jos\uFFFD,Garc\uFFFDa,Viewer,Dr\n",
    );
    const message = "contains a character that is not valid text; was the file saved as UTF-8?";
    expect(row).toEqual([
      { column: "firstName", message },
      { column: "lastName", message },
    ]);
  });

  /** An exported line's cell by column name (the lines these tests read hold no quoted cells). */
  function cellOf(csv: string, startsWith: string, column: string): string | undefined {
    const [header, ...lines] = csv.trimEnd().split("\r\n");
    const line = lines.find((l) => l.startsWith(startsWith));
    return line?.split(",")[header!.split(",").indexOf(column)];
  }

  it("exports per-workspace roles and the virtual flag; another tenant's import gives the same roles", async () => {
    const viewer = await roleIdByName(t, a, "Viewer");
    const physicist = await roleIdByName(t, a, "Physicist");
    const dosimetrist = await roleIdByName(t, a, "Dosimetrist");
    const ward8 = (await a.admin.workspaces.create({ slug: "ward-8", name: "Ward 8" })).id;
    const { user } = await createUser(t, a, {
      roleId: viewer,
      extra: {
        workspaceAccess: [ward, ward8],
        workspaceRoles: [
          { workspaceId: ward8, roleId: dosimetrist },
          { workspaceId: ward, roleId: physicist },
        ],
      },
    });
    const robot = await a.admin.users.create({
      username: "robot.scheduler",
      email: "robot.scheduler@x.example",
      firstName: "Robot",
      lastName: "Scheduler",
      roleId: viewer,
      virtual: true,
    });
    const csv = await a.admin.users.export({ status: "all" });
    expect(cellOf(csv, `${user.username},`, "workspaceRoles")).toBe("ward-7=Physicist;ward-8=Dosimetrist");
    expect(cellOf(csv, `${user.username},`, "virtual")).toBe("false");
    expect(cellOf(csv, `${robot.username},`, "virtual")).toBe("true");
    const header = csv.split("\r\n")[0]!;
    const lineOf = (username: string) => csv.split("\r\n").find((l) => l.startsWith(`${username},`))!;

    const b = await t.createTenant();
    const bWard7 = (await b.admin.workspaces.create({ slug: "ward-7", name: "Ward 7" })).id;
    const bWard8 = (await b.admin.workspaces.create({ slug: "ward-8", name: "Ward 8" })).id;
    const report = await b.admin.users.import({ csv: `${header}\r\n${lineOf(user.username)}\r\n` });
    expect(report).toMatchObject({ applied: true, created: 1 });
    const copy = await b.admin.users.get(report.rows[0]!.userId!);
    expect(copy.workspaceRoles).toEqual(
      expect.arrayContaining([
        { workspaceId: bWard7, roleId: await roleIdByName(t, b, "Physicist") },
        { workspaceId: bWard8, roleId: await roleIdByName(t, b, "Dosimetrist") },
      ]),
    );
    expect(copy.workspaceRoles).toHaveLength(2);
    // A file does not make virtual users: the robot's line is refused as a new user.
    const refused = await b.admin.users.import({
      csv: `${header}\r\n${lineOf(robot.username)}\r\n`,
      dryRun: true,
    });
    expect(refused.rows[0]!.errors).toEqual([
      {
        column: "virtual",
        message:
          "a file does not create virtual users (it would invite one): create it in the console or the API",
      },
    ]);
  });

  it("exports a user with no workspace as none, which imports back as none (blank would be every workspace)", async () => {
    const viewer = await roleIdByName(t, a, "Viewer");
    const { user } = await createUser(t, a, { roleId: viewer, extra: { workspaceAccess: [] } });
    // A workspace slugged like a keyword is written by its id.
    const keyword = await a.admin.workspaces.create({ slug: "all", name: "All Saints" });
    const { user: saint } = await createUser(t, a, {
      roleId: viewer,
      extra: { workspaceAccess: [keyword.id] },
    });
    const csv = await a.admin.users.export({ status: "all" });
    expect(cellOf(csv, `${user.username},`, "workspaces")).toBe("none");
    expect(cellOf(csv, `${saint.username},`, "workspaces")).toBe(keyword.id);
    const header = csv.split("\r\n")[0]!;
    const lineOf = (username: string) => csv.split("\r\n").find((l) => l.startsWith(`${username},`))!;
    // Imported unchanged in its own tenant, and as a new user in another.
    expect(await a.admin.users.import({ csv: `${header}\r\n${lineOf(user.username)}\r\n` })).toMatchObject({
      applied: true,
      unchanged: 1,
    });
    const b = await t.createTenant();
    const report = await b.admin.users.import({ csv: `${header}\r\n${lineOf(user.username)}\r\n` });
    expect(report).toMatchObject({ applied: true, created: 1 });
    expect((await b.admin.users.get(report.rows[0]!.userId!)).workspaceAccess).toEqual([]);
    // `;` alone names nothing and is refused rather than read as none or as all.
    const bare = await b.admin.users.import({
      csv: `email,firstName,lastName,role,workspaces\r\nbare@x.example,Bo,Bare,Viewer,;\r\n`,
      dryRun: true,
    });
    expect(bare.rows[0]!.errors).toEqual([
      { column: "workspaces", message: expect.stringMatching(/^names no workspace: write "all", "none"/) },
    ]);
  });

  it("reads workspaceRoles as slug=role pairs with the API's checks; none removes them all", async () => {
    const viewer = await roleIdByName(t, a, "Viewer");
    const { user } = await createUser(t, a, { roleId: viewer });
    const [pairs] = await bothReports(
      a.admin,
      [
        "username,email,firstName,lastName,role,workspaceRoles",
        "wsr1,wsr1@x.example,W,One,Viewer,ward-7;nowhere=Viewer;ward-7=Nobody;ward-7=Viewer;WARD-7=Physicist",
      ].join("\n"),
    );
    expect(pairs).toEqual([
      {
        column: "workspaceRoles",
        message: '"ward-7" is not workspace=role (e.g. ward-a=Physicist;ward-b=Dosimetrist)',
      },
      { column: "workspaceRoles", message: 'no workspace "nowhere"' },
      { column: "workspaceRoles", message: 'no role named "Nobody"' },
      { column: "workspaceRoles", message: 'names workspace "WARD-7" twice: one role per workspace' },
    ]);

    const limited = await createUser(t, a, { roleId: await createRole(a, ["users.view", "users.manage"]) });
    const { user: junior } = await createUser(t, a, { roleId: await createRole(a, ["users.view"]) });
    const [escalating] = await bothReports(
      limited.client,
      `email,workspaceRoles\n${junior.email},ward-7=Administrator\n`,
    );
    expect(escalating).toEqual([
      {
        column: "workspaceRoles",
        message: expect.stringMatching(
          /^ward-7=Administrator grants permissions you do not hold: users\.credentials in ward-7, /,
        ),
      },
    ]);

    const physicist = await roleIdByName(t, a, "Physicist");
    const given = await a.admin.users.import({
      csv: `email,workspaceRoles\n${user.email},ward-7=physicist\n`,
    });
    expect(given.rows[0]!.action).toBe("update");
    expect((await a.admin.users.get(user.id)).workspaceRoles).toEqual([
      { workspaceId: ward, roleId: physicist },
    ]);
    const kept = await a.admin.users.import({ csv: `email,workspaceRoles,title\n${user.email},,Lead\n` });
    expect(kept.rows[0]!.action).toBe("update");
    expect((await a.admin.users.get(user.id)).workspaceRoles).toHaveLength(1);
    const removed = await a.admin.users.import({ csv: `email,workspaceRoles\n${user.email},None\n` });
    expect(removed.rows[0]!.action).toBe("update");
    expect((await a.admin.users.get(user.id)).workspaceRoles).toEqual([]);

    // A role whose name holds the separator is written by id, which an import reads back.
    const odd = await a.admin.roles.create({
      name: "Nights;Weekends",
      permissions: [],
      collaborator: false,
      workspaces: [],
    });
    await a.admin.users.update(user.id, { workspaceRoles: [{ workspaceId: ward, roleId: odd.id }] });
    const csv = await a.admin.users.export({ q: user.username });
    expect(cellOf(csv, `${user.username},`, "workspaceRoles")).toBe(`ward-7=${odd.id}`);
    expect((await a.admin.users.import({ csv, dryRun: true })).rows.map((r) => r.action)).toEqual([
      "unchanged",
    ]);
  });

  it("honours status active and inactive through deactivate and reactivate, ending the user's sessions", async () => {
    const { user, client } = await createUser(t, a, { roleId: await roleIdByName(t, a, "Viewer") });
    const off = await a.admin.users.import({ csv: `email,status\n${user.email},inactive\n` });
    expect(off.rows[0]).toMatchObject({ action: "update", errors: [] });
    expect((await a.admin.users.get(user.id)).status).toBe("inactive");
    expect((await problemOf(() => client.auth.me())).status).toBe(401);
    expect((await a.admin.audit.list({ action: "user.deactivated", targetId: user.id })).items).toHaveLength(
      1,
    );
    const on = await a.admin.users.import({ csv: `email,status\n${user.email},Active\n` });
    expect(on.rows[0]).toMatchObject({ action: "update", errors: [] });
    expect((await a.admin.users.get(user.id)).status).toBe("active");
    expect((await a.admin.audit.list({ action: "user.reactivated", targetId: user.id })).items).toHaveLength(
      1,
    );
    const same = await a.admin.users.import({ csv: `email,status\n${user.email},active\n`, dryRun: true });
    expect(same.rows[0]!.action).toBe("unchanged");

    const created = await a.admin.users.import({
      csv: "username,email,firstName,lastName,role,status\nsleepy,sleepy@x.example,Sl,Eepy,Viewer,inactive\n",
    });
    expect((await a.admin.users.get(created.rows[0]!.userId!)).status).toBe("inactive");
  });

  it("changes an archived user's role as the API does, and names each other column it cannot change", async () => {
    const viewer = await roleIdByName(t, a, "Viewer");
    const other = await roleIdByName(t, a, "Administrator");
    const { user: gone } = await createUser(t, a, { roleId: viewer });
    await a.admin.userActions.archive(gone.id);
    const [mixed] = await bothReports(a.admin, `email,role,firstName\n${gone.email},Administrator,Renamed\n`);
    expect(mixed).toEqual([
      {
        column: "firstName",
        message: "cannot change while the user is archived: restore it in the console or the API first",
      },
    ]);
    expect((await a.admin.users.get(gone.id)).roleId).toBe(viewer);
    await a.admin.users.import({ csv: `email,role\n${gone.email},Administrator\n` });
    expect(await a.admin.users.get(gone.id)).toMatchObject({ status: "archived", roleId: other });
  });

  it("refuses a status a file cannot set, and an id that is not the email's user, instead of ignoring them", async () => {
    const viewer = await roleIdByName(t, a, "Viewer");
    const { user: one } = await createUser(t, a, { roleId: viewer });
    const { user: two } = await createUser(t, a, { roleId: viewer });
    const { user: gone } = await createUser(t, a, { roleId: viewer });
    await a.admin.userActions.archive(gone.id);
    const invitee = await inviteUser(t, a);
    const me = (await a.admin.auth.me()).user;
    const errors = await bothReports(
      a.admin,
      [
        "email,status,id",
        `${one.email},archived,`,
        `${invitee.email},active,`,
        `${gone.email},inactive,`,
        `${two.email},asleep,${one.id}`,
        `${me.email},inactive,`,
        `new.one@x.example,archived,${one.id}`,
      ].join("\n"),
    );
    const missing = (column: string) => ({
      column,
      message: `is required for a new user: the file has no "${column}" column`,
    });
    expect(errors).toEqual([
      [{ column: "status", message: "is not set by a file: archive the user in the console or the API" }],
      [{ column: "status", message: "cannot be set: an invited user becomes active by setting a password" }],
      [{ column: "status", message: "the user is archived: restore it in the console or the API first" }],
      [
        {
          column: "id",
          message: `is ${one.username} (${one.email}), but the email is ${two.username}'s: rows are matched on email, and neither changes`,
        },
        { column: "status", message: '"asleep" is not a status a file can set: active or inactive' },
      ],
      [{ column: "status", message: "is your own account's status: ask another administrator to change it" }],
      [
        // No username column: the new user's would be its email (ProKnow's files have none).
        missing("firstName"),
        missing("lastName"),
        missing("role"),
        {
          column: "id",
          message: `is ${one.username} (${one.email}), not a new user: change an email in the console or the API`,
        },
        { column: "status", message: "a new user cannot be created archived; leave it out of the file" },
      ],
    ]);
    expect((await a.admin.users.get(one.id)).status).toBe("active");
    // An id this tenant does not know (another tenant's export) is no one here: it is ignored.
    const elsewhere = await a.admin.users.import({
      csv: `email,id\n${one.email},usr_fromelsewhere\n`,
      dryRun: true,
    });
    expect(elsewhere.rows[0]).toMatchObject({ action: "unchanged", errors: [] });
  });

  it("round-trips values that start with an apostrophe or a formula character exactly; a typed 't Hart stays", async () => {
    const viewer = await roleIdByName(t, a, "Viewer");
    const odd = fc
      .string({
        unit: fc.constantFrom("'", "=", "+", "-", "@", "a", "7", " ", ",", '"', ";"),
        minLength: 1,
        maxLength: 8,
      })
      .map((v) => v.trim())
      .filter((v) => v !== "");
    const values = [
      ...new Set([
        "'=literal",
        "'t Hart",
        "''",
        "'",
        "=1+2",
        "+44",
        "-",
        ...fc.sample(odd, { numRuns: 40, seed: 7 }),
      ]),
    ];
    for (const [i, value] of values.entries()) {
      await a.admin.users.create({
        username: `apos${i}`,
        email: `apos${i}@apostrophe.example`,
        firstName: "Apo",
        lastName: value,
        roleId: viewer,
        employeeNumber: value,
      });
    }
    const csv = await a.admin.users.export({ status: "all", q: "apostrophe.example" });
    expect(csv).toContain(",'t Hart,");
    expect(csv).toContain(",''=literal,");
    const b = await t.createTenant();
    expect((await b.admin.users.import({ csv })).created).toBe(values.length);
    const copies = (await b.admin.users.list({ status: "all", q: "apostrophe.example", limit: 200 })).items;
    const got = Object.fromEntries(copies.map((u) => [u.username, [u.lastName, u.employeeNumber]]));
    expect(got).toEqual(Object.fromEntries(values.map((v, i) => [`apos${i}`, [v, v]])));
    // Typed by hand, an apostrophe before a letter is part of the name.
    const typed = await b.admin.users.import({
      csv: "username,email,firstName,lastName,role\nhart,hart@x.example,Jan,'t Hart,Viewer\n",
    });
    expect((await b.admin.users.get(typed.rows[0]!.userId!)).lastName).toBe("'t Hart");
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
