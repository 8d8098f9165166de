/**
 * A dialog's form that holds typed input not yet saved says what to ask before it is thrown away
 * (`useDiscardGuard("Discard …?")`, null while nothing changed); the Dialog around it asks that
 * before Escape or × closes it, as Settings asks before a link leaves unsaved changes
 * (router.tsx). Cancel is a choice made on purpose and closes without asking.
 */
import { createContext, useContext, useEffect } from "react";

/** The question the open dialog's form has set, if any (a ref the Dialog owns). */
export interface DiscardQuestion {
  current: string | null;
}

export const DiscardContext = createContext<DiscardQuestion | null>(null);

export function useDiscardGuard(question: string | null): void {
  const slot = useContext(DiscardContext);
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
