/**
 * A switch that takes things away (Collaborator takes away what a collaborator may not hold, and a
 * tenant-level collaborator's workspace rows) gives them back when it is switched back straight
 * after, before anything else changed: otherwise one click, undone at once, silently lost the
 * ticks it cleared (found by a browser walk of the role editor).
 */
import { useRef } from "react";

/** `flip(current, next)`: what to show after the switch; `next`, or what was there before it. */
export function useFlipBack<T>(): (current: T, next: T) => T {
  const last = useRef<{ readonly before: T; readonly after: T } | null>(null);
  return (current, next) => {
    const undo = last.current?.after === current ? last.current.before : undefined;
    last.current = undo === undefined ? { before: current, after: next } : null;
    return undo ?? next;
  };
}
