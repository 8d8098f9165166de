import { Migrator, sql } from "kysely";
import { describe, expect, it } from "vitest";
import { openDatabase } from "./database.ts";
import { migrateToLatest } from "./migrate.ts";
import { MIGRATIONS } from "./migrations/index.ts";

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

  /** An in-memory database migrated up to `name` (included), with the migrator that did it. */
  async function migratedTo(name: string) {
    const db = openDatabase(":memory:");
    const migrator = new Migrator({
      db: db.allTenants as never,
      provider: { getMigrations: async () => MIGRATIONS },
      migrationTableName: "staffgate_migrations",
      migrationLockTableName: "staffgate_migrations_lock",
    });
    expect((await migrator.migrateTo(name)).error).toBeUndefined();
    return { db, migrator };
  }

  /** A database migrated up to the one before password_history's key. */
  async function beforeHistoryKey() {
    return (await migratedTo("2026-12-05T12-10_role_members_version")).db;
  }

  it("keeps password_history's rows, in order, when it gains its primary key (SQLite rebuilds the table)", async () => {
    const db = await beforeHistoryKey();
    try {
      await sql`insert into tenants (id, slug, slug_key, name, time_zone, catalog, work_roles, settings, created_at, updated_at)
        values ('ten_a', 'a', 'a', 'A', 'UTC', '[]', '[]', '{}', '2026-01-01', '2026-01-01')`.execute(
        db.allTenants,
      );
      for (const [hash, at] of [
        ["h-older", "2026-01-01T00:00:00.000Z"],
        ["h-newer", "2026-01-01T00:00:00.000Z"],
      ]) {
        await sql`insert into password_history (tenant_id, user_id, hash, created_at)
          values ('ten_a', 'usr_a', ${hash}, ${at})`.execute(db.allTenants);
      }
      await migrateToLatest(db.allTenants as never);
      const { rows } = await sql<{ id: number; hash: string }>`select id, hash from password_history
        order by created_at desc, id desc`.execute(db.allTenants);
      expect(rows.map((r) => r.hash)).toEqual(["h-newer", "h-older"]);
      const { rows: index } = await sql<{ name: string }>`select name from sqlite_master
        where type = 'index' and tbl_name = 'password_history'`.execute(db.allTenants);
      expect(index.map((r) => r.name)).toContain("password_history_user_idx");
    } finally {
      await db.destroy();
    }
  });

  it("leaves password_history as it was when its rebuild fails half-way, and runs again once the cause is gone", async () => {
    const db = await beforeHistoryKey();
    try {
      // A row whose tenant is gone (written with foreign keys off): the copy refuses it, after the
      // new table was made.
      await sql`pragma foreign_keys = off`.execute(db.allTenants);
      await sql`insert into password_history (tenant_id, user_id, hash, created_at)
        values ('ten_gone', 'usr_a', 'h', '2026-01-01T00:00:00.000Z')`.execute(db.allTenants);
      await sql`pragma foreign_keys = on`.execute(db.allTenants);
      await expect(migrateToLatest(db.allTenants as never)).rejects.toThrow(
        "migration 2026-12-06T00-00_password_history_key failed: FOREIGN KEY constraint failed",
      );
      const { rows: tables } = await sql<{ name: string }>`select name from sqlite_master
        where type = 'table' and name like 'password_history%' order by name`.execute(db.allTenants);
      expect(tables.map((r) => r.name)).toEqual(["password_history"]);
      const { rows } = await sql<{ hash: string }>`select hash from password_history`.execute(db.allTenants);
      expect(rows.map((r) => r.hash)).toEqual(["h"]);
      await sql`delete from password_history where tenant_id = 'ten_gone'`.execute(db.allTenants);
      await migrateToLatest(db.allTenants as never);
      const { rows: key } = await sql<{ name: string }>`select name from pragma_table_info('password_history')
        where pk > 0`.execute(db.allTenants);
      expect(key.map((r) => r.name)).toEqual(["id"]);
    } finally {
      await db.destroy();
    }
  });

  it("brings a workspace's idle limit above the bound down to it, moving its version, and leaves the others", async () => {
    const { db } = await migratedTo("2026-12-06T00-00_password_history_key");
    try {
      await sql`insert into tenants (id, slug, slug_key, name, time_zone, catalog, work_roles, settings, created_at, updated_at)
        values ('ten_a', 'a', 'a', 'A', 'UTC', '[]', '[]', '{}', '2026-01-01', '2026-01-01')`.execute(
        db.allTenants,
      );
      for (const [id, idle] of [
        ["wsp_lax", 86_400],
        ["wsp_kiosk", 120],
        ["wsp_bound", 28_800],
        ["wsp_none", null],
      ] as const) {
        await sql`insert into workspaces (tenant_id, id, slug, name, protected, idle_timeout_seconds, created_at, updated_at, version)
          values ('ten_a', ${id}, ${id.replace("_", "-")}, ${id}, 1, ${idle}, '2026-01-01', '2026-01-01', 3)`.execute(
          db.allTenants,
        );
      }
      await migrateToLatest(db.allTenants as never);
      const { rows } = await sql<{ id: string; idle: number | null; version: number }>`select id,
        idle_timeout_seconds as idle, version from workspaces order by id`.execute(db.allTenants);
      expect(rows.map((r) => [r.id, r.idle, Number(r.version)])).toEqual([
        ["wsp_bound", 28_800, 3],
        ["wsp_kiosk", 120, 3],
        ["wsp_lax", 28_800, 4],
        ["wsp_none", null, 3],
      ]);
    } finally {
      await db.destroy();
    }
  });

  it("rebuilds audit_heads with tenant_id NOT NULL on SQLite, keeping its rows and the audit trail's triggers", async () => {
    const { db } = await migratedTo("2026-12-06T18-10_audit_no_truncate");
    try {
      const triggers = async () =>
        (
          await sql<{ name: string; sql: string }>`select name, sql from sqlite_master
            where type = 'trigger' order by name`.execute(db.allTenants)
        ).rows;
      const before = await triggers();
      await sql`insert into tenants (id, slug, slug_key, name, time_zone, catalog, work_roles, settings, created_at, updated_at)
        values ('ten_a', 'a', 'a', 'A', 'UTC', '[]', '[]', '{}', '2026-01-01', '2026-01-01')`.execute(
        db.allTenants,
      );
      await sql`insert into audit_heads (tenant_id, seq, hash, purged_through_seq, purged_through_hash)
        values ('ten_a', 7, 'h7', 3, 'h3')`.execute(db.allTenants);
      await migrateToLatest(db.allTenants as never);
      const { rows } = await sql<{
        tenant_id: string;
        seq: number;
        hash: string;
        p: number;
        ph: string;
      }>`select
        tenant_id, seq, hash, purged_through_seq as p, purged_through_hash as ph from audit_heads`.execute(
        db.allTenants,
      );
      expect(rows.map((r) => [r.tenant_id, Number(r.seq), r.hash, Number(r.p), r.ph])).toEqual([
        ["ten_a", 7, "h7", 3, "h3"],
      ]);
      expect(await triggers()).toEqual(before);
      await expect(
        sql`insert into audit_heads (tenant_id, seq, hash) values (null, 1, 'x')`.execute(db.allTenants),
      ).rejects.toThrow(/NOT NULL/);
    } finally {
      await db.destroy();
    }
  });
});
