/**
 * The import's dry run reports every problem of every row before anything is written (PRODUCT.md
 * §7): a row whose email is missing or repeats an earlier line's still has its other cells checked,
 * so the file is fixed in one pass, not one error per attempt.
 */
import type { ImportUsersResponse } from "@staffgate/contract";
import type { StaffgateError } from "@staffgate/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { problemOf, startTestApp, TEST_DB, type TestApp, type TestTenant } from "./harness.ts";

const HEADER = "username,email,firstName,lastName,role,workspaces,status";

describe(`users import dry run: every error of every row (${TEST_DB})`, () => {
  let t: TestApp;
  let a: TestTenant;
  const countUsers = async () =>
    Number(
      (
        await t.db.kysely
          .selectFrom("users")
          .select((eb) => eb.fn.countAll().as("n"))
          .where("tenant_id", "=", a.id)
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    t = await startTestApp();
    a = await t.createTenant();
    await a.admin.workspaces.create({ slug: "ward-1", name: "Ward 1" });
  });
  afterAll(() => t.close());

  const csv = [
    HEADER,
    "kim,kim@example.org,Kim,Lee,Viewer,ward-1,",
    // Repeats line 2's email, and names a role and a workspace that do not exist.
    "kim2,KIM@example.org,Kim,Again,No Such Role,ward-99,",
    // No email, and a bad role, workspace and status; the cells a new user needs are not asked
    // of it (its email decides whether it is new).
    ",,No,Email,Ghost,ward-98,asleep",
    // Repeats line 2's email and nothing else is wrong.
    ",kim@example.org,,,,,",
  ].join("\n");

  const expected: ImportUsersResponse["rows"] = [
    { line: 2, email: "kim@example.org", action: "create", userId: null, errors: [] },
    {
      line: 3,
      email: "KIM@example.org",
      action: "error",
      userId: null,
      errors: [
        { column: "email", message: "repeats line 2" },
        { column: "role", message: 'no role named "No Such Role"' },
        { column: "workspaces", message: 'no workspace "ward-99"' },
      ],
    },
    {
      line: 4,
      email: null,
      action: "error",
      userId: null,
      errors: [
        { column: "email", message: "is required: rows are matched on email" },
        { column: "role", message: 'no role named "Ghost"' },
        { column: "workspaces", message: 'no workspace "ward-98"' },
        { column: "status", message: '"asleep" is not a status a file can set: active or inactive' },
      ],
    },
    {
      line: 5,
      email: "kim@example.org",
      action: "error",
      userId: null,
      errors: [{ column: "email", message: "repeats line 2" }],
    },
  ];

  it("reports a missing or repeated email together with every other problem of the row", async () => {
    const before = await countUsers();
    const report = await a.admin.users.import({ csv, dryRun: true });
    expect(report).toMatchObject({ dryRun: true, applied: false, created: 1, failed: 3 });
    expect(report.rows).toEqual(expected);
    expect(await countUsers()).toBe(before);
  });

  it("the real run refuses the same file with the same report (422), writing nothing", async () => {
    const before = await countUsers();
    const p = await problemOf(() => a.admin.users.import({ csv }));
    expect([p.status, p.code]).toEqual([422, "USER_IMPORT_INVALID"]);
    expect(p.errors).toEqual(
      expect.arrayContaining([
        { path: "csv.3.email", message: "repeats line 2" },
        { path: "csv.3.role", message: 'no role named "No Such Role"' },
        { path: "csv.4.email", message: "is required: rows are matched on email" },
        { path: "csv.4.workspaces", message: 'no workspace "ward-98"' },
      ]),
    );
    const report = (p as StaffgateError).problem.report as ImportUsersResponse;
    expect(report.rows).toEqual(expected);
    expect(await countUsers()).toBe(before);
  });

  it("names each row by the line of the file it begins on, past blank lines and cells spanning lines", async () => {
    for (const eol of ["\n", "\r\n", "\r"]) {
      const file = [
        HEADER,
        " \t ", // line 2: blank but for spaces and a tab
        'ann,ann@example.org,Ann,"Lee',
        'Jones",No Such Role,,', // lines 3–4: one row whose name spans two lines
        "",
        "",
        "bo,bo@example.org,Bo,Li,Ghost,,", // line 7
      ].join(eol);
      const report = await a.admin.users.import({ csv: file, dryRun: true });
      expect(
        report.rows.map((r) => [r.email, r.line]),
        JSON.stringify(eol),
      ).toEqual([
        ["ann@example.org", 3],
        ["bo@example.org", 7],
      ]);
    }
  });
});
