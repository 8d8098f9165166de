/**
 * A switch that takes things away (Collaborator takes away what a collaborator may not hold, and a
 * tenant-level collaborator's workspace rows) gives them back when the same switch is switched
 * back straight after, before anything else changed: otherwise one click, undone at once, silently
 * lost the ticks it cleared (found by a browser walk of the role editor). Another switch in
 * between is a change like any other (a review: ticking a second row's Collaborator undid the
 * first's).
 */
import { useRef } from "react";

/**
 * `flip(which, current, next)`: what to show after switch `which` is flipped; `next`, or what was
 * there before `which` was last flipped when nothing has changed since.
 */
export type FlipBack<T> = (which: string, current: T, next: T) => T;

export function useFlipBack<T>(): FlipBack<T> {
  const last = useRef<{ readonly which: string; readonly before: T; readonly after: T } | null>(null);
  return (which, current, next) => {
    const prior = last.current;
    if (prior?.which === which && prior.after === current) {
      last.current = null;
      return prior.before;
    }
    last.current = { which, before: current, after: next };
    return next;
  };
}
