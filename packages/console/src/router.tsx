/** A tiny history router: the path is the state; links push it; back/forward pop it. */
import { type AnchorHTMLAttributes, type MouseEvent, useEffect, useRef, useSyncExternalStore } from "react";

const CHANGE = "staffgate:navigate";

/**
 * What asks before the page is left (unsaved work): its address, and the question (true: leave).
 * The newest holds; when it ends, the one it covered holds again (a dialog's over its page's).
 */
interface LeaveGuard {
  readonly here: string;
  readonly ask: () => boolean;
  /** Called once leaving was agreed (a dialog closes: what it held was given up). */
  readonly left: (() => void) | undefined;
}

/** The guards set, newest last: the newest asks. Each leaves the stack itself, in any order. */
const guards: LeaveGuard[] = [];
const newest = (): LeaveGuard | undefined => guards.at(-1);
const drop = (g: LeaveGuard) => {
  const i = guards.indexOf(g);
  if (i >= 0) guards.splice(i, 1);
};

/** Set when the page is reloaded on purpose (sessionPin.ts): no "Leave site?" stands in its way. */
let released = false;

/** The page is about to be reloaded by the console itself: its guards no longer ask. */
export function releaseLeaveGuards(): void {
  released = true;
  guards.length = 0;
}

const where = () => window.location.pathname + window.location.search;

/**
 * Back or Forward out of a guarded page: it asks, and staying puts the page's address back.
 * Judged inside each subscriber's listener, so no page changes before the answer.
 */
function mayPop(): boolean {
  const guard = newest();
  if (!guard || where() === guard.here) return true;
  if (guard.ask()) {
    const agreed = guard;
    drop(agreed);
    // Back within the same page leaves a dialog open otherwise, its typing now unguarded (the
    // second review): what was agreed to be given up is closed.
    agreed.left?.();
    return true;
  }
  window.history.pushState(null, "", guard.here);
  return false;
}

function subscribe(onChange: () => void): () => void {
  const onPop = () => {
    if (mayPop()) onChange();
  };
  window.addEventListener("popstate", onPop);
  window.addEventListener(CHANGE, onChange);
  return () => {
    window.removeEventListener("popstate", onPop);
    window.removeEventListener(CHANGE, onChange);
  };
}

/**
 * While `question` is set ("Discard unsaved changes?"), leaving the page asks it first: a link or
 * Back inside the console (a confirm; Cancel stays), and closing or reloading the tab (the
 * browser's own question, as it words it).
 */
export function useLeaveGuard(question: string | null, left?: () => void): void {
  // The latest `left`, without re-arming the guard each render.
  const onLeft = useRef(left);
  onLeft.current = left;
  useEffect(() => {
    if (!question) return;
    const mine: LeaveGuard = {
      here: where(),
      ask: () => window.confirm(question),
      left: () => onLeft.current?.(),
    };
    guards.push(mine);
    const onUnload = (event: BeforeUnloadEvent) => {
      if (!released) event.preventDefault();
    };
    window.addEventListener("beforeunload", onUnload);
    return () => {
      drop(mine);
      window.removeEventListener("beforeunload", onUnload);
    };
  }, [question]);
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) window.history.replaceState(null, "", to);
  else window.history.pushState(null, "", to);
  window.dispatchEvent(new Event(CHANGE));
}

/** The current pathname, re-rendering on navigation. */
export function usePath(): string {
  return useSyncExternalStore(subscribe, () => window.location.pathname);
}

/** The current query string (`?a=1`, or ""), re-rendering on navigation: a filtered view's address. */
export function useSearch(): string {
  return useSyncExternalStore(subscribe, () => window.location.search);
}

type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, "href"> & { to: string };

/** An ordinary link (open in new tab still works) that navigates in place on a plain click. */
export function Link({ to, onClick, children, ...rest }: LinkProps) {
  const handle = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    const guard = newest();
    if (guard && !guard.ask()) return;
    navigate(to);
  };
  return (
    <a href={to} onClick={handle} {...rest}>
      {children}
    </a>
  );
}
