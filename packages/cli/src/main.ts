/** The `staffgate` command: `staffgate <noun> <verb>` dispatches to commands/<noun>/<verb>.ts. */
import { UsageError } from "./commands/command.ts";
import { COMMANDS } from "./commands/index.ts";

export async function run(argv: readonly string[]): Promise<number> {
  const [first, second] = argv;
  const two = first && second ? COMMANDS[`${first} ${second}`] : undefined;
  const one = first ? COMMANDS[first] : undefined;
  const command = two ?? one;
  if (!command || first === "help" || first === "--help") {
    process.stdout.write(
      `Usage: staffgate <command>\n\n${Object.entries(COMMANDS)
        .map(([name, c]) => `  ${name.padEnd(18)} ${c.summary}`)
        .join("\n")}\n`,
    );
    return command || first === "help" || first === "--help" || !first ? 0 : 2;
  }
  try {
    return await command.run(argv.slice(two ? 2 : 1));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`staffgate ${two ? `${first} ${second}` : first}: ${error.message}\n`);
    return 2;
  }
}

const isEntry = process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, "/"));
if (isEntry) {
  run(process.argv.slice(2)).then(
    (code) => {
      if (code !== 0 || !process.argv.includes("serve")) process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
