/**
 * A list of tuples passed as ONE JSON parameter and read as rows, on either database: a statement
 * that takes any number of items with one text, so it is prepared once (SQLite's statement cache)
 * or planned once per connection (PostgreSQL, db/named-prepared.ts), where `IN (…)` lists of every
 * length were a new statement each time. `item(i)` is the i-th field of an item, as text.
 */
import { PostgresAdapter, type RawBuilder, sql } from "kysely";
import type { Executor } from "../shared/tx.ts";

export function jsonList<A extends string>(db: Executor, list: string, alias: A) {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const value = sql.ref(`${alias}.value`);
  const from = pg
    ? sql<{ value: unknown }>`jsonb_array_elements(cast(${list} as jsonb))`.as(alias)
    : sql<{ value: unknown }>`json_each(${list})`.as(alias);
  const item = (i: number): RawBuilder<string> =>
    pg ? sql<string>`${value}->>${sql.lit(i)}` : sql<string>`json_extract(${value}, ${sql.lit(`$[${i}]`)})`;
  return { from, item };
}
