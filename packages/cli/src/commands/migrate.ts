/** `staffgate migrate`: apply pending migrations to DATABASE_URL and exit. */
import { migrateToLatest, openDatabase } from "@staffgate/core";
import { loadConfig } from "@staffgate/server";
import type { Command } from "./command.ts";
import { parseArgs } from "./command.ts";

export const migrate: Command = {
  usage: "staffgate migrate   (the database is DATABASE_URL)",
  summary: "Apply pending database migrations",
  async run(args) {
    // It takes no options, and a mistyped one must not go unnoticed while the migration runs.
    parseArgs(args, []);
    const config = loadConfig();
    const db = openDatabase(config.databaseUrl);
    try {
      const { applied } = await migrateToLatest(db.kysely as never);
      process.stdout.write(applied.length ? `Applied: ${applied.join(", ")}\n` : "Already up to date.\n");
      return 0;
    } finally {
      await db.destroy();
    }
  },
};
