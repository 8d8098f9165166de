/**
 * While a modal dialog is open, what lies behind it is hidden from the accessibility tree
 * (`aria-hidden`) and from the keyboard and pointer (`inert`). The browser's `showModal` blocks
 * the page already, but not for everything that reads the page by its roles: a search for the
 * button "Create" found the page's "Create Workspace" as well as the dialog's "Create".
 *
 * Dialogs render straight into `<body>` (Dialog.tsx), so what lies behind one is every other child
 * of the body: the app's root and any dialog opened before it. Only the topmost stays exposed; when
 * it closes, the one below it is exposed again.
 */

/** The open modal dialogs, oldest first. */
const open: HTMLElement[] = [];
/** What this module hid, so that exactly that is given back (never what was hidden already). */
const hidden = new Set<HTMLElement>();
/** Body children that are no content (a bundle's script tag): left alone. */
const NOT_CONTENT = new Set(["SCRIPT", "STYLE", "LINK", "TEMPLATE", "NOSCRIPT"]);

/** The topmost open modal dialog still in the document, if any. */
export function topModal(): HTMLElement | null {
  for (let i = open.length - 1; i >= 0; i--) {
    const d = open[i];
    // Removed with its page before its effect ended (React removes the DOM first): not on top.
    if (d?.isConnected) return d;
  }
  return null;
}

function apply(): void {
  for (const el of hidden) {
    el.removeAttribute("aria-hidden");
    el.inert = false;
  }
  hidden.clear();
  const top = topModal();
  if (!top) return;
  for (const el of document.body.children) {
    if (!(el instanceof HTMLElement) || el.contains(top) || NOT_CONTENT.has(el.tagName)) continue;
    if (el.getAttribute("aria-hidden") === "true" || el.inert) continue;
    el.setAttribute("aria-hidden", "true");
    el.inert = true;
    hidden.add(el);
  }
}

/**
 * Hides everything but `dialog`, once it is open and holds the focus (an element made inert while
 * focused loses the focus, and the opener must be read before). Returns the undoing, to run before
 * the focus goes back to the opener, which an inert page could not take.
 */
export function hideBehind(dialog: HTMLElement): () => void {
  open.push(dialog);
  apply();
  return () => {
    const at = open.lastIndexOf(dialog);
    if (at >= 0) open.splice(at, 1);
    apply();
  };
}
