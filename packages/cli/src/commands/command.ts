/** The shape of one CLI command. */
export interface Command {
  readonly summary: string;
  /** The synopsis `staffgate <command> --help` prints, e.g. `staffgate audit verify --tenant <slug>`. */
  readonly usage: string;
  run(args: readonly string[]): Promise<number>;
}

/** A command line the command does not understand: main prints it and exits 2. */
export class UsageError extends Error {}

/**
 * `--name value`, `--name=value` and `--flag` options, each one of `known`. Anything else (an
 * unknown option, a stray argument) is a UsageError: a mistyped option must not be ignored.
 */
export function parseArgs(
  args: readonly string[],
  known: readonly string[],
): {
  options: Record<string, string | true>;
} {
  const options: Record<string, string | true> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith("--")) throw new UsageError(`unexpected argument "${a}"`);
    const [key, inline] = a.slice(2).split("=", 2) as [string, string | undefined];
    if (!known.includes(key)) {
      const options = known.length ? `options: ${known.map((k) => `--${k}`).join(", ")}` : "it takes none";
      throw new UsageError(`unknown option --${key} (${options}); see --help`);
    }
    const next = args[i + 1];
    if (inline !== undefined) options[key] = inline;
    else if (next !== undefined && !next.startsWith("--")) {
      options[key] = next;
      i++;
    } else options[key] = true;
  }
  return { options };
}
