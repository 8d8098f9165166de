/**
 * Keyboard checks: where Tab goes, whether the focused control shows a ring that stands out from
 * what is behind it (WCAG 1.4.11: 3:1) on all four sides, and how a dialog takes and gives back
 * the focus.
 */
import type { Locator, Page } from "playwright-core";
import { expect } from "vitest";
import { gone, visible } from "./harness.ts";

export interface TabStop {
  /** "button Sign out", "a Users", "input Search users". */
  readonly what: string;
  /** Why its focus cannot be seen; null when it can. */
  readonly unseen: string | null;
}

/** The focused element as a person finds it, and whether its focus ring can be seen. */
export function focusedStop(page: Page): Promise<TabStop> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return { what: "body", unseen: null };
    const name =
      el.getAttribute("aria-label") ??
      (el as HTMLInputElement).labels?.[0]?.textContent ??
      el.textContent ??
      "";
    const what = `${el.tagName.toLowerCase()} ${name.replace(/\s+/g, " ").trim()}`;
    const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
    const luminance = ([r = 0, g = 0, b = 0]: number[]) => {
      const lin = (v: number) => (v / 255 <= 0.03928 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4);
      return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
    };
    const s = getComputedStyle(el);
    // What the ring is drawn on: the nearest opaque background around the control, or under it
    // when the ring is drawn inside (a negative offset).
    const inside = Number.parseFloat(s.outlineOffset) < 0;
    let behind = "rgb(255, 255, 255)";
    for (let p: HTMLElement | null = inside ? el : el.parentElement; p; p = p.parentElement) {
      const bg = getComputedStyle(p).backgroundColor;
      if ((rgb(bg)[3] ?? 1) === 1) {
        behind = bg;
        break;
      }
    }
    // Focus inside the browser's own part of a control (a date field's calendar button): the
    // browser draws that ring, out of the page's reach.
    if (!el.matches(":focus")) return { what: `${what} (browser part)`, unseen: null };
    if (!el.matches(":focus-visible")) return { what, unseen: "not :focus-visible" };
    const ring = s.outlineStyle !== "none" && Number.parseFloat(s.outlineWidth) >= 2;
    if (!ring && s.boxShadow === "none") return { what, unseen: "no outline and no box-shadow" };
    if (!ring) return { what, unseen: null };
    const [a, b] = [luminance(rgb(s.outlineColor)), luminance(rgb(behind))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 3) return { what, unseen: `ring ${s.outlineColor} on ${behind}: ${ratio.toFixed(2)}:1` };
    // Each side of the ring, along its middle line, is on screen, inside every box that clips, and
    // not under something opaque painted later (a link as wide as its column: the page beside it).
    const r = el.getBoundingClientRect();
    const d = Number.parseFloat(s.outlineOffset) + Number.parseFloat(s.outlineWidth) / 2;
    const [midX, midY] = [(r.left + r.right) / 2, (r.top + r.bottom) / 2];
    const sides = {
      left: [r.left - d, midY],
      right: [r.right + d, midY],
      top: [midX, r.top - d],
      bottom: [midX, r.bottom + d],
    } as const;
    const clips: Element[] = [];
    for (let p = el.parentElement; p; p = p.parentElement) {
      const o = getComputedStyle(p);
      if (o.overflowX !== "visible" || o.overflowY !== "visible") clips.push(p);
    }
    const hidden = Object.entries(sides).filter(([, [x, y]]) => {
      const within = (b: DOMRect) => x >= b.left && x <= b.right && y >= b.top && y <= b.bottom;
      if (!within(new DOMRect(0, 0, window.innerWidth, window.innerHeight))) return true;
      if (clips.some((c) => !within(c.getBoundingClientRect()))) return true;
      // Text with no background of its own (a hint under a field) leaves the ring showing.
      const hit = document.elementFromPoint(x, y);
      if (!hit || el.contains(hit) || !(el.compareDocumentPosition(hit) & Node.DOCUMENT_POSITION_FOLLOWING)) {
        return false;
      }
      return (rgb(getComputedStyle(hit).backgroundColor)[3] ?? 1) === 1;
    });
    return { what, unseen: hidden.length > 0 ? `ring hidden at ${hidden.map(([k]) => k).join(", ")}` : null };
  });
}

