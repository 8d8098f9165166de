/**
 * A phone-sized screen (390×844): no page scrolls sideways, the navigation is a menu button in a
 * compact top bar (aria-expanded, keyboard-operable) whose panel holds the pages and "Sign out",
 * wide tables scroll inside their own box, and a dialog fits the width. The desktop keeps its
 * side navigation with no menu button.
 */
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { gone, shot, useE2e, visible } from "./harness.ts";
import { createStaff } from "./users-seed.ts";

const PHONE = { width: 390, height: 844 };

/** The page's width against the viewport's, with what sticks out when it is wider (for the failure). */
async function sideways(page: Page): Promise<{ scrollWidth: number; innerWidth: number; wide: string[] }> {
  return page.evaluate(() => {
    const wide: string[] = [];
    for (const el of document.body.querySelectorAll("*")) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.right > window.innerWidth + 0.5) {
        // Inside a box that scrolls on its own, sticking out is what it is for: said as such.
        let scrolled = false;
        for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
          if (
            getComputedStyle(p).overflowX !== "visible" &&
            p.getBoundingClientRect().right <= window.innerWidth + 0.5
          ) {
            scrolled = true;
            break;
          }
        }
        const where = scrolled ? " (in a scroll box)" : "";
        wide.push(`${el.tagName.toLowerCase()}.${el.className}${where} → ${Math.round(r.right)}`);
      }
    }
    return {
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
      // Those outside a scroll box first: they are the likelier cause.
      wide: [
        ...wide.filter((w) => !w.includes("(in a scroll box)")),
        ...wide.filter((w) => w.includes("(in a scroll box)")),
      ].slice(0, 12),
    };
  });
}

async function fitsTheWidth(page: Page): Promise<void> {
  const seen = await sideways(page);
  expect(seen, `the page scrolls sideways: ${seen.wide.join(", ")}`).toMatchObject({
    scrollWidth: seen.innerWidth,
  });
  expect(seen.scrollWidth).toBeLessThanOrEqual(seen.innerWidth);
}

/** Boxes that scroll sideways on their own (a wide table's), by their first heading cell. */
async function scrollingBoxes(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>("main *")]
      .filter(
        (el) =>
          el.clientWidth > 1 && // not what is hidden for screen readers (1 px)
          el.scrollWidth > el.clientWidth + 1 &&
          getComputedStyle(el).overflowX !== "visible",
      )
      .map((el) => `${el.className}: ${el.scrollWidth} > ${el.clientWidth}`),
  );
}

/** Opens the menu, follows one of its links, and checks the menu closed behind it. */
async function go(page: Page, name: string, heading: string): Promise<void> {
  const menu = page.getByRole("button", { name: "Menu" });
  await menu.click();
  expect(await menu.getAttribute("aria-expanded")).toBe("true");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name }).click();
  await visible(page.getByRole("heading", { name: heading, level: 1 }));
  expect(await menu.getAttribute("aria-expanded")).toBe("false");
}

