/**
 * Every flag of every command that takes a value refuses to go without one (missing, empty, `=`)
 * and every flag refuses to be given twice, with a usage error naming it (exit 2) before anything
 * runs: `check --workspace` silently dropped answered a wider question than the one asked, and
 * `user create --workspaces` dropped gave the user every workspace.
 */
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../src/commands/index.ts";
import { captureRun, untouchedDatabase } from "./in-process.ts";

// In-process and SQLite only, like help-and-flags.test.ts: nothing here reaches a database.
describe.skipIf(process.env.STAFFGATE_TEST_DB === "postgres")("flags that take a value", () => {
  untouchedDatabase("staffgate-flags-");
  const capture = captureRun;

  const valueFlags = Object.entries(COMMANDS).flatMap(([name, command]) =>
    command.flags.values.map((flag) => [name, flag] as const),
  );
  const allFlags = Object.entries(COMMANDS).flatMap(([name, command]) =>
    [...command.flags.values, ...(command.flags.switches ?? [])].map((flag) => [name, flag] as const),
  );

  it("every command declares the flags it takes", () => {
    expect(valueFlags.length).toBeGreaterThan(30);
    expect(COMMANDS.check!.flags.values).toEqual(expect.arrayContaining(["workspace", "patient"]));
    expect(COMMANDS["user create"]!.flags.values).toContain("workspaces");
  });

  it.each(valueFlags)(
    "`staffgate %s --%s` without a value is refused, naming the flag",
    async (name, flag) => {
      const words = name.split(" ");
      // Last, before another flag, empty, blank, and `--flag=`.
      for (const args of [
        [`--${flag}`],
        [`--${flag}`, "--other"],
        [`--${flag}`, ""],
        [`--${flag}`, "  "],
        [`--${flag}=`],
      ]) {
        const r = await capture([...words, ...args]);
        expect({ args, code: r.code, stdout: r.stdout }).toEqual({ args, code: 2, stdout: "" });
        expect(r.stderr).toMatch(
          new RegExp(`^staffgate ${name}: --${flag} needs a value\\nUsage: staffgate ${name}`),
        );
      }
    },
  );

  it.each(allFlags)("`staffgate %s --%s` given twice is refused, naming the flag", async (name, flag) => {
    const isSwitch = COMMANDS[name]!.flags.switches?.includes(flag) === true;
    const args = isSwitch ? [`--${flag}`, `--${flag}`] : [`--${flag}`, "a", `--${flag}=b`];
    const r = await capture([...name.split(" "), ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^staffgate ${name}: --${flag} is given more than once`));
  });

  it("a switch refuses a value: `--explain=yes`, `--dry-run yes`", async () => {
    const explain = await capture(["check", "--explain=yes"]);
    expect([explain.code, explain.stderr]).toEqual([
      2,
      expect.stringMatching(/^staffgate check: --explain takes no value\n/),
    ]);
    const dry = await capture(["user", "import", "--dry-run", "yes"]);
    expect([dry.code, dry.stderr]).toEqual([
      2,
      expect.stringMatching(/^staffgate user import: --dry-run takes no value, but "yes" follows it\n/),
    ]);
  });

  it("`user create --help` says what leaving --workspaces out means", async () => {
    const r = await capture(["user", "create", "--help"]);
    expect(r.stdout).toMatch(/--workspaces: .*Without it the user has every workspace \(all\)/);
  });
});
