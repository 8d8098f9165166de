/**
 * Accessibility from the keyboard (WCAG 2.1 AA): each dialog starts on its first field, keeps Tab
 * inside, closes on Escape and gives the focus back to what opened it; Tab reaches the
 * navigation; every control Tab reaches shows a focus ring that stands out from what is behind
 * it; every signed-in page starts with a "Skip to content" link; the effective-permissions grid
 * tells its focused cell from its selected one. axe's half is a11y.e2e.ts.
 */
import type { Locator } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { dialogNamed, landing, lookOf, open, PATIENT, seedA11yClinic, seen } from "./a11y-clinic.ts";
import { dialogKeys, focusedStop, pressOn, tabStops } from "./focus.ts";
import { shot, useE2e, visible } from "./harness.ts";
import type { Seeded } from "./users-seed.ts";

describe("accessibility: the keyboard", () => {
  const { e, tenant, signedIn } = useE2e({ name: "Riverside Radiotherapy" });
  let s: Seeded;
  beforeAll(async () => {
    s = await seedA11yClinic(e, tenant);
  });

  /** A signed-in page with the helpers of the dialog walks below. */
  async function dialogWalk() {
    const page = await signedIn();
    const button = (name: string | RegExp) => page.getByRole("button", { name, exact: true });
    const byButton = (name: string | RegExp, dialog: Locator) => ({
      open: () => pressOn(page, button(name)),
      dialog,
      returnsTo: button(name),
    });
    return { page, button, byButton };
  }

  // Two walks (Users and Roles; the other pages), each well inside the time a test may take.
  it("opens each dialog of Users and Roles on its first field, keeps Tab inside, and gives the focus back on Escape or Cancel", async () => {
    const { page, button, byButton } = await dialogWalk();
    await visible(page.getByRole("table", { name: "Users" }));
    await dialogKeys(
      page,
      "Create New User",
      byButton("Create New User", dialogNamed(page, "Create New User")),
    );
    await dialogKeys(
      page,
      "Import Users from CSV",
      byButton("Import Users from CSV", page.getByRole("dialog")),
    );
    // From the Actions menu: the focus goes back to the menu's button, not the item that is gone.
    const actions = button("Actions for Priya Raman");
    for (const item of ["Edit", "Deactivate"]) {
      await dialogKeys(page, `Actions → ${item}`, {
        open: async () => {
          await pressOn(page, actions);
          await pressOn(page, page.getByRole("menuitem", { name: item, exact: true }));
        },
        dialog: page.getByRole("dialog"),
        returnsTo: actions,
      });
    }

    await open(page, "/roles", "Roles");
    await dialogKeys(page, "Create New Role", byButton("Create New Role", page.getByRole("dialog")));
    await dialogKeys(page, "Edit Physicist", byButton("Edit Physicist", page.getByRole("dialog")));
  });

  it("opens each dialog of the other pages on its first field, keeps Tab inside, and gives the focus back", async () => {
    const { page, button, byButton } = await dialogWalk();
    await open(page, "/workspaces", "Workspaces");
    await dialogKeys(page, "Create Workspace", byButton("Create Workspace", page.getByRole("dialog")));
    await open(page, `/patient-access?patient=${PATIENT}`, "Manage Patient Access");
    await visible(button("Grant access"));
    await dialogKeys(page, "Grant access", byButton("Grant access", page.getByRole("dialog")));
    await open(page, "/emergency-access", "Emergency access");
    await dialogKeys(
      page,
      "Open emergency access",
      byButton("Open emergency access", page.getByRole("dialog")),
    );
    await dialogKeys(page, "End now", byButton(/^End access of Cal Clinician to /, page.getByRole("dialog")));
    await open(page, "/api-tokens", "API tokens");
    await dialogKeys(page, "Create API token", byButton("Create API token", page.getByRole("dialog")));
    await dialogKeys(page, "Revoke", byButton("Revoke Scheduling system", page.getByRole("dialog")));
    await open(page, "/audit", "Audit Logs");
    const detail = page.getByRole("button", { name: /^Details of event/ }).first();
    await dialogKeys(page, "Audit event", {
      open: () => pressOn(page, detail),
      dialog: page.getByRole("dialog"),
      returnsTo: detail,
    });
  });

  it("reaches the navigation by Tab, and every control Tab reaches shows its focus", async () => {
    const page = await signedIn();
    await visible(page.getByRole("table", { name: "Users" }));
    // From the top of a freshly loaded page, as a keyboard user arrives.
    await page.reload();
    await visible(page.getByRole("table", { name: "Users" }));
    const stops = await tabStops(page, 150);
    const reached = stops.map((t) => t.what);
    expect(reached[0]).toBe("a Skip to content");
    const nav = page.getByRole("navigation", { name: "Main" }).getByRole("link");
    for (const link of await nav.allInnerTexts()) expect(reached).toContain(`a ${link.trim()}`);
    expect(reached).toContain("button Sign out");
    expect(reached).toContain("button Create New User");
    expect(stops.filter((t) => t.unseen !== null)).toEqual([]);
    // An item of an open Actions menu (drawn inside it, where the menu does not clip it).
    await pressOn(page, page.getByRole("button", { name: "Actions for Priya Raman" }));
    await visible(page.getByRole("menu"));
    expect(await focusedStop(page)).toEqual({ what: "button Edit", unseen: null });
    await shot(page, "a11y-focus-menu-item");
    await page.keyboard.press("Escape");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Roles" }).focus();
    await shot(page, "a11y-focus-nav-link");

    // Elsewhere: the roles table's buttons, the profile's tabs, the grid's cells, the settings' fields.
    for (const [path, heading] of [
      ["/roles", "Roles"],
      ["/profile", "Profile"],
      ["/audit", "Audit Logs"],
      ["/settings", "Settings"],
      [`/users/${s.user("jbecker")}/effective-permissions`, "Effective permissions"],
    ] as const) {
      await open(page, path, heading);
      const unseen = (await tabStops(page, 80)).filter((t) => t.unseen !== null);
      expect(unseen, `focus rings on ${heading}`).toEqual([]);
    }
  });

  it("starts every signed-in page with “Skip to content”, out of sight until focused, landing on the page's heading", async () => {
    const page = await signedIn();
    const skip = page.getByRole("link", { name: "Skip to content" });
    for (const [path, heading] of [
      ["/users", "Users"],
      ["/roles", "Roles"],
      ["/workspaces", "Workspaces"],
      [`/patient-access?patient=${PATIENT}`, "Manage Patient Access"],
      ["/emergency-access", "Emergency access"],
      ["/audit", "Audit Logs"],
      ["/settings", "Settings"],
      ["/outbox", "Outbox"],
      ["/api-tokens", "API tokens"],
      ["/profile", "Profile"],
      [`/users/${s.user("jbecker")}/permissions`, "Edit Permissions"],
      [`/users/${s.user("jbecker")}/effective-permissions`, "Effective permissions"],
    ] as const) {
      await open(page, path, heading);
      expect(await seen(skip), `${heading}: hidden before the focus`).toBe(false);
      await page.keyboard.press("Tab");
      expect(await focusedStop(page), `${heading}: the first Tab stop`).toEqual({
        what: "a Skip to content",
        unseen: null,
      });
      expect(await seen(skip), `${heading}: shown when focused`).toBe(true);
      await page.keyboard.press("Enter");
      expect(await landing(page), `${heading}: where it leads`).toBe(`main h1 ${heading}`);
      expect(await seen(skip), `${heading}: hidden again`).toBe(false);
      // Tab goes on from the heading, into the page rather than the navigation.
      await page.keyboard.press("Tab");
      expect(await landing(page), `${heading}: the next stop`).toMatch(/^main /);
    }
    await open(page, "/users", "Users");
    await page.keyboard.press("Tab");
    await shot(page, "a11y-skip-link");
    // On a phone it comes before the menu button.
    await page.setViewportSize({ width: 390, height: 844 });
    await open(page, "/users", "Users");
    expect((await tabStops(page, 2)).map((t) => t.what)).toEqual(["a Skip to content", "button Menu"]);
    await shot(page, "a11y-skip-link-narrow");
  });

  it("tells the focused cell of the effective-permissions grid from the selected one", async () => {
    const page = await signedIn();
    await open(page, `/users/${s.user("jbecker")}/effective-permissions`, "Effective permissions");
    await visible(page.getByRole("grid", { name: "Effective permissions by tenant and workspace" }));
    const focusColour = await page.evaluate(() => {
      const probe = document.body.appendChild(document.createElement("span"));
      probe.style.color = "var(--focus)";
      const colour = getComputedStyle(probe).color;
      probe.remove();
      return colour;
    });
    // By the keyboard, as a keyboard user moves in the grid: the cell reached is focused and selected.
    await pressOn(page, page.locator(".effective-cell").first(), "ArrowDown");
    const cell = page.locator(".effective-cell:focus");
    await visible(page.getByRole("heading", { name: "Explanation" }));
    const focused = await lookOf(cell);
    expect(await cell.getAttribute("aria-current")).toBe("true");
    expect(focused.outline, "the focused cell's ring is the console's focus colour").toContain(focusColour);
    await shot(page, "a11y-effective-cell-focused");

    // The focus leaves the grid; the cell stays selected (its explanation shown) and says so, unlike focus.
    const selected = page.locator('.effective-cell[aria-current="true"]');
    const handle = await selected.elementHandle();
    await page.getByLabel("Filter permissions").focus();
    expect(await selected.evaluate((el, was) => el === was, handle)).toBe(true);
    const after = await lookOf(selected);
    expect(after.outline, "a selected cell has no focus ring").not.toContain(focusColour);
    expect(after, "a selected cell does not look focused").not.toEqual(focused);
    expect(after, "a selected cell still shows it").not.toEqual({ outline: "none", shadow: "none" });
    await shot(page, "a11y-effective-cell-selected");
  });
});
