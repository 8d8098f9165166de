/**
 * A box that may scroll on its own (a wide table on a phone). While it scrolls it is a named region
 * in the Tab order, so the arrow keys can scroll it even when nothing inside takes the focus
 * (WCAG 2.1.1); while it fits, it is a plain box and no extra Tab stop.
 */
import { type ReactNode, type RefObject, useLayoutEffect, useRef, useState } from "react";

export function ScrollBox(props: {
  readonly className: string;
  /** What a screen reader calls the region, e.g. the table's caption. */
  readonly label: string;
  readonly children: ReactNode;
}) {
  const ref = useRef<HTMLElement>(null);
  const scrolls = useScrolls(ref);
  return (
    <section
      ref={ref}
      className={`scroll-box ${props.className}`}
      aria-label={scrolls ? props.label : undefined}
      tabIndex={scrolls ? 0 : undefined}
    >
      {props.children}
    </section>
  );
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
