/**
 * `staffgate serve [--port N] [--host H] [--database-url URL] [--catalog preset|file]
 * [--public-url URL]`: start the service (migrates, bootstraps the demo tenant on an empty
 * database). Each flag stands for its environment variable and wins over it (PRODUCT.md §7:
 * configuration from environment and flags); an unknown flag stops start-up.
 */
import { loadConfig, startServer } from "@staffgate/server";
import { type Command, CommandError } from "./command.ts";
import { flagConfigError, parseArgs } from "./flags.ts";
import { openDatabaseOrExplain } from "./open-database.ts";

const FLAGS: Readonly<Record<string, string>> = {
  port: "PORT",
  host: "HOST",
  "database-url": "DATABASE_URL",
  catalog: "STAFFGATE_CATALOG",
  "public-url": "STAFFGATE_PUBLIC_URL",
};

const SPEC = { values: Object.keys(FLAGS) };

/** The environment `serve` runs with: `env`, with each flag given replacing its variable. */
export function serveEnv(args: readonly string[], env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { options } = parseArgs(args, SPEC);
  const out: NodeJS.ProcessEnv = { ...env };
  for (const [flag, value] of Object.entries(options)) out[FLAGS[flag]!] = value;
  return out;
}

export const serve: Command = {
  flags: SPEC,
  usage:
    "staffgate serve [--port <n>] [--host <address>] [--database-url <file path or postgres://…>] [--catalog <preset or file>] [--public-url <url>]",
  summary:
    "Start the service [--port --host --database-url --catalog --public-url] (or PORT, HOST, DATABASE_URL, …)",
  async run(args) {
    const { options } = parseArgs(args, SPEC);
    let config: ReturnType<typeof loadConfig>;
    try {
      config = loadConfig(serveEnv(args, process.env));
    } catch (error) {
      throw flagConfigError(error, options, FLAGS) ?? error;
    }
    // The database is opened and reached once first, as every other command does, so that one that
    // cannot be opened is named with the variable that chose it (README, "CLI"), not left to the
    // driver's words ("file is not a database", "connect ECONNREFUSED") in whatever step came first.
    try {
      await (await openDatabaseOrExplain(config.databaseUrl)).destroy();
    } catch (error) {
      if (!(error instanceof CommandError)) throw error;
      if (options["database-url"] === undefined) {
        process.stderr.write(`${error.message}\n`);
        return error.exitCode;
      }
      // Typed as a flag: named as the flag, and a value refused for its form is a usage error (2),
      // as --port's and --public-url's are; one that names a file that cannot be opened stays 1.
      const message = error.message.replaceAll("DATABASE_URL", "--database-url");
      const refusedForm = error.message.startsWith("DATABASE_URL: ");
      process.stderr.write(
        `${refusedForm ? `staffgate serve: ${message}\nUsage: ${serve.usage}` : message}\n`,
      );
      return refusedForm ? 2 : error.exitCode;
    }
    await startServer(config);
    return 0;
  },
};
