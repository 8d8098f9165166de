/**
 * `staffgate backup --to <file>`: a consistent copy of the SQLite database while the service runs.
 * Copying the file itself while it is written can give a torn copy (and leaves out what is still in
 * its write-ahead log); SQLite's `VACUUM INTO` writes the database as one read transaction sees it,
 * compacted, without stopping writers. The copy is a database like the first: restore by putting it
 * where DATABASE_URL points while the service is stopped, and check it first with
 * `DATABASE_URL=<copy> staffgate audit verify --tenant <slug>`. PostgreSQL has its own tools
 * (pg_dump, or the managed service's snapshots): the command says so and does nothing.
 */
import { existsSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { copySqliteInto, isPostgresUrl } from "@staffgate/core";
import { loadConfig } from "@staffgate/server";
import { type Command, UsageError } from "./command.ts";
import { missingSqliteFile } from "./existing-database.ts";
import { parseArgs, requireFlags } from "./flags.ts";
import { openOrExit } from "./open-database.ts";

const FLAGS = { values: ["to"] } as const;

export const backup: Command = {
  flags: FLAGS,
  usage: "staffgate backup --to <file>   (the database is DATABASE_URL, a SQLite file)",
  summary: "Copy the SQLite database, consistently, while the service runs (--to <new file>)",
  details:
    "The copy is taken as one moment of the database, write-ahead log included, and is itself a\n" +
    "Staffgate database: check it with DATABASE_URL=<copy> staffgate audit verify --tenant <slug>.\n" +
    "An existing file is never overwritten. Keep copies encrypted, as the database is\n" +
    "(docs/security/deployment.md). On PostgreSQL use pg_dump or the service's snapshots.\n" +
    "Exit codes: 0 copied, 1 the copy failed, 2 a usage error or a PostgreSQL DATABASE_URL.",
  async run(args) {
    const { options } = parseArgs(args, FLAGS);
    requireFlags(options, ["to"]);
    const config = loadConfig();
    if (isPostgresUrl(config.databaseUrl)) {
      process.stderr.write(
        "staffgate backup copies a SQLite database; DATABASE_URL is PostgreSQL: use pg_dump " +
          "(pg_dump --format=custom), or your managed database's snapshots.\n",
      );
      return 2;
    }
    if (config.databaseUrl === ":memory:")
      throw new UsageError("DATABASE_URL is :memory:: there is no file to copy");
    const target = resolve(options.to!);
    if (existsSync(target)) throw new UsageError(`--to ${target} exists: a backup never overwrites a file`);
    if (!existsSync(dirname(target)) || !statSync(dirname(target)).isDirectory()) {
      throw new UsageError(`--to ${target}: its directory ${dirname(target)} does not exist`);
    }
    const missing = missingSqliteFile(config.databaseUrl);
    if (missing) {
      process.stderr.write(
        `The database ${missing} does not exist (DATABASE_URL): there is nothing to copy.\n`,
      );
      return 1;
    }
    const db = await openOrExit(config.databaseUrl);
    if (typeof db === "number") return db;
    try {
      await copySqliteInto(db, target);
      const bytes = statSync(target).size;
      process.stdout.write(
        `Copied ${resolve(config.databaseUrl)} to ${target} (${bytes.toLocaleString("en-US")} bytes).\n`,
      );
      return 0;
    } catch (error) {
      process.stderr.write(`The copy failed: ${error instanceof Error ? error.message : String(error)}\n`);
      return 1;
    } finally {
      await db.destroy();
    }
  },
};
