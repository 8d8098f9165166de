/**
 * The main navigation in the source products' words (Prevounce: "the Administration tab … then
 * Users"): the administration pages grouped beneath "Administration", always shown; the entry
 * itself leads to the first of them the person may see and is never the current page; Patient
 * access, Emergency access and Profile stand outside the group. "Audit Logs" is Prevounce's name.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { shot, useE2e, visible } from "./harness.ts";

const PASSWORD = "amber-kestrel-meadow-5820";

/** The navigation as read: the top-level entries, and the pages beneath "Administration". */
async function navigation(page: Page): Promise<{ top: string[]; administration: string[] }> {
  const nav = page.getByRole("navigation", { name: "Main" });
  await visible(nav.getByRole("link", { name: "Profile" }));
  const texts = async (selector: string) =>
    (await nav.locator(selector).allInnerTexts()).map((t) => t.trim());
  return { top: await texts(":scope > ul > li > a"), administration: await texts(":scope > ul > li > ul a") };
}

describe("main navigation", () => {
  const { tenant, signedIn } = useE2e();

  it("groups the administration pages under Administration, which leads to the first of them", async () => {
    const page = await signedIn({ path: "/profile" });
    expect(await navigation(page)).toEqual({
      top: ["Administration", "Manage Patient Access", "Emergency access", "Profile"],
      administration: ["Users", "Roles", "Workspaces", "Audit Logs", "Settings", "Outbox", "API tokens"],
    });
    const nav = page.getByRole("navigation", { name: "Main" });
    const administration = nav.getByRole("link", { name: "Administration" });
    await shot(page, "navigation");

    // Administration → Users, as the articles say: the heading first, then the page.
    await administration.click();
    await visible(page.getByRole("heading", { name: "Users", level: 1 }));
    expect(new URL(page.url()).pathname).toBe("/users");
    expect(await administration.getAttribute("aria-current")).toBeNull();
    expect(await nav.getByRole("link", { name: "Users" }).getAttribute("aria-current")).toBe("page");

    // A page of the group straight away: nothing to open first.
    await nav.getByRole("link", { name: "Audit Logs" }).click();
    await visible(page.getByRole("heading", { name: "Audit Logs", level: 1 }));
    await expect.poll(() => page.title()).toBe("Audit Logs — Staffgate");
    expect(await nav.getByRole("link", { name: "Audit Logs" }).getAttribute("aria-current")).toBe("page");
    expect(await administration.getAttribute("aria-current")).toBeNull();

    // On a phone the entry is in the menu, and following it closes the menu.
    await page.setViewportSize({ width: 390, height: 844 });
    const menu = page.getByRole("button", { name: "Menu" });
    await menu.click();
    await administration.click();
    await visible(page.getByRole("heading", { name: "Users", level: 1 }));
    expect(await menu.getAttribute("aria-expanded")).toBe("false");
  });

  it("gives someone who sees Workspaces alone a group of that one page", async () => {
    const viewer = (await tenant.admin.roles.list({ limit: 200 })).items.find((r) => r.name === "Viewer");
    await tenant.admin.users.create({
      firstName: "Vera",
      lastName: "Viewer",
      username: "vera",
      email: `vera@${tenant.slug}.example`,
      roleId: viewer?.id ?? "",
      password: PASSWORD,
      mustChangePassword: false,
    });
    const page = await signedIn({ login: "vera", password: PASSWORD });
    await visible(page.getByRole("heading", { name: "Workspaces", level: 1 }));
    expect(await navigation(page)).toEqual({
      top: ["Administration", "Profile"],
      administration: ["Workspaces"],
    });
    const nav = page.getByRole("navigation", { name: "Main" });
    await nav.getByRole("link", { name: "Profile" }).click();
    await visible(page.getByRole("heading", { name: "Profile", level: 1 }));
    await nav.getByRole("link", { name: "Administration" }).click();
    await visible(page.getByRole("heading", { name: "Workspaces", level: 1 }));
  });

  it("offers an auditor the Audit Logs and Emergency access, which they review", async () => {
    const auditor = await tenant.admin.roles.create({ name: "Auditor", permissions: ["audit.view"] });
    await tenant.admin.users.create({
      firstName: "Aud",
      lastName: "Itor",
      username: "auditor",
      email: `auditor@${tenant.slug}.example`,
      roleId: auditor.id,
      password: PASSWORD,
      mustChangePassword: false,
    });
    const page = await signedIn({ login: "auditor", password: PASSWORD });
    expect(await navigation(page)).toEqual({
      top: ["Administration", "Emergency access", "Profile"],
      administration: ["Workspaces", "Audit Logs"],
    });
    await page
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: "Emergency access" })
      .click();
    await visible(page.getByRole("heading", { name: "Emergency access", level: 1 }));
  });
});
