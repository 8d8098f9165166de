/**
 * A modal dialog on the native `<dialog>` (focus trap, Escape, inert background for free).
 * Closing it any way (Escape, the Close button) calls `onClose`; the parent unmounts it. It opens
 * on its first field (or, without one, its first button) rather than the × in its head; one that
 * loads its form first holds the focus on itself until the form is there. Closed, it gives the
 * focus back to what had it before, or to the page's heading when that is gone (keepFocus.ts).
 * A form inside that holds unsaved input is asked about first (useDiscardGuard.ts).
 *
 * It renders into `<body>`, beside the app rather than inside it, so that the page behind it can be
 * hidden from assistive technology while it is open (modalLayer.ts) without hiding the dialog too.
 */
import {
  type KeyboardEvent,
  type ReactNode,
  type SyntheticEvent,
  useEffect,
  useId,
  useRef,
  useState,
} from "react";
import { createPortal } from "react-dom";
import { firstFocus, focusLost, giveFocusBack, keepOpener } from "./keepFocus.ts";
import { hideBehind } from "./modalLayer.ts";
import { DiscardContext, type DiscardQuestion, mayDiscard } from "./useDiscardGuard.ts";

export function Dialog(props: {
  readonly title: string;
  readonly onClose: () => void;
  readonly children: ReactNode;
  /** Wider, for editors (role permissions). */
  readonly wide?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [discard] = useState<DiscardQuestion>(() => ({ current: null }));
  discard.close = props.onClose;
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    // Read before the dialog takes the focus.
    keepOpener(d);
    if (!d.open) d.showModal();
    // The browser would focus the first focusable, the × in the head: start where the work is.
    // Still loading (Edit reads the user first), the focus waits on the dialog itself, then goes
    // to the first field once the form is there, unless the person has moved it meanwhile.
    const start = firstFocus(d);
    (start ?? d).focus();
    // Once the focus is inside: the page made inert while it held the focus would drop it.
    const show = hideBehind(d);
    /**
     * Escape, Cancel or Save has the parent take the dialog away while open, and the focus would
     * drop to the page's body: back to the opener, or to the page's heading when the action took
     * the opener away (Delete, Revoke). The page is shown first: an inert one takes no focus.
     */
    const giveBack = () => {
      show();
      if (focusLost()) giveFocusBack(d);
    };
    if (start) return giveBack;
    const watch = new MutationObserver(() => {
      if (document.activeElement !== d) return watch.disconnect();
      const field = firstFocus(d);
      if (!field) return;
      watch.disconnect();
      field.focus();
    });
    watch.observe(d, { childList: true, subtree: true });
    return () => {
      watch.disconnect();
      giveBack();
    };
  }, []);
  const close = () => {
    if (mayDiscard(discard)) props.onClose();
  };
  /**
   * Escape is stopped at its keydown and the dialog closed there, by the page, for two reasons.
   * A cancel event the page refused once is not refusable again until the next click or key, so a
   * second Escape would close without asking. And the browser's own close event comes later, as a
   * task of its own: a key pressed meanwhile (reopening from the keyboard) would reach a page that
   * still holds this dialog open, which the late event would then shut. An Escape meant for a
   * dialog opened inside this one is its.
   */
  const onKeyDown = (event: KeyboardEvent<HTMLDialogElement>) => {
    if (event.key !== "Escape") return;
    if (!(event.target instanceof Element) || event.target.closest("dialog") !== ref.current) return;
    event.preventDefault();
    close();
  };
  // Any other close request (a device's Back gesture) goes the same way.
  const onCancel = (event: SyntheticEvent<HTMLDialogElement>) => {
    if (event.target !== ref.current) return;
    event.preventDefault();
    close();
  };
  return createPortal(
    <dialog
      ref={ref}
      className={props.wide ? "dialog wide" : "dialog"}
      aria-labelledby={titleId}
      tabIndex={-1}
      onClose={props.onClose}
      onKeyDown={onKeyDown}
      onCancel={onCancel}
    >
      <div className="dialog-head">
        <h2 id={titleId}>{props.title}</h2>
        <button type="button" className="close" aria-label="Close" onClick={close}>
          ×
        </button>
      </div>
      <DiscardContext.Provider value={discard}>{props.children}</DiscardContext.Provider>
    </dialog>,
    document.body,
  );
}
