/**
 * A box that may scroll on its own (a wide table on a phone). While it scrolls it is a named region
 * in the Tab order, so the arrow keys can scroll it even when nothing inside takes the focus
 * (WCAG 2.1.1); while it fits, it is a plain box and no extra Tab stop. Inside a region of the
 * same name (a section titled as its table's caption) it takes a distinct name (scrollBoxLabel.ts).
 */
import { type ReactNode, type RefObject, useLayoutEffect, useRef, useState } from "react";
import { scrollBoxLabel } from "./scrollBoxLabel.ts";

export function ScrollBox(props: {
  readonly className: string;
  /** What a screen reader calls the region, e.g. the table's caption. */
  readonly label: string;
  readonly children: ReactNode;
}) {
  const ref = useRef<HTMLElement>(null);
  const scrolls = useScrolls(ref);
  // Read when it starts to scroll: the regions around a box do not change their names meanwhile.
  const label =
    scrolls && ref.current ? scrollBoxLabel(props.label, regionsAround(ref.current)) : props.label;
  return (
    <section
      ref={ref}
      className={`scroll-box ${props.className}`}
      aria-label={scrolls ? label : undefined}
      tabIndex={scrolls ? 0 : undefined}
    >
      {props.children}
    </section>
  );
}

/** The accessible names of the named regions (landmarks) the box is inside. */
function regionsAround(box: HTMLElement): string[] {
  const names: string[] = [];
  for (let el = box.parentElement; el; el = el.parentElement) {
    const role = el.getAttribute("role");
    if (!(role === "region" || (role === null && el.tagName === "SECTION"))) continue;
    const labelledBy = el.getAttribute("aria-labelledby");
    const name = labelledBy
      ? labelledBy
          .split(/\s+/)
          .map((id) => document.getElementById(id)?.textContent ?? "")
          .join(" ")
      : el.getAttribute("aria-label");
    if (name) names.push(name);
  }
  return names;
}

/** Whether the box scrolls now: measured again whenever it or what it holds changes size. */
function useScrolls(ref: RefObject<HTMLElement | null>): boolean {
  const [scrolls, setScrolls] = useState(false);
  useLayoutEffect(() => {
    const box = ref.current;
    if (!box) return;
    const measure = () => {
      const style = getComputedStyle(box);
      const sideways = style.overflowX !== "visible" && box.scrollWidth > box.clientWidth + 1;
      const down = style.overflowY !== "visible" && box.scrollHeight > box.clientHeight + 1;
      setScrolls(sideways || down);
    };
    measure();
    const watch = new ResizeObserver(measure);
    watch.observe(box);
    for (const child of box.children) watch.observe(child);
    return () => watch.disconnect();
  }, [ref]);
  return scrolls;
}
