/**
 * Every command answers `--help` with its usage (exit 0) and refuses an unknown flag (exit 2),
 * both before doing anything: no database is opened, let alone migrated.
 */
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../src/commands/index.ts";
import { captureRun, untouchedDatabase } from "./in-process.ts";

// In-process (a process per command would take a minute), on a database path that must stay
// untouched; SQLite only, as nothing here reaches a database.
describe.skipIf(process.env.STAFFGATE_TEST_DB === "postgres")("staffgate --help and unknown flags", () => {
  const db = untouchedDatabase("staffgate-help-");
  const capture = captureRun;

  const names = Object.keys(COMMANDS);

  it.each(names)("`staffgate %s --help` prints its usage and exits 0, running nothing", async (name) => {
    const r = await capture([...name.split(" "), "--help"]);
    expect(r).toEqual({
      code: 0,
      stdout: `Usage: ${COMMANDS[name]!.usage}\n\n${COMMANDS[name]!.summary}\n${COMMANDS[name]!.details ? `\n${COMMANDS[name]!.details}\n` : ""}`,
      stderr: "",
    });
    expect(r.stdout.startsWith(`Usage: staffgate ${name}`)).toBe(true);
    // Also after other options, and as -h.
    expect((await capture([...name.split(" "), "--tenant", "north", "-h"])).code).toBe(0);
    expect(existsSync(db.file)).toBe(false);
  });

  it.each(names)("`staffgate %s --bogus` is refused with exit 2, running nothing", async (name) => {
    const r = await capture([...name.split(" "), "--bogus"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^staffgate ${name}: unknown option --bogus`));
    expect(r.stdout).toBe("");
    expect(existsSync(db.file)).toBe(false);
  });

  it("lists the commands for `staffgate --help`, `staffgate help` and a noun's `--help`", async () => {
    for (const argv of [[], ["--help"], ["help"]]) {
      const r = await capture(argv);
      expect(r.code).toBe(0);
      for (const name of names) expect(r.stdout).toContain(`  ${name} `);
    }
    const user = await capture(["user", "--help"]);
    expect(user.code).toBe(0);
    expect(user.stdout).toContain("  user import ");
    expect(user.stdout).not.toContain("  audit export ");
    expect(await capture(["help", "user", "import"])).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^Usage: staffgate user import --tenant <slug> --file <users.csv>/),
    });
  });

  it("`staffgate help <unknown>` is an error (exit 2) naming it, with the list on stderr", async () => {
    for (const topic of [["frobnicate"], ["user", "frobnicate"]]) {
      const r = await capture(["help", ...topic]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(new RegExp(`^staffgate help: unknown command "${topic.join(" ")}"\n`));
      for (const name of names) expect(r.stderr).toContain(`  ${name} `);
    }
  });

  it("says a command is missing after a known noun (exit 2), with that noun's commands", async () => {
    const r = await capture(["tenant"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^staffgate tenant: which tenant command\? None was given\./);
    expect(r.stderr).toContain("  tenant create ");
  });

  it("names the flag the person typed when its value is refused (exit 2), not the variable it sets", async () => {
    const serve = await capture(["serve", "--port", "abc"]);
    expect(serve.code).toBe(2);
    expect(serve.stderr).toMatch(/^staffgate serve: --port must be a port number/);
    expect(serve.stderr).not.toContain("PORT must");
    // A catalogue that does not load is a value refused like any other, before anything is opened.
    const catalog = await capture(["serve", "--catalog", "nosuch"]);
    expect(catalog.code).toBe(2);
    expect(catalog.stderr).toMatch(/^staffgate serve: --catalog names no catalogue that loads/);
    expect(catalog.stderr).toContain("not a preset (radiotherapy, veterinary, care-management)");
  });

  it("refuses an unknown command with exit 2 and the list on stderr", async () => {
    const r = await capture(["frobnicate"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^staffgate: unknown command "frobnicate"/);
  });
});
