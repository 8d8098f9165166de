/** The one flag parser (commands/flags.ts): values, switches, and the mistakes it refuses. */
import { describe, expect, it } from "vitest";
import { UsageError } from "../src/commands/command.ts";
import { namedProblems, parseArgs, requireFlags } from "../src/commands/flags.ts";

const SPEC = { values: ["tenant", "q"], switches: ["dry-run"] } as const;

describe.skipIf(process.env.STAFFGATE_TEST_DB === "postgres")("parseArgs", () => {
  it("reads `--flag value`, `--flag=value` (keeping any later =) and switches", () => {
    expect(parseArgs(["--tenant", "acme", "--q=a=b", "--dry-run"], SPEC).options).toEqual({
      tenant: "acme",
      q: "a=b",
      "dry-run": true,
    });
    expect(parseArgs([], SPEC).options).toEqual({});
  });

  it("refuses a value flag without a value, a switch with one, a repeat, an unknown flag and a stray word", () => {
    const refused = (args: string[]) => {
      try {
        parseArgs(args, SPEC);
      } catch (error) {
        expect(error).toBeInstanceOf(UsageError);
        return (error as Error).message;
      }
      return "accepted";
    };
    expect(refused(["--tenant"])).toBe("--tenant needs a value");
    expect(refused(["--tenant", "--dry-run"])).toBe("--tenant needs a value");
    expect(refused(["--q="])).toBe("--q needs a value");
    expect(refused(["--q", " "])).toBe("--q needs a value");
    expect(refused(["--dry-run=no"])).toBe("--dry-run takes no value");
    expect(refused(["--tenant", "a", "--tenant", "b"])).toBe(
      "--tenant is given more than once: give it once",
    );
    expect(refused(["--dry-run", "--dry-run"])).toBe("--dry-run is given more than once: give it once");
    expect(refused(["--bogus"])).toMatch(/^unknown option --bogus \(options: --tenant, --q, --dry-run\)/);
    expect(refused(["acme"])).toBe('unexpected argument "acme"');
  });
});

describe.skipIf(process.env.STAFFGATE_TEST_DB === "postgres")("requireFlags and namedProblems", () => {
  it("names every missing flag at once", () => {
    expect(() => requireFlags({ tenant: "a" }, ["tenant"])).not.toThrow();
    expect(() => requireFlags({}, ["tenant"])).toThrow(/^--tenant is required$/);
    expect(() => requireFlags({ username: "bob" }, ["tenant", "username", "email", "role"])).toThrow(
      /^--tenant, --email and --role are required$/,
    );
  });

  it("names the flag or variable the operator set, not the API's field", () => {
    const names = { roleId: "--role", "admin.password": "STAFFGATE_ADMIN_PASSWORD" };
    expect(
      namedProblems(
        [
          { path: "roleId", message: 'no role named "x"' },
          { path: "admin.password", message: "password must be at least 15 characters" },
          { path: "other", message: "kept" },
        ],
        names,
      ),
    ).toEqual([
      '--role: no role named "x"',
      "STAFFGATE_ADMIN_PASSWORD: must be at least 15 characters",
      "other: kept",
    ]);
  });
});
