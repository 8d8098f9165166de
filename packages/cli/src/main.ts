/** The `staffgate` command: `staffgate <noun> <verb>` dispatches to commands/<noun>/<verb>.ts. */
import { type Command, UsageError } from "./commands/command.ts";
import { COMMANDS } from "./commands/index.ts";
import { isClosedPipe } from "./commands/stdout.ts";

const HELP = new Set(["--help", "-h"]);

/** The commands whose name starts with `prefix` (all of them without one), one per line. */
function list(prefix: string | undefined): string {
  const names = Object.keys(COMMANDS).filter((name) => !prefix || name.split(" ")[0] === prefix);
  const shown = names.length > 0 ? names : Object.keys(COMMANDS);
  const lines = shown.map((name) => `  ${name.padEnd(18)} ${COMMANDS[name]!.summary}`);
  return `Usage: staffgate <command> [--help]\n\n${lines.join("\n")}\n`;
}

function usage(command: Command): string {
  return `Usage: ${command.usage}\n\n${command.summary}\n${command.details ? `\n${command.details}\n` : ""}`;
}

/** The command `argv` names (two words before one), with its name and its own arguments. */
function find(argv: readonly string[]) {
  const [first, second] = argv;
  const two = first && second ? COMMANDS[`${first} ${second}`] : undefined;
  if (two) return { name: `${first} ${second}`, command: two, args: argv.slice(2) };
  const one = first ? COMMANDS[first] : undefined;
  return one ? { name: first!, command: one, args: argv.slice(1) } : undefined;
}

export async function run(argv: readonly string[]): Promise<number> {
  const [first] = argv;
  // `staffgate`, `staffgate --help`, `staffgate help [command]`.
  if (!first || HELP.has(first) || first === "help") {
    const topic = first === "help" ? argv.slice(1) : [];
    const asked = find(topic);
    if (asked) {
      process.stdout.write(usage(asked.command));
      return 0;
    }
    // `help user` lists the user commands; a topic that is no command nor noun is a mistake, not the list.
    const [noun] = topic;
    const isNoun = Object.keys(COMMANDS).some((name) => name.split(" ")[0] === noun);
    if (topic.length > 1 || (noun !== undefined && !isNoun)) {
      process.stderr.write(`staffgate help: unknown command "${topic.join(" ")}"\n\n${list(undefined)}`);
      return 2;
    }
    process.stdout.write(list(noun));
    return 0;
  }
  const found = find(argv);
  if (!found) {
    // `staffgate user --help` lists the user commands; anything else unknown is a usage error.
    if (argv.slice(1).some((a) => HELP.has(a))) {
      process.stdout.write(list(first));
      return 0;
    }
    // `staffgate user` alone: the noun is known, its command is what is missing.
    if (argv.length === 1 && Object.keys(COMMANDS).some((name) => name.startsWith(`${first} `))) {
      process.stderr.write(`staffgate ${first}: which ${first} command? None was given.\n\n${list(first)}`);
      return 2;
    }
    process.stderr.write(`staffgate: unknown command "${argv.slice(0, 2).join(" ")}"\n\n${list(first)}`);
    return 2;
  }
  // Before the command parses anything: `--help` never runs it.
  if (found.args.some((a) => HELP.has(a))) {
    process.stdout.write(usage(found.command));
    return 0;
  }
  try {
    return await found.command.run(found.args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    // Several problems come one per line (UsageError), after the command's name.
    const sep = error.message.startsWith("\n") ? ":" : ": ";
    process.stderr.write(`staffgate ${found.name}${sep}${error.message}\nUsage: ${found.command.usage}\n`);
    return 2;
  }
}

const isEntry = process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, "/"));
if (isEntry) {
  // A reader that closed the pipe (`| head -1`) has what it wanted: later output is dropped, not an
  // error (commands that stream stop on their own: commands/stdout.ts).
  process.stdout.on("error", (error) => {
    if (!isClosedPipe(error)) throw error;
  });
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
