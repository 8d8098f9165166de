/** The shape of one CLI command. */
export interface Command {
  readonly summary: string;
  run(args: readonly string[]): Promise<number>;
}

/** `--name value` and `--flag` options, then positional arguments. */
export function parseArgs(args: readonly string[]): {
  options: Record<string, string | true>;
  positional: string[];
} {
  const options: Record<string, string | true> = {};
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith("--")) {
      const [key, inline] = a.slice(2).split("=", 2) as [string, string | undefined];
      const next = args[i + 1];
      if (inline !== undefined) options[key] = inline;
      else if (next !== undefined && !next.startsWith("--")) {
        options[key] = next;
        i++;
      } else options[key] = true;
    } else positional.push(a);
  }
  return { options, positional };
}
