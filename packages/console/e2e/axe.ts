/**
 * axe-core in the page, judged by the WCAG 2.1 A and AA rules, with what fails said as the rule,
 * its help and the failing nodes' targets. axe goes in through the DevTools protocol
 * (`page.evaluate`), which the console's CSP (`default-src 'self'`) does not govern: a `<script>`
 * tag holding axe's text would be refused, and the refusal, a console error, fails the harness.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { AxeResults, RunOptions } from "axe-core";
import type { Page } from "playwright-core";
import { expect } from "vitest";

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

export const WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

interface Axe {
  run(context: Document, options: RunOptions): Promise<AxeResults>;
}

/**
 * Each violation as "rule: help → target, target" (colour contrast with its measured ratio), of the
 * WCAG 2.1 A and AA rules, or of the rules named (`{ rules }`: best practices such as
 * `landmark-unique`, which those tags leave out).
 */
export async function axeViolations(page: Page, only?: { rules: string[] }): Promise<string[]> {
  // A full page load forgets axe; a route change inside the console keeps it.
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(AXE_SOURCE);
  const runOnly = only
    ? { type: "rule" as const, values: only.rules }
    : { type: "tag" as const, values: WCAG_21_AA };
  return page.evaluate(async (run) => {
    const axe = (window as unknown as { axe: Axe }).axe;
    const result = await axe.run(document, { runOnly: run });
    return result.violations.map((v) => {
      const targets = v.nodes.map((n) => n.target.join(" ")).join(", ");
      // The first node's data says what was measured (a contrast ratio and its colours).
      const data = v.nodes[0]?.any[0]?.data as { contrastRatio?: number; fgColor?: string; bgColor?: string };
      const measured = data?.contrastRatio
        ? ` (${data.contrastRatio}: ${data.fgColor} on ${data.bgColor})`
        : "";
      return `${v.id}: ${v.help}${measured} → ${targets}`;
    });
  }, runOnly);
}

/**
 * No violation on the page as it is now. Soft: one run of the spec reports every state that
 * fails, not only the first.
 */
export async function accessible(page: Page, state: string): Promise<void> {
  expect.soft(await axeViolations(page), `axe (WCAG 2.1 AA) on ${state}`).toEqual([]);
}
