/**
 * What the accessibility specs share (a11y.e2e.ts: axe on every page; a11y-keyboard.e2e.ts: the
 * keyboard): the clinic they walk and the helpers they walk it with. Two spec files rather than
 * one so that the two halves run side by side (the whole walk took over three minutes alone).
 */
import type { Locator, Page } from "playwright-core";
import type { E2e, E2eTenant } from "./harness.ts";
import { gone, visible } from "./harness.ts";
import { openElevation, type Seeded, seedClinic } from "./users-seed.ts";

/** Meets the password policy; the reset and invitation pages are sent it. */
export const NEW_PASSWORD = "Heron-quarry-6142-saffron";
export const PATIENT = "PAT-1001";

/** Goes to `path` and waits for its heading and for what loads to have loaded. */
export async function open(page: Page, path: string, heading: string): Promise<void> {
  await page.goto(path);
  await visible(page.getByRole("heading", { name: heading, level: 1 }));
  await gone(page.locator('[aria-busy="true"]'));
}

export const dialogNamed = (page: Page, name: string | RegExp) => page.getByRole("dialog", { name });

export async function closeDialog(page: Page, dialog: Locator): Promise<void> {
  await page.keyboard.press("Escape");
  await gone(dialog);
}

/** The clinic both specs walk, with data for every table to have rows. */
export async function seedA11yClinic(e: E2e, tenant: E2eTenant): Promise<Seeded> {
  const s = await seedClinic(e, tenant);
  // A patient's grants, an open emergency access, a token.
  await tenant.admin.patientAccess.created(PATIENT, { userId: s.user("praman") });
  await tenant.admin.patientAccess.grant(PATIENT, {
    userId: s.user("therrera"),
    workspaceId: s.workspaces.planning,
    reason: "Covering the planning clinic this week",
  });
  await openElevation(e, tenant);
  await tenant.admin.apiTokens.create({ name: "Scheduling system", roleId: s.role("Viewer") });
  return s;
}
/** Drawn on screen at a readable size: not clipped to the 1 px of what is only for screen readers. */
export const seen = async (locator: Locator) =>
  (await locator.count()) > 0 &&
  locator.evaluate((el) => {
    const r = el.getBoundingClientRect();
    return r.width > 10 && r.height > 10 && getComputedStyle(el).clip === "auto";
  });

/** The focused element as "main h1 Users" (its landmark, tag and text), or "body". */
export const landing = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return "body";
    const where = el.closest("main") ? "main" : "outside main";
    return `${where} ${el.tagName.toLowerCase()} ${el.textContent?.trim() ?? ""}`;
  });

/** How a control is drawn round its edge: its outline, and its box shadow (a frame drawn inside). */
export const lookOf = (locator: Locator) =>
  locator.evaluate((el) => {
    const s = getComputedStyle(el);
    return {
      outline: s.outlineStyle === "none" ? "none" : `${s.outlineWidth} ${s.outlineStyle} ${s.outlineColor}`,
      shadow: s.boxShadow,
    };
  });

/** An emailed-link page given a token the server does not know: the form, then the refusal. */
export async function linkRefused(page: Page, path: string, submit: string): Promise<void> {
  // From elsewhere: a new fragment on the same path would not load the page again.
  await page.goto("about:blank");
  await page.goto(`${path}#token=not-a-real-token-0123456789`);
  await page.getByLabel("New password").fill(NEW_PASSWORD);
  await page.getByLabel("Confirm password").fill(NEW_PASSWORD);
  await page.getByRole("button", { name: submit }).click();
  await visible(page.getByRole("alert"));
}
