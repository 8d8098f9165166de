/** One migration history for both databases, run at start-up and by `staffgate migrate`. */
import { type Kysely, Migrator } from "kysely";
import { MIGRATIONS } from "./migrations/index.ts";

function migrator(db: Kysely<unknown>): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: async () => MIGRATIONS },
    migrationTableName: "staffgate_migrations",
    migrationLockTableName: "staffgate_migrations_lock",
  });
}

export interface MigrationReport {
  readonly applied: readonly string[];
}

/** Applies every pending migration; throws with the failing migration's name. */
export async function migrateToLatest(db: Kysely<unknown>): Promise<MigrationReport> {
  const { error, results } = await migrator(db).migrateToLatest();
  if (error) {
    const reason = error instanceof Error ? error.message : String(error);
    // Kysely calls a migration it does not ship "corrupted"; what it means is a newer build was here.
    const newer = /previously executed migration (\S+) is missing/.exec(reason)?.[1];
    if (newer) {
      throw new Error(
        `this database was migrated by a newer Staffgate (it has migration ${newer}, which this build does not know); run that version or a newer one`,
      );
    }
    const failed = results?.find((r) => r.status === "Error")?.migrationName;
    // No migration named: the migrator failed before running one (reaching the database, or its
    // own bookkeeping tables), which is no migration's fault.
    throw new Error(
      failed ? `migration ${failed} failed: ${reason}` : `migrations could not start: ${reason}`,
    );
  }
  return { applied: (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName) };
}

/** True when every migration shipped with this build has been applied (for /readyz). */
export async function migrationsAreCurrent(db: Kysely<unknown>): Promise<boolean> {
  const all = await migrator(db).getMigrations();
  return all.every((m) => m.executedAt !== undefined);
}
