/**
 * Keyset paging: the rows strictly past a position `(key, id)` in the order `key, id` (both
 * ascending with ">", both descending with "<"), so a page never repeats or skips a row however
 * many share a key. Written out as OR/AND (not a row value) so either database can use the index
 * on (tenant_id, key, id).
 */
import { type RawBuilder, type SqlBool, sql } from "kysely";

export function pastKeyset(
  keyColumn: string,
  idColumn: string,
  direction: "<" | ">",
  [key, id]: readonly [string, string],
): RawBuilder<SqlBool> {
  const k = sql.ref(keyColumn);
  const op = sql.raw(direction);
  return sql<SqlBool>`(${k} ${op} ${key} or (${k} = ${key} and ${sql.ref(idColumn)} ${op} ${id}))`;
}
