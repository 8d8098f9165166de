/**
 * Where the keyboard focus goes when what held it is taken away: a Delete whose row the reloaded
 * list no longer has, a Revoke it no longer offers, a step that replaces its own button. Left to
 * the browser it falls to the page's body, and a keyboard or screen-reader user starts again from
 * the top. Instead: into the open dialog, else back to the dialog's opener while it is still
 * there, else the page's main heading (the same place the "Skip to content" link leads).
 */
import { type RefObject, useEffect } from "react";
import { topModal } from "./modalLayer.ts";

/** What had the focus when each dialog opened. */
const openers = new WeakMap<Element, Element | null>();

/** Records the dialog's opener, once (development runs effects twice, the dialog has it by then). */
export function keepOpener(dialog: Element): void {
  if (!openers.has(dialog)) openers.set(dialog, document.activeElement);
}

export const focusLost = (): boolean => !document.activeElement || document.activeElement === document.body;

/** Still there to take the focus: in the page, shown, not disabled. */
function usable(el: Element | null | undefined): el is HTMLElement {
  return (
    el instanceof HTMLElement && el.isConnected && el.getClientRects().length > 0 && !el.matches(":disabled")
  );
}

/**
 * Where a dialog starts: what is marked `data-autofocus`, else a field that is shown and usable
 * (not one on a hidden tab), else the first button under the form.
 */
export function firstFocus(d: Element): HTMLElement | null {
  const fields = d.querySelectorAll<HTMLElement>(
    "[data-autofocus], input:not([type=hidden]):not(:disabled):not([readonly]), select:not(:disabled), textarea:not(:disabled):not([readonly])",
  );
  const field = [...fields].find(usable);
  if (field) return field;
  // No field (a confirmation): its first button, Cancel, the choice that changes nothing.
  return [...d.querySelectorAll<HTMLElement>(".actions button")].find(usable) ?? null;
}

/**
 * After a refusal: the first field marked invalid that can take the focus (one on a hidden tab
 * cannot), so the person starts where the fix is typed. False when none can.
 */
export function focusFirstInvalid(root: Element): boolean {
  const field = [...root.querySelectorAll('[aria-invalid="true"]')].find(usable);
  if (!field) return false;
  // A group (a list of choices) cannot hold the focus itself: its first choice does.
  const control = field.matches("fieldset")
    ? (field.querySelector<HTMLElement>("input:not(:disabled), select:not(:disabled)") ?? field)
    : field;
  control.focus();
  return true;
}

/**
 * Every form's way after a refusal: whoever found a field wrong, the form itself or the API, the
 * focus goes to the first one marked, so the reason beside it is read out. Each refusal sets a
 * new `errors` object, so the focus moves again even when the same field is wrong.
 */
export function useFocusFirstInvalid(
  form: RefObject<Element | null>,
  errors: object,
  refused: boolean,
): void {
  // biome-ignore lint/correctness/useExhaustiveDependencies: `errors` is the trigger: a new object at each refusal, read by focusFirstInvalid through the DOM.
  useEffect(() => {
    if (form.current && refused) focusFirstInvalid(form.current);
  }, [form, errors, refused]);
}

/**
 * The page's main heading, else the main landmark. Every page renders its own h1; it is made
 * focusable here (tabIndex -1: reached by script, never a Tab stop) rather than in each page.
 */
export function focusMainContent(): void {
  const main = document.querySelector("main");
  const target = main?.querySelector("h1") ?? main;
  if (!target) return;
  if (!target.hasAttribute("tabindex")) target.tabIndex = -1;
  target.focus();
}

/** After a dialog has gone: its opener when still usable, else the page's main heading. */
export function giveFocusBack(dialog: Element): void {
  const opener = openers.get(dialog);
  if (usable(opener)) opener.focus();
  else focusMainContent();
}

/** The focus went with an element that has gone: where it goes instead. */
function recover(from: Element): void {
  // A modal dialog makes the page inert: the focus stays in the dialog, the topmost of them (the
  // ones below are inert too).
  const modal = topModal() ?? document.querySelector<HTMLElement>("dialog[open]");
  if (modal) {
    (firstFocus(modal) ?? modal).focus();
    return;
  }
  // Removed with its dialog, the element still knows the dialog (the removed subtree keeps it).
  const dialog = from.closest("dialog");
  if (dialog) giveFocusBack(dialog);
  else focusMainContent();
}

/**
 * Watches the whole document while mounted: whenever the DOM changes and the focus has fallen to
 * the body because its element went (removed, hidden), it is put back; an element disabled while
 * it works gets it back when enabled. A click on nothing in particular puts the focus on the body
 * on purpose: that is left alone.
 */
export function useFocusKeeper(): void {
  useEffect(() => {
    let last: Element | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onFocusIn = (event: FocusEvent) => {
      last = event.target instanceof Element ? event.target : null;
    };
    const onPointerDown = () => {
      last = null;
    };
    // Judged after the task that changed the DOM: by then a Tab that closed a menu has moved the
    // focus on by itself, and a closing dialog has usually given it back already.
    const check = () => {
      if (!last || !focusLost()) return;
      // Disabled while its work runs (Copy, Export): it takes the focus back once enabled again.
      if (last.isConnected && last.getClientRects().length > 0 && last.matches(":disabled")) return;
      const from = last;
      last = null;
      if (usable(from)) from.focus();
      else recover(from);
    };
    const watch = new MutationObserver(() => {
      clearTimeout(timer);
      timer = setTimeout(check, 0);
    });
    watch.observe(document.body, {
      childList: true,
      subtree: true,
      attributes: true,
      attributeFilter: ["class", "hidden", "disabled", "open"],
    });
    document.addEventListener("focusin", onFocusIn);
    document.addEventListener("pointerdown", onPointerDown, true);
    return () => {
      watch.disconnect();
      clearTimeout(timer);
      document.removeEventListener("focusin", onFocusIn);
      document.removeEventListener("pointerdown", onPointerDown, true);
    };
  }, []);
}
