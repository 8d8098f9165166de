/**
 * Cursor pages of one list, and the Previous/Next buttons between them. `cursors[i]` is page i's
 * cursor (page one has none); they belong to one `key` (a search, a set of filters): another
 * starts again at page one.
 */
import { useState } from "react";

export interface CursorPages {
  /** The cursor of the page shown; undefined on page one. */
  readonly cursor: string | undefined;
  /** The page number shown, from 1. */
  readonly page: number;
  readonly previous: () => void;
  readonly next: (cursor: string) => void;
}

export function useCursorPages(key: string): CursorPages {
  const [paging, setPaging] = useState({ key, cursors: [undefined] as (string | undefined)[] });
  const cursors = paging.key === key ? paging.cursors : [undefined];
  return {
    cursor: cursors[cursors.length - 1],
    page: cursors.length,
    previous: () => setPaging({ key, cursors: cursors.slice(0, -1) }),
    next: (cursor) => setPaging({ key, cursors: [...cursors, cursor] }),
  };
}

export function Pager(props: {
  readonly pages: CursorPages;
  readonly loading: boolean;
  /** The next page's cursor once the page shown has loaded; none: this is the last. */
  readonly nextCursor: string | null | undefined;
}) {
  const { pages, nextCursor } = props;
  return (
    <div className="pager">
      <button type="button" disabled={pages.page <= 1 || props.loading} onClick={pages.previous}>
        Previous page
      </button>
      <span>Page {pages.page}</span>
      <button
        type="button"
        disabled={!nextCursor}
        onClick={() => {
          if (nextCursor) pages.next(nextCursor);
        }}
      >
        Next page
      </button>
    </div>
  );
}
