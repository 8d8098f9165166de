/**
 * A refused audit search, whether the form finds the filter wrong (a range that ends before it
 * starts) or the API does (an action pattern it does not take), puts the focus on the filter to
 * fix, as every other form does, so its reason is read out; left on Search, nothing was announced.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { hasText, useE2e, visible } from "./harness.ts";

const focusedLabel = (page: Page) =>
  page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.labels?.[0]?.textContent ?? "");

describe("audit filters", () => {
  const { signedIn } = useE2e();

  it("puts the focus on the filter a search was refused for, the form's finding or the API's", async () => {
    const page = await signedIn({ path: "/audit" });
    await visible(page.getByRole("table", { name: "Audit events, newest first" }));
    const to = page.getByLabel("To", { exact: true });
    await page.getByLabel("From", { exact: true }).fill("2026-12-07");
    await to.fill("2026-12-05");
    await page.getByRole("button", { name: "Search", exact: true }).click();
    expect(await to.getAttribute("aria-invalid")).toBe("true");
    await hasText(
      page.locator(`[id="${await to.getAttribute("aria-describedby")}"]`),
      "To must be on or after the From date",
    );
    await expect.poll(() => focusedLabel(page)).toBe("To");
    expect(new URL(page.url()).search).toBe("");

    // Searched again, still wrong: the focus goes back to it from Search.
    await page.getByRole("button", { name: "Search", exact: true }).focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => focusedLabel(page)).toBe("To");

    await to.fill("");
    const action = page.getByLabel("Action", { exact: true });
    await action.fill("us*er");
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await expect.poll(() => action.getAttribute("aria-invalid")).toBe("true");
    await expect.poll(() => focusedLabel(page)).toBe("Action");
  });
});
