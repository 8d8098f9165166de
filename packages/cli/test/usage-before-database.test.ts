/**
 * A command's own arguments are checked before the database is opened: with no database there (or
 * an unreachable one) a mistyped flag is still the usage error it is (exit 2), naming the flag or
 * variable the operator set, never "the database does not exist" (exit 1) first.
 */
import { describe, expect, it } from "vitest";
import { captureRun, untouchedDatabase } from "./in-process.ts";

// In-process on a database path that does not exist and must stay so; SQLite only.
describe.skipIf(process.env.STAFFGATE_TEST_DB === "postgres")("usage errors before the database", () => {
  untouchedDatabase("staffgate-usage-");
  const capture = captureRun;

  it.each([
    [
      ["user", "export", "--tenant", "x", "--status", "bogus"],
      "--status is active, inactive, invited, archived or all",
    ],
    [["audit", "export", "--tenant", "x", "--format", "xml"], "--format: "],
    [["user", "import", "--tenant", "x"], "--file is required"],
    [
      ["user", "import", "--tenant", "x", "--file", "/nonexistent/staffgate-users.csv"],
      "--file: cannot read /nonexistent/staffgate-users.csv: ENOENT",
    ],
    [
      [
        "tenant",
        "create",
        "--slug",
        "west",
        "--name",
        "West",
        "--admin-username",
        "boss",
        "--admin-email",
        "boss@west.example",
        "--admin-first",
        "Bo",
        "--admin-last",
        "Ss",
        "--preset",
        "nosuch",
      ],
      "--preset: unknown catalogue; known: radiotherapy, veterinary, care-management",
    ],
    [["outbox", "--limit", "0"], "--limit is a whole number from 1 to 1000"],
    [["outbox", "--limit", "1e2"], "--limit is a whole number from 1 to 1000"],
    [["audit", "verify"], "--tenant is required"],
    [
      ["audit", "purge", "--tenant", "x", "--before", "12"],
      '--before takes a date (2020-01-31) or an ISO 8601 date-time with its offset (2020-01-31T00:00:00Z), not "12"',
    ],
    [["audit", "purge", "--tenant", "x", "--before", "2020-01-01T00:00:00"], "--before takes a date"],
    [["audit", "purge", "--tenant", "x", "--before", "2021-02-30"], "--before takes a date"],
    [["user", "unlock", "--tenant", "x"], "--user is required"],
    [["check", "--tenant", "x", "--user", "bea"], "--permission is required"],
    [["check", "--tenant", "x", "--user", "bea", "--permission", "p".repeat(90)], "--permission: "],
    [
      [
        "check",
        "--tenant",
        "x",
        "--user",
        "bea",
        "--permission",
        "patients.read",
        "--patient",
        "r".repeat(201),
      ],
      "--patient: ",
    ],
  ])("`staffgate %j` is a usage error with no database there", async (argv, message) => {
    const r = await capture(argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(
      r.stderr.startsWith(
        `staffgate ${argv[0] === "outbox" || argv[0] === "check" ? argv[0] : argv.slice(0, 2).join(" ")}: ${message}`,
      ),
    ).toBe(true);
  });

  it("`user create` names every missing required flag at once", async () => {
    const r = await capture(["user", "create", "--username", "bob"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^staffgate user create: --tenant, --email, --first, --last and --role are required\n/,
    );
  });

  it("`tenant create` names every missing flag, then each bad value by its flag, not the API's field", async () => {
    const missing = await capture(["tenant", "create", "--slug", "west"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(
      /^staffgate tenant create: --name, --admin-username, --admin-email, --admin-first and --admin-last are required\n/,
    );
    const bad = await capture([
      "tenant",
      "create",
      "--slug",
      "West Wing!",
      "--name",
      "West",
      "--admin-username",
      "root",
      "--admin-email",
      "not-an-email",
      "--admin-first",
      "R".repeat(81),
      "--admin-last",
      "Root",
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /^staffgate tenant create:\n {2}--slug: .+\n {2}--admin-email: .+\n {2}--admin-first: .+\nUsage: /,
    );
    expect(bad.stderr).not.toMatch(/admin\.|firstName/);
  });

  it("`user create` names a bad value by its flag", async () => {
    const r = await capture([
      "user",
      "create",
      "--tenant",
      "x",
      "--username",
      "bob",
      "--email",
      "nope",
      "--first",
      "F".repeat(81),
      "--last",
      "L",
      "--role",
      "viewer",
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^staffgate user create:\n {2}--email: .+\n {2}--first: .+\n/);
    expect(r.stderr).not.toMatch(/firstName/);
  });

  it("`audit export` checks its filters as the API does, naming the flags", async () => {
    const range = await capture([
      "audit",
      "export",
      "--tenant",
      "x",
      "--from",
      "2026-03-02",
      "--to",
      "2026-03-01",
    ]);
    expect([range.code, range.stderr]).toEqual([
      2,
      expect.stringMatching(/^staffgate audit export: --to: must not be before --from\n/),
    ]);
    const date = await capture(["audit", "export", "--tenant", "x", "--from", "March"]);
    expect([date.code, date.stderr]).toEqual([
      2,
      expect.stringMatching(
        /^staffgate audit export: --from: must be a date \(YYYY-MM-DD\) or an ISO 8601 date-time/,
      ),
    ]);
    const long = await capture(["audit", "export", "--tenant", "x", "--q", "q".repeat(201)]);
    expect([long.code, long.stderr]).toEqual([2, expect.stringMatching(/^staffgate audit export: --q: /)]);
  });
});
