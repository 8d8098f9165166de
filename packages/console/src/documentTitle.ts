/**
 * The browser tab's title follows the page ("Users — Staffgate"), so tabs, history and a screen
 * reader's announcement of the new page tell pages apart.
 */
import { useEffect } from "react";

const PRODUCT = "Staffgate";

export function titleOf(page: string | null): string {
  return page ? `${page} — ${PRODUCT}` : PRODUCT;
}

export function useDocumentTitle(page: string | null): void {
  useEffect(() => {
    document.title = titleOf(page);
  }, [page]);
}