/** The stops Tab visits from the start of the page, at most `max`, each with its ring judged. */
export async function tabStops(page: Page, max: number): Promise<TabStop[]> {
  const stops: TabStop[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    const stop = await focusedStop(page);
    if (stop.what === "body") break;
    stops.push(stop);
  }
  return stops;
}

/** Whether the keyboard focus is on `locator`. */
export const isFocused = (locator: Locator) => locator.evaluate((el) => el === document.activeElement);

/**
 * A dialog opened from the keyboard: it starts on its first usable field (or, with none, on a
 * button of its own other than the ×), Tab and Shift+Tab never reach the page behind it, Escape
 * closes it, as does its first button (Cancel; the × when it has none), and either way the focus goes back to
 * `returnsTo` (the control that opened it).
 */
export async function dialogKeys(
  page: Page,
  what: string,
  options: { open: () => Promise<void>; dialog: Locator; returnsTo: Locator },
): Promise<void> {
  const { dialog, returnsTo } = options;
  await options.open();
  await visible(dialog);
  const start = await dialog.evaluate((d) => {
    const shown = (el: Element) => el.getClientRects().length > 0;
    const field = [...d.querySelectorAll("input:not([type=hidden]), select, textarea")].find(
      (el) => shown(el) && !(el as HTMLInputElement).disabled && !(el as HTMLInputElement).readOnly,
    );
    const active = document.activeElement;
    return {
      inside: d.contains(active),
      onFirstField: field ? active === field : null,
      onClose: active?.classList.contains("close") ?? false,
    };
  });
  expect(start, `${what}: where the dialog starts`).toMatchObject({ inside: true, onClose: false });
  if (start.onFirstField !== null)
    expect(start.onFirstField, `${what}: starts on its first field`).toBe(true);

  // Round the dialog both ways: the browser's own controls may come between, the page never; and
  // each stop in it shows its focus.
  const escaped: string[] = [];
  const unseen = new Set<string>();
  for (const key of ["Tab", "Shift+Tab"]) {
    for (let i = 0; i < 25; i++) {
      await page.keyboard.press(key);
      const where = await dialog.evaluate((d) => {
        const a = document.activeElement;
        return !a || a === document.body || d.contains(a) ? null : `${a.tagName} ${a.textContent?.trim()}`;
      });
      if (where) escaped.push(`${key}: ${where}`);
      const stop = await focusedStop(page);
      if (stop.unseen) unseen.add(`${stop.what}: ${stop.unseen}`);
    }
  }
  expect(escaped, `${what}: Tab stays in the dialog`).toEqual([]);
  expect([...unseen], `${what}: focus rings`).toEqual([]);

  // The page closes it on the key itself, so no close event of the browser's comes after: that
  // one is a task of its own, and a key pressed meanwhile (reopening it from the keyboard) would
  // reach a page that still held the dialog open, which the late event would then shut.
  await page.evaluate(() => {
    const w = window as { lateCloses?: number };
    if (w.lateCloses === undefined) {
      document.addEventListener("close", () => (w.lateCloses = (w.lateCloses ?? 0) + 1), { capture: true });
    }
    w.lateCloses = 0;
  });
  await page.keyboard.press("Escape");
  await gone(dialog);
  await expect.poll(() => isFocused(returnsTo), { message: `${what}: the focus returns` }).toBe(true);
  const lateCloses = await page.evaluate(() => (window as { lateCloses?: number }).lateCloses);
  expect(lateCloses, `${what}: close events after Escape`).toBe(0);

  // Its own way out (Cancel, Close) gives the focus back too.
  await options.open();
  const actions = dialog.locator(".actions button");
  await visible(dialog);
  const leave = (await actions.count()) > 0 ? actions.first() : dialog.getByRole("button", { name: "Close" });
  await pressOn(page, leave);
  await gone(dialog);
  await expect
    .poll(() => isFocused(returnsTo), { message: `${what}: the focus returns after Cancel` })
    .toBe(true);
}

/** Opens with the keyboard: focus on the control, then Enter. */
export async function pressOn(page: Page, control: Locator, key = "Enter"): Promise<void> {
  await control.focus();
  await page.keyboard.press(key);
}
