/**
 * `q` folds the Greek final sigma to σ (shared/text.rules.ts, foldText); users' stored search text
 * is folded the same way, so "ΟΔΥΣ" finds ΟΔΥΣΣΕΑΣ (found by the text audit). SQLite's trigram
 * index follows the column through its update trigger.
 */
import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not depend on today's row types.
type Db = Kysely<any>;

export async function up(db: Db): Promise<void> {
  await sql`update users set search_text = replace(search_text, 'ς', 'σ') where search_text like '%ς%'`.execute(
    db,
  );
}

export async function down(): Promise<void> {
  // Nothing to undo: σ where ς was is what the search looks for either way.
}
