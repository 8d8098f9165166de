/**
 * `planStable(value)`: a bound text value that SQLite's planner does not peek at.
 *
 * better-sqlite3 is built with SQLITE_ENABLE_STAT4. Once a database has statistics (`ANALYZE`, or
 * `PRAGMA optimize` in a long-running deployment), SQLite marks every statement whose plan could
 * depend on a bound value (`column = ?` on an indexed column with stat4 samples) to be prepared
 * again each time that value changes — and a driver binds afresh on every run. The statement
 * cache (database.ts) then saves nothing: the authenticate join was re-planned on every request
 * (40 µs instead of 7.5 µs, bench/decisions). The planner only peeks at a bare `?`; wrapped in a
 * CAST it is an opaque constant, still used for the index lookup (`SEARCH … USING INDEX (x=?)`).
 * Use it where the plan cannot depend on the value anyway: equality on a unique key. PostgreSQL
 * reads `cast($1 as text)` as the same text parameter.
 */
import { type RawBuilder, sql } from "kysely";

export function planStable(value: string): RawBuilder<string> {
  return sql<string>`cast(${value} as text)`;
}
