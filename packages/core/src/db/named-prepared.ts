/**
 * A query compiled once (as db/prepared.ts does) that PostgreSQL also plans only once: it is sent
 * as a named prepared statement, so each pooled connection parses and plans it on first use and
 * afterwards only binds and executes it. For the statement every authenticated request makes
 * (auth/authenticate.store.ts): planning that four-table join took 0.33 ms of PostgreSQL's CPU per
 * request, more than running it (bench/decisions). SQLite needs no name: openDatabase's
 * statement cache already reuses statements by their text.
 *
 * How: pg's `client.query()` takes a query config `{ name, text }` where it takes a text, and
 * Kysely's PostgreSQL driver hands the compiled query's `sql` to it untouched, so the config rides
 * in `sql`. PostgreSQL re-plans a named statement itself after a schema change; only a change of
 * a selected column's type under a running instance would fail it ("cached plan must not change
 * result type") until that connection is replaced; no migration so far retypes a column.
 *
 * `build` gets placeholders in place of the values, and the query's shape must not depend on them
 * (prepared.ts says why); the first compilation checks that every placeholder became a parameter.
 */
import { type Compilable, type CompiledQuery, createQueryId, PostgresAdapter } from "kysely";
import type { Executor } from "../shared/tx.ts";
import { MARK, templatesOf } from "./prepared.ts";

type Value = string | number | null;

export interface NamedPrepared<P extends { [K in keyof P]: Value }, R> {
  rows(db: Executor, values: P): Promise<R[]>;
  first(db: Executor, values: P): Promise<R | undefined>;
}

export function namedPrepared<P extends { [K in keyof P]: Value }, R>(
  name: string,
  names: readonly (keyof P & string)[],
  build: (db: Executor, values: P) => Compilable<R>,
): NamedPrepared<P, R> {
  const compiledOf = templatesOf(names, build, (compiled, slots) => {
    if (compiled.sql.includes(MARK) || slots.includes(null) || names.some((n) => !slots.includes(n)))
      throw new Error(`named query ${name}: every value must be a parameter, and only values`);
  });
  // What goes in `sql`: the text, or on PostgreSQL the named query config; one per template.
  const sqlOf = new WeakMap<object, unknown>();
  const template = (db: Executor) => {
    const t = compiledOf(db);
    let sql = sqlOf.get(t);
    if (sql === undefined) {
      sql = t.adapter instanceof PostgresAdapter ? { name, text: t.compiled.sql } : t.compiled.sql;
      sqlOf.set(t, sql);
    }
    return { compiled: t.compiled, sql, slots: t.slots as readonly (keyof P)[] };
  };
  const rows = async (db: Executor, values: P): Promise<R[]> => {
    const { compiled, sql, slots } = template(db);
    const parameters = slots.map((slot) => values[slot] ?? null);
    const query = { ...compiled, sql, parameters, queryId: createQueryId() } as unknown as CompiledQuery<R>;
    return (await db.executeQuery<R>(query)).rows;
  };
  return { rows, first: async (db, values) => (await rows(db, values))[0] };
}
