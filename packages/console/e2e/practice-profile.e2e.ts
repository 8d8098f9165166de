/**
 * The practice's profile, first on Settings: an administrator renames the practice and changes its
 * time zone (PATCH /api/v1/tenant with If-Match), the header takes the new name at once and a
 * reload shows both; the Practice ID is shown and cannot be changed; the API's refusal of a name
 * is said beside the field; the profile and the security settings share one version, and a save of
 * either right after the other is not refused as stale; someone without settings.manage gets none
 * of it.
 */
import type { Page, Request } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { isFocused } from "./focus.ts";
import { hasText, shot, useE2e, visible } from "./harness.ts";

const STAFF_PASSWORD = "e2e-curlew-Pa55word-3306";
const STALE = "Nothing was saved: someone else changed the settings since this page opened. Reload the page.";

/** The Practice tab of Settings, opened, with its fields. */
async function practice(page: Page) {
  await page.getByRole("tab", { name: "Practice", exact: true }).click();
  const group = await visible(page.getByRole("group", { name: "Practice", exact: true }));
  return {
    group,
    name: group.getByLabel("Practice name", { exact: true }),
    zone: group.getByLabel("Time zone", { exact: true }),
    id: group.getByLabel("Practice ID", { exact: true }),
    save: group.getByRole("button", { name: "Update practice" }),
    status: group.getByRole("status"),
    alert: group.getByRole("alert"),
  };
}

/** The security settings' form (Save All) and its outcome. */
function security(page: Page) {
  const form = page.locator("form", { has: page.getByRole("button", { name: "Save All" }) });
  return { form, status: form.getByRole("status"), alert: form.getByRole("alert") };
}

