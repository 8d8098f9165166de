/**
 * A Kysely query compiled once per database and re-bound with each call's values. On the sign-in
 * path (about ten statements, issue 4) building and compiling queries cost more main-thread time
 * than SQLite took to run them; the SQL text is what openDatabase's statement cache keys on, so
 * SQLite does not prepare them again either.
 *
 * `build` gets placeholders in place of the values. The query's shape must not depend on them: no
 * optional parts, no lists whose length varies, values used only as parameters (never inlined).
 * The first compilation checks that every placeholder came out as a parameter, and that a query
 * over a tenant's table names its tenant (db/tenant-guard.ts), on whichever connection it was.
 */
import { type Compilable, type CompiledQuery, createQueryId, type QueryResult } from "kysely";
import type { Executor } from "../shared/tx.ts";
import { assertNamesTenant } from "./tenant-guard.ts";

/** A parameter value as the drivers take it (never undefined: Kysely would drop the column). */
type Value = string | number | null;

export const MARK = "\u0000prepared:";

export interface Template<P> {
  readonly compiled: CompiledQuery;
  /** The dialect adapter it was compiled for. */
  readonly adapter: object;
  /** Per parameter: the name of the call's value, or null to keep the compiled constant. */
  readonly slots: readonly (keyof P | null)[];
}

export interface Prepared<P extends { [K in keyof P]: Value }, R> {
  execute(db: Executor, values: P): Promise<QueryResult<R>>;
  rows(db: Executor, values: P): Promise<R[]>;
  first(db: Executor, values: P): Promise<R | undefined>;
}

/**
 * Compiles `build` once per dialect adapter (which a Kysely instance and its transactions share)
 * with placeholders for the values, and maps each compiled parameter back to its value's name
 * (null: a constant of the query). `check` refuses a template before it is kept.
 */
export function templatesOf<P, R>(
  names: readonly (keyof P & string)[],
  build: (db: Executor, values: P) => Compilable<R>,
  check: (compiled: CompiledQuery, slots: readonly (keyof P | null)[]) => void,
): (db: Executor) => Template<P> {
  const templates = new WeakMap<object, Template<P>>();
  return (db) => {
    const adapter = db.getExecutor().adapter;
    let t = templates.get(adapter);
    if (!t) {
      const marks = Object.fromEntries(names.map((n) => [n, `${MARK}${n}`])) as unknown as P;
      const compiled = build(db, marks).compile();
      // Every connection of the dialect shares the template: it must name its tenant whichever
      // compiled it first (a query meant to span tenants is not prepared).
      assertNamesTenant(compiled.query);
      const slots = compiled.parameters.map((p) =>
        typeof p === "string" && p.startsWith(MARK) ? (p.slice(MARK.length) as keyof P) : null,
      );
      check(compiled, slots);
      t = { compiled, slots, adapter };
      templates.set(adapter, t);
    }
    return t;
  };
}

export function prepared<P extends { [K in keyof P]: Value }, R>(
  names: readonly (keyof P & string)[],
  build: (db: Executor, values: P) => Compilable<R>,
): Prepared<P, R> {
  const template = templatesOf(names, build, (compiled, slots) => {
    const missing = names.filter((n) => !slots.includes(n));
    if (compiled.sql.includes(MARK) || missing.length > 0)
      throw new Error(`prepared query: not a parameter: ${missing.join(", ") || "(inlined)"}`);
  });
  const execute = (db: Executor, values: P): Promise<QueryResult<R>> => {
    const { compiled, slots } = template(db);
    // `?? null`: an undefined from a loosely typed caller binds as NULL (the drivers refuse undefined).
    const parameters = slots.map((name, i) =>
      name === null ? compiled.parameters[i] : (values[name] ?? null),
    );
    return db.executeQuery<R>({ ...compiled, parameters, queryId: createQueryId() } as CompiledQuery<R>);
  };
  return {
    execute,
    rows: async (db, values) => (await execute(db, values)).rows,
    first: async (db, values) => (await execute(db, values)).rows[0],
  };
}
