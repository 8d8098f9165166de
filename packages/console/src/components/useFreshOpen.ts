/**
 * Opens a row's dialog on the row as the API has it now, not as its list read it (minutes ago, or
 * just before a refused save was closed): a save then starts from someone else's change instead of
 * being refused for it. A row that cannot be read (deleted meanwhile) is said in words, and the
 * list is read again.
 *
 * Only the latest request opens anything: the page stays clickable while a row is read, and an
 * answer that arrived after another row's Edit, or after Create (which calls `cancel`), would
 * otherwise retarget the dialog the person is typing in (the diff review: a role was overwritten
 * with a new role's form).
 */
import { useCallback, useRef } from "react";
import { problemMessage } from "../api.ts";

export interface FreshOpenPage {
  /** The page's notice, cleared when a row is opened. */
  readonly setNotice: (message: string | null) => void;
  /** The page's refusal: cleared when a row is opened, said when it cannot be read. */
  readonly setError: (message: string | null) => void;
  /** Reads the list again. */
  readonly reload: () => void;
}

export function useFreshOpen(page: FreshOpenPage) {
  const latest = useRef(0);
  const cancel = useCallback(() => {
    latest.current += 1;
  }, []);
  const open = async <T>(read: () => Promise<T>, show: (row: T) => void): Promise<void> => {
    const mine = ++latest.current;
    page.setNotice(null);
    page.setError(null);
    try {
      const row = await read();
      if (mine === latest.current) show(row);
    } catch (e) {
      if (mine !== latest.current) return;
      page.setError(problemMessage(e));
      page.reload();
    }
  };
  return { open, cancel };
}
