/**
 * The name of a scroll box (a named region while it scrolls, ScrollBox.tsx). Its label is usually
 * the table's caption, which is often the title of the section around it too (Emergency access:
 * "All emergency access"); two regions of one name fail axe's `landmark-unique` (found at 390 px
 * by the browser audit), and a screen reader's list of regions would show the name twice. Such a
 * box is then named as the table it scrolls.
 */
const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/** `label`, or a distinct name when a region around the box (`enclosing`) already has it. */
export function scrollBoxLabel(label: string, enclosing: readonly string[]): string {
  return enclosing.some((name) => same(name, label)) ? `${label} (table)` : label;
}
