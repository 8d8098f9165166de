import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { openDatabase } from "./database.ts";
import { migrateToLatest } from "./migrate.ts";

describe("migrateToLatest", () => {
  it("says a database migrated by a newer build is that, not 'corrupted'", async () => {
    const db = openDatabase(":memory:");
    try {
      await migrateToLatest(db.kysely as never);
      await sql`INSERT INTO staffgate_migrations (name, timestamp) VALUES ('2099-01-01T00-00_future', '2099-01-01T00:00:00.000Z')`.execute(
        db.kysely,
      );
      await expect(migrateToLatest(db.kysely as never)).rejects.toThrow(
        "this database was migrated by a newer Staffgate (it has migration 2099-01-01T00-00_future, which this build does not know); run that version or a newer one",
      );
    } finally {
      await db.destroy();
    }
  });
});