describe("narrow screens", () => {
  const { tenant, signedIn } = useE2e();
  let someone = "";
  beforeAll(async () => {
    // Long names and addresses: what makes a table wide.
    for (const name of ["bartholomew", "maximiliana", "constantinople"]) {
      const made = await createStaff(tenant, name, "narrow-Pa55word-otter-3391");
      someone ||= made.id;
    }
    // Workspaces are the effective-permissions grid's columns: what makes it wider than a phone.
    for (const name of [
      "Radiotherapy North",
      "Oncology Day Unit",
      "Physics Planning",
      "Stereotactic Brachytherapy Suite North",
    ]) {
      await tenant.admin.workspaces.create({ slug: name.toLowerCase().replaceAll(" ", "-"), name });
    }
  });

  it("fits Users, Audit Logs, Settings and Profile to a phone, with the navigation and Sign out in a menu", async () => {
    const page = await signedIn();
    await page.setViewportSize(PHONE);
    await visible(page.getByRole("heading", { name: "Users", level: 1 }));
    await visible(page.getByRole("table", { name: "Users" }));

    const menu = page.getByRole("button", { name: "Menu" });
    await visible(menu);
    expect(await menu.getAttribute("aria-expanded")).toBe("false");
    // Closed, the menu keeps the page links and Sign out out of the way.
    expect(await page.getByRole("navigation", { name: "Main" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Sign out" }).isVisible()).toBe(false);
    await fitsTheWidth(page);
    await shot(page, "narrow-users");

    await go(page, "Audit Logs", "Audit Logs");
    await visible(page.getByRole("table", { name: "Audit events, newest first" }));
    await fitsTheWidth(page);
    await shot(page, "narrow-audit");
    // The detail dialog fits the width too.
    await page
      .getByRole("button", { name: /^Details of event/ })
      .first()
      .click();
    const dialog = page.getByRole("dialog", { name: /^Audit event/ });
    await visible(dialog);
    const box = await dialog.boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= PHONE.width).toBe(true);
    await fitsTheWidth(page);
    await page.keyboard.press("Escape");
    await gone(dialog);

    await go(page, "Settings", "Settings");
    await visible(page.getByRole("button", { name: "Save All" }));
    await fitsTheWidth(page);
    expect(await scrollingBoxes(page)).toEqual([]);
    await shot(page, "narrow-settings");

    await go(page, "Profile", "Profile");
    for (const tab of ["Password", "Two-factor", "Sessions"]) {
      await page.getByRole("tab", { name: tab }).click();
      if (tab === "Sessions") await visible(page.getByRole("table", { name: "Your sessions" }));
      await fitsTheWidth(page);
      // Nothing on the password and two-factor tabs scrolls sideways; the sessions table (five
      // columns) may, in its own box.
      if (tab !== "Sessions") expect(await scrollingBoxes(page)).toEqual([]);
    }
    await shot(page, "narrow-profile");

    // Keyboard: the menu opens with Enter, Escape closes it and gives focus back to the button.
    await menu.focus();
    await page.keyboard.press("Enter");
    expect(await menu.getAttribute("aria-expanded")).toBe("true");
    await visible(page.getByRole("navigation", { name: "Main" }));
    await page.keyboard.press("Escape");
    expect(await menu.getAttribute("aria-expanded")).toBe("false");
    expect(await menu.evaluate((el) => el === document.activeElement)).toBe(true);

    // Sign out is reachable: in the open menu, inside the screen.
    await menu.click();
    const signOut = page.getByRole("button", { name: "Sign out" });
    await visible(signOut);
    const at = await signOut.boundingBox();
    expect(at && at.x >= 0 && at.x + at.width <= PHONE.width && at.y + at.height <= PHONE.height).toBe(true);
    await fitsTheWidth(page);
    await shot(page, "narrow-menu");
    await signOut.click();
    await visible(page.getByRole("heading", { name: "Sign in to Staffgate" }));
    await fitsTheWidth(page);
  });

  it("shows a user row's whole Actions menu on a phone: every item on screen, reached by a tap, and keys", async () => {
    const page = await signedIn({ path: "/users?q=bartholomew" });
    await page.setViewportSize(PHONE);
    const button = page.getByRole("button", { name: "Actions for Nora Quill" });
    await button.click();
    const menu = page.getByRole("menu");
    await visible(menu);
    const items = menu.getByRole("menuitem");
    const labels = (await items.allInnerTexts()).map((t) => t.trim());
    expect(labels).toContain("Archive");
    for (const [i, label] of labels.entries()) {
      // Inside the screen, and what a tap on its middle reaches is the item (no scroll box clips it).
      const at = await items.nth(i).evaluate((el) => {
        const r = el.getBoundingClientRect();
        const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        return {
          inside: r.left >= 0 && r.top >= 0 && r.right <= window.innerWidth && r.bottom <= window.innerHeight,
          reached: hit !== null && el.contains(hit),
        };
      });
      expect(at, label).toEqual({ inside: true, reached: true });
    }
    await fitsTheWidth(page);
    await shot(page, "narrow-users-actions");

    // The keys still work: End reaches the last item, Escape gives the focus back to the button.
    await page.keyboard.press("End");
    await expect.poll(() => items.last().evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press("Escape");
    await gone(menu);
    expect(await button.evaluate((el) => el === document.activeElement)).toBe(true);

    // The last item works by a tap: Purge (offered on an active user too) asks first.
    await button.click();
    expect(await items.last().textContent()).toBe("Purge");
    await items.last().click();
    const confirm = page.getByRole("dialog", { name: "Purge user permanently?" });
    await visible(confirm);
    await confirm.getByRole("button", { name: "Cancel" }).click();
    await gone(confirm);
  });

  it("fits the other pages to a phone, effective permissions included", async () => {
    const page = await signedIn();
    await page.setViewportSize(PHONE);
    const pages = [
      ["/roles", "Roles"],
      ["/workspaces", "Workspaces"],
      ["/patient-access", "Manage Patient Access"],
      ["/emergency-access", "Emergency access"],
      ["/outbox", "Outbox"],
      ["/api-tokens", "API tokens"],
      [`/users/${someone}/permissions`, "Edit Permissions"],
      [`/users/${someone}/effective-permissions`, "Effective permissions"],
    ] as const;
    for (const [path, heading] of pages) {
      await page.goto(path);
      await visible(page.getByRole("heading", { name: heading, level: 1 }));
      await gone(page.locator('[aria-busy="true"]'));
      if (heading === "Effective permissions") {
        await visible(page.getByRole("grid", { name: "Effective permissions by tenant and workspace" }));
      }
      await fitsTheWidth(page);
    }
    await shot(page, "narrow-effective-permissions");
  });

  it("fits the role editor's Permissions tab to a phone, with and without a workspace row", async () => {
    const page = await signedIn({ path: "/roles" });
    await page.setViewportSize(PHONE);
    await page.getByRole("button", { name: "Create New Role" }).click();
    const dialog = page.getByRole("dialog", { name: "Create New Role" });
    await dialog.getByRole("tab", { name: "Permissions" }).click();
    const workspaces = dialog.getByRole("group", { name: "Workspace permissions" });
    await visible(workspaces);
    // The dialog does not scroll sideways: the fieldsets' right borders are inside it.
    const fits = () =>
      dialog.evaluate((d) => {
        const edge = d.getBoundingClientRect().right - d.clientLeft;
        const out = [...d.querySelectorAll(".pe-scope, .pe-row, .pe-add > *")]
          .filter((el) => el.getBoundingClientRect().right > edge + 0.5)
          .map(
            (el) =>
              `${el.className || el.tagName.toLowerCase()} → ${Math.round(el.getBoundingClientRect().right)}`,
          );
        return { scrollWidth: d.scrollWidth, clientWidth: d.clientWidth, out };
      });
    const before = await fits();
    expect(before, `past the dialog's edge: ${before.out.join(", ")}`).toMatchObject({
      scrollWidth: before.clientWidth,
      out: [],
    });
    // The pictures show the part that used to stick out: the workspace select and Add.
    await dialog.getByLabel("Workspace", { exact: true }).scrollIntoViewIfNeeded();
    await shot(page, "narrow-role-permissions");

    await dialog
      .getByLabel("Workspace", { exact: true })
      .selectOption({ label: "Stereotactic Brachytherapy Suite North" });
    await dialog.getByRole("button", { name: "Add", exact: true }).click();
    await visible(dialog.getByRole("group", { name: "Stereotactic Brachytherapy Suite North" }));
    const after = await fits();
    expect(after, `past the dialog's edge: ${after.out.join(", ")}`).toMatchObject({
      scrollWidth: after.clientWidth,
      out: [],
    });
    await fitsTheWidth(page);
    await dialog.getByLabel("Workspace", { exact: true }).scrollIntoViewIfNeeded();
    await shot(page, "narrow-role-permissions-row");

    // A desktop keeps its look: the workspace select at least 16rem wide (as wide as its longest
    // name), the Add button beside it.
    await page.setViewportSize({ width: 1280, height: 800 });
    const select = await dialog.getByLabel("Workspace", { exact: true }).boundingBox();
    const add = await dialog.getByRole("button", { name: "Add", exact: true }).boundingBox();
    expect(select?.width).toBeGreaterThanOrEqual(256);
    expect(add && select && add.x > select.x + select.width && add.y >= select.y).toBe(true);
  });

  it("keeps the side navigation and no menu button on a desktop", async () => {
    const page = await signedIn();
    await page.setViewportSize({ width: 1280, height: 800 });
    await visible(page.getByRole("heading", { name: "Users", level: 1 }));
    await visible(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit Logs" }));
    await visible(page.getByRole("button", { name: "Sign out" }));
    expect(await page.getByRole("button", { name: "Menu" }).isVisible()).toBe(false);
    const nav = await page.getByRole("navigation", { name: "Main" }).boundingBox();
    const main = await page.getByRole("main").boundingBox();
    // Side by side: the navigation's column (14rem) on the left of the page.
    expect(nav?.width).toBe(224);
    expect(main && nav && main.x >= nav.x + nav.width).toBe(true);
  });
});
