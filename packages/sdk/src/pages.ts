/** Walking a cursor-paged list to its end. */
import type { Page } from "./workspaces.ts";

/**
 * Every item of a cursor-paged list, page by page as the loop asks for them:
 * `for await (const user of allItems((cursor) => sg.users.list({ status: "all", cursor })))`.
 * Works for every list that answers `{ items, nextCursor }`, who-can included
 * (`(cursor) => sg.access.whoCan({ permission, cursor })`).
 */
export async function* allItems<T>(
  page: (cursor: string | undefined) => Promise<Pick<Page<T>, "items" | "nextCursor">>,
): AsyncGenerator<T, void, undefined> {
  let cursor: string | undefined;
  do {
    const p = await page(cursor);
    yield* p.items;
    cursor = p.nextCursor ?? undefined;
  } while (cursor !== undefined);
}
