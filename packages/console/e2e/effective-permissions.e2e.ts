/**
 * A user's effective permissions: a formal role with a tenant grant and a workspace row, a
 * per-workspace collaborator role and access to two of three workspaces. The grid agrees with
 * check cell by cell, and a cell's explanation names the role (or the missing access) behind it.
 */
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { hasText, shot, useE2e, visible } from "./harness.ts";

const CELL_WORDS = ["Allowed", "Denied", "Only granted patients"] as const;

/** The cell for a permission (by label) in a column, and what it says. */
function cell(page: Page, label: string, column: string) {
  return page.getByRole("button", { name: `: ${label} in ${column}` });
}

async function cellWords(page: Page, label: string, column: string): Promise<string> {
  // The visible part: a mark, then the words (the rest, after ":", is for screen readers).
  const text = (await cell(page, label, column).textContent()) ?? "";
  const words = CELL_WORDS.find((w) => text.slice(1).split(":")[0] === w);
  if (!words) throw new Error(`cell ${label} / ${column} says "${text}"`);
  return words;
}

describe("effective permissions", () => {
  const { tenant, signedIn } = useE2e();
  let userId: string;
  const ws: Record<"north" | "south" | "east", string> = { north: "", south: "", east: "" };
  beforeAll(async () => {
    for (const [key, name] of [
      ["north", "North Clinic"],
      ["south", "South Clinic"],
      ["east", "East Clinic"],
    ] as const) {
      ws[key] = (await tenant.admin.workspaces.create({ slug: key, name })).id;
    }
    const planner = await tenant.admin.roles.create({
      name: "Planner",
      permissions: ["patients.read", "custom_metrics.manage"],
      workspaces: [{ workspaceId: ws.north, permissions: ["patients.contour"] }],
    });
    const collaborator = (await tenant.admin.roles.list()).items.find((r) => r.name === "Collaborator");
    if (!collaborator) throw new Error("no Collaborator role in the preset");
    const user = await tenant.admin.users.create({
      username: "dana",
      email: "dana@example.test",
      firstName: "Dana",
      lastName: "Planner",
      roleId: planner.id,
      workspaceAccess: [ws.north, ws.south],
      workspaceRoles: [{ workspaceId: ws.south, roleId: collaborator.id }],
      password: "e2e-Pa55word-curlew-5521",
      mustChangePassword: false,
    });
    userId = user.id;
  });

  it("is linked from Profile, and leads back there for someone who cannot see Users", async () => {
    const page = await signedIn({ path: "/profile", login: "dana", password: "e2e-Pa55word-curlew-5521" });
    await visible(page.getByRole("heading", { name: "Profile" }));
    await page.getByRole("link", { name: "Your effective permissions" }).click();
    await visible(page.getByRole("heading", { name: "Effective permissions" }));
    expect(new URL(page.url()).pathname).toBe(`/users/${userId}/effective-permissions`);
    await hasText(page.locator("dt:text-is('Name') + dd"), "Dana Planner");
    // Role names need users.view: the page says so rather than asking for the list and being refused.
    await hasText(
      page.locator("dt:text-is('Role') + dd"),
      "Not shown: role names need the “View users” permission",
    );
    expect(await page.getByRole("link", { name: "Back to Users" }).count()).toBe(0);
    await page.getByRole("link", { name: "Back to Profile" }).click();
    await visible(page.getByRole("heading", { name: "Profile" }));
    // Nothing the page asked for was refused: no `authz.failed` of Dana's in the audit.
    const refused = await tenant.admin.audit.list({ action: "authz.failed", limit: 50 });
    expect(refused.items.filter((e) => e.actor.id === userId)).toEqual([]);
    // An administrator, who can see Users, goes back there, and reads the role's name.
    const admin = await signedIn({ path: `/users/${userId}/effective-permissions` });
    await visible(admin.getByRole("link", { name: "Back to Users" }));
    await hasText(admin.locator("dt:text-is('Role') + dd"), "Planner");
  });

  it("shows the grid as check decides it, and explains a cell by the role behind it", async () => {
    const page = await signedIn({ path: `/users/${userId}/effective-permissions` });
    await visible(page.getByRole("heading", { name: "Effective permissions" }));
    await hasText(page.locator("dt:text-is('Name') + dd"), "Dana Planner");
    await hasText(page.locator("dt:text-is('Status') + dd"), "Active");
    await hasText(page.locator("dt:text-is('Role') + dd"), "Planner");
    // Navigated by arrow keys, it is an ARIA grid (issue 6: "a workspace × permission grid"), its
    // rows, headers and cells in the grid's roles.
    const grid = page.getByRole("grid", { name: "Effective permissions by tenant and workspace" });
    await visible(grid);
    expect(await page.getByRole("table").count()).toBe(0);
    await visible(grid.getByRole("columnheader", { name: /East Clinic\s*No access/ }));
    await visible(grid.getByRole("rowheader", { name: /^Read Patients/ }));
    await visible(grid.getByRole("row", { name: /^Read Patients/ }));
    expect(await grid.getByRole("cell").count()).toBe(0);
    expect(
      await grid
        .getByRole("gridcell")
        .filter({ has: cell(page, "Read Patients", "North Clinic") })
        .count(),
    ).toBe(1);

    const columns = [
      { name: "Tenant", id: null },
      { name: "North Clinic", id: ws.north },
      { name: "South Clinic", id: ws.south },
      { name: "East Clinic", id: ws.east },
    ];
    const permissions = [
      ["patients.read", "Read Patients"],
      ["patients.contour", "Contour Patients"],
      ["patients.write", "Write Patients"],
      ["collections.read", "Read Collections"],
    ] as const;
    const checks = permissions.flatMap(([key]) =>
      columns.map((c) => ({ userId, permission: key, workspaceId: c.id })),
    );
    const { results } = await tenant.admin.access.checkBatch(checks);
    const expected = results.map((r) =>
      r.allowed
        ? "Allowed"
        : r.reason.code === "COLLABORATOR_NO_PATIENT"
          ? "Only granted patients"
          : "Denied",
    );
    const shown: string[] = [];
    for (const [, label] of permissions)
      for (const c of columns) shown.push(await cellWords(page, label, c.name));
    expect(shown).toEqual(expected);
    // The arrangement exercises each kind of cell, not only "Denied".
    expect(new Set(shown)).toEqual(new Set(CELL_WORDS));
    // A tenant-only permission is decided once, for every workspace.
    expect(await cellWords(page, "Manage Custom Metrics", "Tenant")).toBe("Allowed");
    expect(
      (await tenant.admin.access.check({ userId, permission: "custom_metrics.manage", workspaceId: ws.east }))
        .allowed,
    ).toBe(true);

    const explanation = page.getByRole("complementary", { name: "Explanation" });
    await cell(page, "Contour Patients", "North Clinic").click();
    await hasText(
      explanation.locator(".effective-reason"),
      "Allowed: granted in its row for “North Clinic” by the role “Planner”.",
    );
    await visible(explanation.getByText("role “Planner” applies (formal role)"));

    await cell(page, "Write Patients", "South Clinic").click();
    await hasText(
      explanation.locator(".effective-reason"),
      /^Only for granted patients: the per-workspace role “Collaborator” assigned for “South Clinic” makes the user a collaborator/,
    );

    // Keyboard: arrows move between cells (columns by workspace name), the focused cell explains itself.
    await page.keyboard.press("ArrowLeft");
    await hasText(explanation.locator("p").first(), "Write Patients (patients.write) in North Clinic");
    await hasText(
      explanation.locator(".effective-reason"),
      "Denied: the role “Planner” grants it neither at tenant level nor in its row for “North Clinic”.",
    );
    await page.keyboard.press("ArrowLeft");
    await hasText(explanation.locator("p").first(), "Write Patients (patients.write) in East Clinic");
    await hasText(
      explanation.locator(".effective-reason"),
      /^Denied: the user has no access to “East Clinic”/,
    );
    await shot(page, "effective-permissions");
  });

  it("moves to a row's first and last cell with Home and End, and to the grid's with Ctrl", async () => {
    const page = await signedIn({ path: `/users/${userId}/effective-permissions` });
    const grid = page.getByRole("grid", { name: "Effective permissions by tenant and workspace" });
    await visible(grid);
    const focused = async () =>
      page.evaluate(() => document.activeElement?.getAttribute("aria-label")?.replace(/^[^:]*: /, ""));
    const cells = grid.locator("button.effective-cell");
    const [first, last] = await Promise.all(
      [cells.first(), cells.last()].map((c) => c.getAttribute("aria-label")),
    );
    // Columns in name order: Tenant, East, North, South.
    await cell(page, "Write Patients", "North Clinic").focus();
    await page.keyboard.press("Home");
    expect(await focused()).toBe("Write Patients in Tenant");
    await page.keyboard.press("End");
    expect(await focused()).toBe("Write Patients in South Clinic");
    // At the row's end End stays; the arrows still move from where Home and End left the focus.
    await page.keyboard.press("End");
    expect(await focused()).toBe("Write Patients in South Clinic");
    await page.keyboard.press("ArrowLeft");
    expect(await focused()).toBe("Write Patients in North Clinic");
    // A tenant-only permission's row has its Tenant cell alone: End stays there.
    await cell(page, "Manage Custom Metrics", "Tenant").focus();
    await page.keyboard.press("End");
    expect(await focused()).toBe("Manage Custom Metrics in Tenant");
    // With Ctrl: the grid's first cell (first row, Tenant) and last cell (last row, its last cell).
    await page.keyboard.press("Control+End");
    expect(await focused()).toBe(last?.replace(/^[^:]*: /, ""));
    await page.keyboard.press("Control+Home");
    const top = first?.replace(/^[^:]*: /, "") ?? "";
    expect(await focused()).toBe(top);
    expect(top).toMatch(/ in Tenant$/);
    // The focused cell is the one explained, as with the arrows: "View Users (users.view) in Tenant …".
    const explanation = page.getByRole("complementary", { name: "Explanation" });
    const label = top.replace(/ in Tenant$/, "").replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    await hasText(explanation.locator("p").first(), new RegExp(`^${label} \\([a-z_.]+\\) in Tenant`));
  });

  it("is one Tab stop, and an arrow key shows the cell it moves to clear of the sticky header and column", async () => {
    const page = await signedIn({ path: `/users/${userId}/effective-permissions` });
    // Narrow enough that the four columns scroll sideways inside the grid's box.
    await page.setViewportSize({ width: 560, height: 700 });
    const grid = page.getByRole("grid", { name: "Effective permissions by tenant and workspace" });
    await visible(grid);
    expect(await grid.locator('button.effective-cell[tabindex="0"]').count()).toBe(1);
    expect(await page.locator(".effective-scroll").evaluate((b) => b.scrollWidth > b.clientWidth)).toBe(true);
    const first = cell(page, "Read Patients", "Tenant");
    await first.focus();
    const focused = page.locator(".effective-cell:focus");
    // Columns in name order: Tenant, East, North, South.
    for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowRight");
    expect(await focused.getAttribute("aria-label")).toMatch(/: Read Patients in South Clinic$/);
    // At the row's end the focus stays, and the box does not scroll past it.
    await page.keyboard.press("ArrowRight");
    expect(await focused.getAttribute("aria-label")).toMatch(/in South Clinic$/);
    const inView = await focused.evaluate((el) => {
      const box = el.closest(".effective-scroll")!.getBoundingClientRect();
      const c = el.getBoundingClientRect();
      const sticky = el.closest("tr")!.querySelector("th")!.getBoundingClientRect();
      return c.left >= sticky.right - 1 && c.right <= box.right + 1;
    });
    expect(inView).toBe(true);
    // Back to the Tenant column: clear of the sticky permission column again.
    for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowLeft");
    const back = await focused.evaluate((el) => {
      const c = el.getBoundingClientRect();
      const sticky = el.closest("tr")!.querySelector("th")!.getBoundingClientRect();
      return [el.getAttribute("aria-label"), c.left >= sticky.right - 1];
    });
    expect(back).toEqual([expect.stringMatching(/in Tenant$/), true]);
    // The focused cell is now the grid's one Tab stop: Tab leaves the grid.
    expect(await grid.locator('button.effective-cell[tabindex="0"]').count()).toBe(1);
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.classList.contains("effective-cell"))).toBe(
      false,
    );
  });
});
