/**
 * The one parser of every command's flags, so that every command refuses the same mistakes before
 * it does anything: an unknown flag, a stray argument, a flag given twice (which value was meant?),
 * and a flag that takes a value without one. The last matters most: `check --workspace` dropped
 * silently answers a wider question than the one asked.
 */
import { distinctIssues } from "@staffgate/contract";
import { type FlagSpec, UsageError } from "./command.ts";

type Flags<V extends string, S extends string> = { readonly [K in V]?: string } & {
  readonly [K in S]?: true;
};

export function parseArgs<V extends string, S extends string = never>(
  args: readonly string[],
  spec: FlagSpec<V, S>,
): { options: Flags<V, S> } {
  const values: readonly string[] = spec.values;
  const switches: readonly string[] = spec.switches ?? [];
  const options: Record<string, string | true> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith("--")) throw new UsageError(`unexpected argument "${a}"`);
    const eq = a.indexOf("=");
    const key = eq === -1 ? a.slice(2) : a.slice(2, eq);
    const inline = eq === -1 ? undefined : a.slice(eq + 1);
    if (!values.includes(key) && !switches.includes(key)) {
      const known = [...values, ...switches];
      const list = known.length ? `options: ${known.map((k) => `--${k}`).join(", ")}` : "it takes none";
      throw new UsageError(`unknown option --${key} (${list}); see --help`);
    }
    if (key in options) throw new UsageError(`--${key} is given more than once: give it once`);
    if (switches.includes(key)) {
      const next = args[i + 1];
      if (inline !== undefined) throw new UsageError(`--${key} takes no value`);
      if (next !== undefined && !next.startsWith("--")) {
        throw new UsageError(`--${key} takes no value, but "${next}" follows it`);
      }
      options[key] = true;
      continue;
    }
    let value = inline;
    if (value === undefined && args[i + 1] !== undefined && !args[i + 1]!.startsWith("--")) {
      value = args[++i];
    }
    // An empty value (`--patient ''`, `--workspace=`) is as missing as none: never "any".
    if (value === undefined || value.trim() === "") throw new UsageError(`--${key} needs a value`);
    options[key] = value;
  }
  return { options: options as Flags<V, S> };
}

/** `--a, --b and --c are required`, every missing flag at once; nothing when all are there. */
export function requireFlags(options: Readonly<Record<string, unknown>>, names: readonly string[]): void {
  const missing = names.filter((n) => options[n] === undefined).map((n) => `--${n}`);
  if (missing.length === 0) return;
  const list = missing.length === 1 ? missing[0] : `${missing.slice(0, -1).join(", ")} and ${missing.at(-1)}`;
  throw new UsageError(`${list} ${missing.length === 1 ? "is" : "are"} required`);
}

/**
 * Problems with API fields (`roleId`, `admin.firstName`) as the flag or variable the operator set
 * (`--role`, `--admin-first`): the field names are the API's, not the command line's.
 */
export function namedProblems(
  problems: readonly { readonly path: string; readonly message: string }[],
  names: Readonly<Record<string, string>>,
): string[] {
  return problems.map(({ path, message }) => {
    const name = names[path];
    if (name === undefined) return `${path}: ${message}`;
    // Core words a password problem "password must be …": the variable already says "password".
    const said = path.endsWith("password") ? message.replace(/^password /, "") : message;
    return `${name}: ${said}`;
  });
}

/** Zod's issues as `namedProblems` takes them. */
export function issuesOf(
  issues: readonly {
    readonly path: readonly PropertyKey[];
    readonly message: string;
    readonly code?: string;
  }[],
) {
  return distinctIssues(issues).map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
}

/**
 * A configuration error about a variable the person set with a flag (`--port abc` sets PORT): a
 * usage error (exit 2) naming the flag they typed, not the variable they did not set. Null when
 * the error is about something else.
 */
export function flagConfigError(
  error: unknown,
  given: Readonly<Record<string, unknown>>,
  variables: Readonly<Record<string, string>>,
): UsageError | null {
  if (!(error instanceof Error)) return null;
  for (const [flag, variable] of Object.entries(variables)) {
    if (given[flag] !== undefined && error.message.startsWith(`${variable} `)) {
      return new UsageError(`--${flag}${error.message.slice(variable.length)}`);
    }
  }
  return null;
}
