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
});
