/**
 * A modal dialog on the native `<dialog>` (focus trap, Escape, inert background for free).
 * Closing it any way (Escape, the Close button) calls `onClose`; the parent unmounts it. It opens
 * on its first field (or, without one, its first button) rather than the × in its head.
 */
import { type ReactNode, useEffect, useId, useRef } from "react";

/**
 * Where a dialog starts: what is marked `data-autofocus`, else a field that is shown and usable
 * (not one on a hidden tab), else the first button under the form.
 */
function firstFocus(d: HTMLDialogElement): HTMLElement | null {
  const shown = (el: HTMLElement) => el.getClientRects().length > 0;
  const fields = d.querySelectorAll<HTMLElement>(
    "[data-autofocus], input:not([type=hidden]):not(:disabled):not([readonly]), select:not(:disabled), textarea:not(:disabled):not([readonly])",
  );
  const field = [...fields].find(shown);
  if (field) return field;
  // No field (a confirmation): its first button, Cancel, the choice that changes nothing.
  return [...d.querySelectorAll<HTMLElement>(".actions button")].find(shown) ?? null;
}

export function Dialog(props: {
  readonly title: string;
  readonly onClose: () => void;
  readonly children: ReactNode;
  /** Wider, for editors (role permissions). */
  readonly wide?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) {
      d.showModal();
      // The browser would focus the first focusable, the × in the head: start where the work is.
      firstFocus(d)?.focus();
    }
  }, []);
  return (
    <dialog
      ref={ref}
      className={props.wide ? "dialog wide" : "dialog"}
      aria-labelledby={titleId}
      onClose={props.onClose}
    >
      <div className="dialog-head">
        <h2 id={titleId}>{props.title}</h2>
        <button type="button" className="close" aria-label="Close" onClick={props.onClose}>
          ×
        </button>
      </div>
      {props.children}
    </dialog>
  );
}
