/** `staffgate migrate`: apply pending migrations to DATABASE_URL and exit. */
import { migrateToLatest } from "@staffgate/core";
import { loadConfig } from "@staffgate/server";
import type { Command } from "./command.ts";
import { parseArgs } from "./flags.ts";
import { openOrExit } from "./open-database.ts";

/** The flags it takes (the one parser: flags.ts). */
const FLAGS = { values: [] } as const;

export const migrate: Command = {
  flags: FLAGS,
  usage: "staffgate migrate   (the database is DATABASE_URL)",
  summary: "Apply pending database migrations",
  async run(args) {
    // It takes no options, and a mistyped one must not go unnoticed while the migration runs.
    parseArgs(args, FLAGS);
    const config = loadConfig();
    // Opened and reached first: a connection that fails is the database's, not a migration's.
    const db = await openOrExit(config.databaseUrl);
    if (typeof db === "number") return db;
    try {
      const { applied } = await migrateToLatest(db.allTenants as never);
      process.stdout.write(applied.length ? `Applied: ${applied.join(", ")}\n` : "Already up to date.\n");
      return 0;
    } finally {
      await db.destroy();
    }
  },
};
