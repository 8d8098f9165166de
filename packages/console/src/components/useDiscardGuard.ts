/**
 * A dialog's form that holds typed input not yet saved says what to ask before it is thrown away
 * (`useDiscardGuard("Discard …?")`, null while nothing changed); the Dialog around it asks that
 * before Escape or × closes it, and the browser asks it before Back, a link or a reload leaves the
 * page under it (router.tsx, as Settings asks). Cancel is a choice made on purpose and closes
 * without asking.
 */
import { createContext, useContext, useEffect } from "react";
import { useLeaveGuard } from "../router.tsx";

/** The question the open dialog's form has set, if any (a ref the Dialog owns). */
export interface DiscardQuestion {
  current: string | null;
  /** Closes the dialog (its `onClose`), when leaving the page was agreed to. */
  close?: () => void;
}

export const DiscardContext = createContext<DiscardQuestion | null>(null);

export function useDiscardGuard(question: string | null): void {
  const slot = useContext(DiscardContext);
  // The browser's Back, a link, a reload or closing the tab ask too: on a phone Back is how a
  // dialog is closed, and it threw the typing away without a word (the conflict review).
  useLeaveGuard(question, () => slot?.close?.());
  useEffect(() => {
    if (!slot) return;
    slot.current = question;
    return () => {
      slot.current = null;
    };
  }, [slot, question]);
}

/** The same for a form that renders its own Dialog (its hooks run outside it): placed inside. */
export function DiscardGuard({ question }: { readonly question: string | null }): null {
  useDiscardGuard(question);
  return null;
}

/** True when the dialog may close: nothing would be lost, or the person agrees to lose it. */
export function mayDiscard(slot: DiscardQuestion): boolean {
  return slot.current === null || window.confirm(slot.current);
}
