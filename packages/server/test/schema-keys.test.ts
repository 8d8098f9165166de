/**
 * Every table has a primary key, on each database, read from the database's own catalogue:
 * PostgreSQL's logical replication cannot publish a keyless table's updates and deletes, and a
 * keyless row cannot be named alone.
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, TEST_DB, type TestApp } from "./harness.ts";

describe(`the schema's keys (${TEST_DB})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it("gives every table a primary key", async () => {
    const { rows } =
      TEST_DB === "postgres"
        ? await sql<{ name: string; keyed: boolean }>`select c.relname as name,
            exists (select 1 from pg_constraint k where k.conrelid = c.oid and k.contype = 'p') as keyed
            from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where c.relkind = 'r' and n.nspname = current_schema()`.execute(t.db.allTenants)
        : await sql<{ name: string; keyed: number }>`select m.name as name,
            exists (select 1 from pragma_table_info(m.name) c where c.pk > 0) as keyed
            from sqlite_master m where m.type = 'table' and m.name not like 'sqlite_%' and m.sql not like 'CREATE VIRTUAL%'`.execute(
            t.db.allTenants,
          );
    expect(rows.length).toBeGreaterThan(20);
    expect(rows.filter((r) => !r.keyed).map((r) => r.name)).toEqual([]);
  });

  // SQLite lets a primary key that is not an INTEGER hold NULL unless it says `not null`:
  // audit_heads' did not (the resolved-issues audit), so the catalogue is read, not the DDL.
  it("declares every tenant_id NOT NULL, and at least one per tenant-owned table", async () => {
    const { rows } =
      TEST_DB === "postgres"
        ? await sql<{
            name: string;
            nullable: boolean;
          }>`select table_name as name, is_nullable = 'YES' as nullable
            from information_schema.columns where table_schema = current_schema() and column_name = 'tenant_id'`.execute(
            t.db.allTenants,
          )
        : await sql<{ name: string; nullable: number }>`select m.name as name, c."notnull" = 0 as nullable
            from sqlite_master m join pragma_table_info(m.name) c on c.name = 'tenant_id'
            where m.type = 'table'`.execute(t.db.allTenants);
    expect(rows.length).toBeGreaterThan(15);
    expect(rows.map((r) => r.name)).toContain("audit_heads");
    expect(rows.filter((r) => r.nullable).map((r) => r.name)).toEqual([]);
  });
});
