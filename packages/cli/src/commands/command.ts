/** The shape of one CLI command, and the two ways it fails. */
export interface Command {
  readonly summary: string;
  /** The synopsis `staffgate <command> --help` prints, e.g. `staffgate audit verify --tenant <slug>`. */
  readonly usage: string;
  /** The flags it takes, each with a value or none (a switch): parsed by flags.ts. */
  readonly flags: FlagSpec<string, string>;
  /** What `--help` says after the summary: defaults, filters, exit codes. */
  readonly details?: string;
  run(args: readonly string[]): Promise<number>;
}

export interface FlagSpec<V extends string, S extends string> {
  /** Flags that take a value: `--tenant acme` or `--tenant=acme`. */
  readonly values: readonly V[];
  /** Flags that take none: `--dry-run`. */
  readonly switches?: readonly S[];
}

/**
 * A command line the command does not understand: main prints it with the usage and exits 2.
 * Several problems are reported together, one per line, so a command is fixed in one go.
 */
export class UsageError extends Error {
  constructor(problems: string | readonly string[]) {
    const list = typeof problems === "string" ? [problems] : problems;
    super(list.length === 1 ? list[0]! : list.map((p) => `\n  ${p}`).join(""));
  }
}

/** A command that understood its arguments but could not do its work: a message and an exit code. */
export class CommandError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = 1,
  ) {
    super(message);
  }
}