describe("practice profile", () => {
  const { e, tenant, signedIn } = useE2e({ name: "Harbour Veterinary Clinic" });

  beforeAll(async () => {
    const desk = await tenant.admin.roles.create({ name: "Front desk", permissions: ["users.view"] });
    await tenant.admin.users.create({
      username: "fdesk",
      email: "fdesk@example.test",
      firstName: "Fen",
      lastName: "Desk",
      roleId: desk.id,
      password: STAFF_PASSWORD,
      mustChangePassword: false,
    });
  });

  it("renames the practice and changes its time zone; the header shows the new name at once, a reload both", async () => {
    const before = await tenant.admin.tenant.get();
    const page = await signedIn({ path: "/settings" });
    // W15: the Security tab first (Prevounce's "Settings → Security tab → Save All"), then Practice.
    const tabs = page.getByRole("tablist", { name: "Settings" }).getByRole("tab");
    expect(await tabs.allTextContents()).toEqual(["Security", "Practice"]);
    expect(await tabs.first().getAttribute("aria-selected")).toBe("true");
    const p = await practice(page);
    expect(await p.name.inputValue()).toBe("Harbour Veterinary Clinic");
    expect(await p.zone.inputValue()).toBe(before.timeZone);
    await visible(p.group.getByText("Times in emails are given in this time zone."));
    // The sign-in Practice ID: shown, read-only, said what it is for.
    expect(await p.id.inputValue()).toBe(tenant.slug);
    expect(await p.id.isEditable()).toBe(false);
    await visible(p.group.getByText(/Staff type this to sign in.*It cannot be changed here\./));
    // Every zone the browser knows is offered.
    const zones = await p.zone
      .locator("option")
      .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(zones).toContain("Europe/Oslo");
    expect(zones).toContain("America/New_York");
    expect(zones.length).toBeGreaterThan(300);

    const patches: Request[] = [];
    page.on("request", (r) => {
      if (r.method() === "PATCH" && r.url().endsWith("/api/v1/tenant")) patches.push(r);
    });
    await p.name.fill("Harbour Animal Hospital");
    await p.zone.selectOption("Europe/Oslo");
    await p.save.click();
    await hasText(p.status, "Saved the practice name and time zone.");
    expect(patches).toHaveLength(1);
    expect(patches[0]?.postDataJSON()).toEqual({ name: "Harbour Animal Hospital", timeZone: "Europe/Oslo" });
    expect(patches[0]?.headers()["if-match"]).toContain(String(before.version));
    expect(await tenant.admin.tenant.get()).toEqual({
      ...before,
      name: "Harbour Animal Hospital",
      timeZone: "Europe/Oslo",
      version: before.version + 1,
    });
    // The header names the practice from /auth/me: read again, no reload.
    const who = page.locator(".topbar .who");
    await hasText(who, "Harbour Animal Hospital / Ada Admin");
    await shot(page, "settings-practice");

    await page.reload();
    const again = await practice(page);
    await expect.poll(() => again.name.inputValue()).toBe("Harbour Animal Hospital");
    expect(await again.zone.inputValue()).toBe("Europe/Oslo");
    await hasText(who, "Harbour Animal Hospital / Ada Admin");
  });

  it("says the API's refusal of a name beside the field, takes the focus there, and saves nothing", async () => {
    const before = await tenant.admin.tenant.get();
    const page = await signedIn({ path: "/settings" });
    const p = await practice(page);
    await expect.poll(() => p.name.inputValue()).toBe(before.name);
    await p.name.fill("     ");
    await p.save.click();
    await hasText(p.alert, "Nothing was saved. Correct the fields marked below.");
    // (`has` is matched inside each field: a locator from the page, not from the group.)
    const error = page
      .locator(".field", { has: page.getByLabel("Practice name", { exact: true }) })
      .locator(".field-error");
    await hasText(error, "Practice name is required");
    expect(await p.name.getAttribute("aria-invalid")).toBe("true");
    const errorId = await error.getAttribute("id");
    expect((await p.name.getAttribute("aria-describedby"))?.split(" ")).toContain(errorId);
    await expect.poll(() => isFocused(p.name)).toBe(true);
    expect(await tenant.admin.tenant.get()).toEqual(before);
    // The security settings say nothing about it.
    expect(await security(page).alert.count()).toBe(0);
  });

  it("keeps a saved time zone the browser's list does not name", async () => {
    const before = await tenant.admin.tenant.get();
    // A link name (an alias of Asia/Kolkata): valid, but not among Intl.supportedValuesOf.
    await tenant.admin.tenant.update({ timeZone: "Asia/Calcutta" }, { ifMatch: before.version });
    const page = await signedIn({ path: "/settings" });
    const p = await practice(page);
    await expect.poll(() => p.zone.inputValue()).toBe("Asia/Calcutta");
    await p.zone.selectOption("Europe/Oslo");
    await p.save.click();
    await hasText(p.status, "Saved the time zone.");
    expect((await tenant.admin.tenant.get()).timeZone).toBe("Europe/Oslo");
  });

  it("saves the security settings right after the practice, and the practice right after them", async () => {
    const settings = await tenant.admin.settings.get();
    const page = await signedIn({ path: "/settings" });
    const p = await practice(page);
    const s = security(page);
    const threshold = page.getByLabel("Lockout threshold (failed sign-ins)");
    await expect.poll(() => threshold.inputValue()).toBe(String(settings.lockoutThreshold));

    await p.name.fill("Harbour Pets");
    await p.save.click();
    await hasText(p.status, "Saved the practice name.");
    // Both live on one row: the page now holds the version the practice's save moved it to.
    await page.getByRole("tab", { name: "Security", exact: true }).click();
    await threshold.fill(String(settings.lockoutThreshold + 1));
    await page.getByRole("button", { name: "Save All" }).click();
    await hasText(s.status, "Saved 1 change to the security settings.");
    expect(await s.alert.count()).toBe(0);

    await page.getByRole("tab", { name: "Practice", exact: true }).click();
    await p.name.fill("Harbour Pets and Exotics");
    await p.save.click();
    await hasText(p.status, "Saved the practice name.");
    expect(await p.alert.count()).toBe(0);
    const after = await tenant.admin.tenant.get();
    expect(after.name).toBe("Harbour Pets and Exotics");
    expect(after.version).toBe(settings.version + 3);
    expect((await tenant.admin.settings.get()).lockoutThreshold).toBe(settings.lockoutThreshold + 1);
    await hasText(page.locator(".topbar .who"), "Harbour Pets and Exotics / Ada Admin");
  });

  it("refuses a save over someone else's change, and keeps what was typed", async () => {
    const page = await signedIn({ path: "/settings" });
    const p = await practice(page);
    const current = await tenant.admin.tenant.get();
    await expect.poll(() => p.name.inputValue()).toBe(current.name);
    // Another administrator changes a security setting meanwhile: the one row's version moves.
    const settings = await tenant.admin.settings.get();
    await tenant.admin.settings.update(
      { lockoutMinutes: settings.lockoutMinutes + 1 },
      { ifMatch: settings.version },
    );
    await p.name.fill("Harbour Stale Name");
    await p.save.click();
    await hasText(p.alert, STALE);
    expect(await p.name.inputValue()).toBe("Harbour Stale Name");
    expect((await tenant.admin.tenant.get()).name).toBe(current.name);
  });

  it("asks before leaving with an unsaved practice name", async () => {
    const page = await signedIn({ path: "/settings" });
    const p = await practice(page);
    const current = await tenant.admin.tenant.get();
    await expect.poll(() => p.name.inputValue()).toBe(current.name);
    const asked: string[] = [];
    page.on("dialog", (d) => {
      asked.push(d.message());
      void d.dismiss();
    });
    await p.name.fill("Harbour Unsaved");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit log" }).click();
    await expect.poll(() => asked).toEqual(["Discard unsaved changes to the practice’s name and time zone?"]);
    expect(new URL(page.url()).pathname).toBe("/settings");
  });

  it("offers none of it to a user without settings.manage", async () => {
    const page = await signedIn({ path: "/settings", login: "fdesk", password: STAFF_PASSWORD });
    await visible(page.getByRole("heading", { name: "Settings", level: 1 }));
    await hasText(
      page.getByRole("alert"),
      /needs the “Manage security settings” permission \(settings\.manage\)/,
    );
    expect(await page.getByRole("group", { name: "Practice", exact: true }).count()).toBe(0);
    expect(await page.getByLabel("Practice name").count()).toBe(0);
    expect(await page.getByLabel("Time zone").count()).toBe(0);
    expect(await page.getByRole("button", { name: "Update practice" }).count()).toBe(0);
    // The API refuses the change too.
    const { token } = await e.api.auth.login({
      tenant: tenant.slug,
      login: "fdesk",
      password: STAFF_PASSWORD,
    });
    const current = await tenant.admin.tenant.get();
    await expect(
      e.api.withToken(token).tenant.update({ name: "Taken Over" }, { ifMatch: current.version }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});
