/**
 * Every user field API.md lists is editable in the user form (initials, prescriber ID,
 * qualifications, areas of expertise, account expiry besides the rest), a user is created with a
 * typed password through labels that name one control each, and an archived user whose expiry
 * has passed is restored with a new expiry instead of a refusal. A corrected field's error goes at
 * once, and Escape or × asks before a changed Create New User is thrown away.
 */
import type { Locator, Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { describedAs, gone, hasText, shot, useE2e, visible } from "./harness.ts";
import { roleIds, STAFF_PASSWORD, staff } from "./users-seed.ts";

const said = (page: Page, text: string) => visible(page.getByRole("status").filter({ hasText: text }));

async function choose(page: Page, name: string, item: string): Promise<void> {
  await page.getByRole("button", { name: `Actions for ${name}` }).click();
  await page.getByRole("menuitem", { name: item, exact: true }).click();
}

/** The browser's questions (confirm) a page asks: each recorded, answered no until `answer.yes`. */
function questionsOf(page: Page) {
  const asked: string[] = [];
  const answer = { yes: false };
  page.on("dialog", (d) => {
    asked.push(d.message());
    void (answer.yes ? d.accept() : d.dismiss());
  });
  return { asked, answer };
}

describe("user fields", () => {
  const { e, tenant, signedIn } = useE2e();
  let viewer: string;
  beforeAll(async () => {
    viewer = (await roleIds(tenant)).Viewer ?? "";
  });

  it("edits initials, prescriber ID, qualifications, expertise and expiry, and shows them again", async () => {
    const { id } = await staff(tenant, "Priya", "Natarajan", { roleId: viewer });
    const page = await signedIn();
    await choose(page, "Priya Natarajan", "Edit");
    const dialog = page.getByRole("dialog", { name: "Edit Priya Natarajan" });
    await visible(dialog.getByLabel("Initials"));
    expect(await dialog.getByLabel("Initials").inputValue()).toBe("PN");
    await dialog.getByLabel("Initials").fill("PKN");
    await dialog.getByLabel("Prescriber ID").fill("RX-40021");
    await dialog.getByLabel("Qualifications").fill("MSc Medical Physics");
    await dialog.getByLabel("Areas of expertise").fill("Brachytherapy, SBRT");
    // A past expiry is the server's refusal, said beside the field.
    await dialog.getByLabel("Account expires").fill("2020-01-01T09:00");
    await dialog.getByRole("button", { name: "Save" }).click();
    await hasText(
      dialog.locator(".field", { has: page.getByLabel("Account expires") }).locator(".field-error"),
      "Account expires must be in the future (archive the user to end access now)",
    );
    await dialog.getByLabel("Account expires").fill("2031-06-30T17:30");
    await shot(page, "users-edit-details");
    await dialog.getByRole("button", { name: "Save" }).click();
    await said(page, "Priya Natarajan was saved.");
    const expected = {
      initials: "PKN",
      prescriberId: "RX-40021",
      qualifications: "MSc Medical Physics",
      areasOfExpertise: "Brachytherapy, SBRT",
      // The browser's local time, as the field means it.
      expiresAt: await page.evaluate(() => new Date("2031-06-30T17:30").toISOString()),
    };
    expect(await tenant.admin.users.get(id)).toMatchObject(expected);

    await choose(page, "Priya Natarajan", "Edit");
    await visible(dialog.getByLabel("Initials"));
    expect(await dialog.getByLabel("Prescriber ID").inputValue()).toBe("RX-40021");
    expect(await dialog.getByLabel("Account expires").inputValue()).toBe("2031-06-30T17:30");
    // Emptied: no expiry; initials derived from the names again.
    await dialog.getByLabel("Account expires").fill("");
    await dialog.getByLabel("Initials").fill("");
    await dialog.getByRole("button", { name: "Save" }).click();
    await gone(dialog);
    expect(await tenant.admin.users.get(id)).toMatchObject({ expiresAt: null, initials: "PN" });
  });

  // The time review: a date typed without its time left the browser's value empty, which was saved
  // as "never expires", on create and, worse, over an expiry the user had.
  it("refuses an expiry typed in part, beside the field, on create and on edit, and keeps what was there", async () => {
    const { id } = await staff(tenant, "Mere", "Tane", {
      roleId: viewer,
      expiresAt: new Date("2031-03-31T10:59:00Z").toISOString(),
    });
    const page = await signedIn();
    const error = (dialog: Locator) =>
      dialog.locator(".field", { has: page.getByLabel("Account expires") }).locator(".field-error");
    const incomplete = "Account expires is incomplete: give both a date and a time, or clear it for none.";

    await choose(page, "Mere Tane", "Edit");
    const edit = page.getByRole("dialog", { name: "Edit Mere Tane" });
    await edit.getByLabel("Account expires").click();
    await page.keyboard.press("Backspace");
    await edit.getByRole("button", { name: "Save" }).click();
    await hasText(error(edit), incomplete);
    expect((await tenant.admin.users.get(id)).expiresAt).toBe("2031-03-31T10:59:00.000Z");
    await edit.getByLabel("Account expires").fill("2031-04-30T17:00");
    await edit.getByRole("button", { name: "Save" }).click();
    await said(page, "Mere Tane was saved.");
    expect((await tenant.admin.users.get(id)).expiresAt).toBe(
      await page.evaluate(() => new Date("2031-04-30T17:00").toISOString()),
    );

    await page.getByRole("button", { name: "Create New User" }).click();
    const create = page.getByRole("dialog", { name: "Create New User" });
    await create.getByLabel("First name").fill("Ari");
    await create.getByLabel("Last name").fill("Partial");
    await create.getByLabel("Email").fill("ari.partial@example.test");
    await create.getByLabel("Username").fill("apartial");
    // The date alone, as an administrator types "31 March" and stops.
    await create.getByLabel("Account expires").click();
    await page.keyboard.type("03312031");
    await create.getByRole("tab", { name: "Roles" }).click();
    await create.getByLabel("Role", { exact: true }).selectOption({ label: "Viewer" });
    await create.getByRole("button", { name: "Save" }).click();
    await hasText(error(create), incomplete);
    expect((await tenant.admin.users.list({ q: "apartial" })).items).toHaveLength(0);
  });

  it("creates a user with a typed password and the details, each label naming one control", async () => {
    const page = await signedIn();
    await page.getByRole("button", { name: "Create New User" }).click();
    const dialog = page.getByRole("dialog", { name: "Create New User" });
    await dialog.getByLabel("First name").fill("Omar");
    await dialog.getByLabel("Last name").fill("Saleh");
    await dialog.getByLabel("Email").fill("omar.saleh@example.test");
    await dialog.getByLabel("Username").fill("osaleh");
    await dialog.getByLabel("Qualifications").fill("RTT");
    await dialog.getByLabel("Account expires").fill("2032-01-15T08:00");
    await dialog.getByRole("radio", { name: "Set it now" }).check();
    await dialog.getByLabel("Password").fill(STAFF_PASSWORD);
    await dialog.getByRole("tab", { name: "Roles" }).click();
    await dialog.getByLabel("Role", { exact: true }).selectOption({ label: "Viewer" });
    await dialog.getByRole("button", { name: "Save" }).click();
    await said(page, "Omar Saleh was created.");
    const [created] = (await tenant.admin.users.list({ q: "osaleh" })).items;
    expect(created).toMatchObject({ status: "active", qualifications: "RTT", mustChangePassword: true });
    expect(created?.expiresAt).not.toBeNull();
  });

  it("clears a field's error and its tab's mark as soon as the field is corrected", async () => {
    const page = await signedIn();
    await page.getByRole("button", { name: "Create New User" }).click();
    const dialog = page.getByRole("dialog", { name: "Create New User" });
    await dialog.getByRole("button", { name: "Save" }).click();
    const infoTab = dialog.getByRole("tab", { name: /^User Information/ });
    const rolesTab = dialog.getByRole("tab", { name: /^Roles/ });
    await describedAs(infoTab, "Has errors");
    await hasText(infoTab, "User Information");
    const first = dialog.getByLabel("First name");
    expect(await first.getAttribute("aria-invalid")).toBe("true");
    await first.fill("Lena");
    await expect.poll(() => first.getAttribute("aria-invalid")).toBeNull();
    expect(await dialog.getByText("Enter a first name.").count()).toBe(0);
    await describedAs(infoTab, "Has errors");
    await hasText(infoTab, "User Information");
    await dialog.getByLabel("Last name").fill("Berg");
    await dialog.getByLabel("Email").fill("lena.berg@example.test");
    await dialog.getByLabel("Username").fill("lberg");
    // Every field of the tab corrected: its mark goes; the other tab's stays until its field is.
    await describedAs(infoTab, "");
    await hasText(infoTab, "User Information");
    await describedAs(rolesTab, "Has errors");
    await hasText(rolesTab, "Roles");
    await rolesTab.click();
    await dialog.getByLabel("Role", { exact: true }).selectOption({ label: "Viewer" });
    await describedAs(rolesTab, "");
    await hasText(rolesTab, "Roles");
    expect(await dialog.locator(".field-error").count()).toBe(0);
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await gone(dialog);
  });

  it("asks before Escape or × discards a changed Create New User, and closes an unchanged one at once", async () => {
    const page = await signedIn();
    const { asked, answer } = questionsOf(page);
    const dialog = page.getByRole("dialog", { name: "Create New User" });
    await page.getByRole("button", { name: "Create New User" }).click();
    await visible(dialog);
    await page.keyboard.press("Escape");
    await gone(dialog);
    expect(asked).toEqual([]);

    await page.getByRole("button", { name: "Create New User" }).click();
    await dialog.getByLabel("First name").fill("Mara");
    await page.keyboard.press("Escape");
    await expect.poll(() => asked).toEqual(["Discard this new user? What you entered is not saved."]);
    await visible(dialog);
    expect(await dialog.getByLabel("First name").inputValue()).toBe("Mara");
    await dialog.getByRole("button", { name: "Close", exact: true }).click();
    await expect.poll(() => asked.length).toBe(2);
    await visible(dialog);
    answer.yes = true;
    await dialog.getByRole("button", { name: "Close", exact: true }).click();
    await gone(dialog);
    expect(asked).toHaveLength(3);
  });

  it("asks before the browser's Back leaves a changed dialog, and keeps the typing when told to stay", async () => {
    const page = await signedIn({ path: "/roles" });
    await page.getByRole("link", { name: "Users" }).first().click();
    await visible(page.getByRole("button", { name: "Create New User" }));
    const { asked, answer } = questionsOf(page);
    const dialog = page.getByRole("dialog", { name: "Create New User" });
    await page.getByRole("button", { name: "Create New User" }).click();
    await dialog.getByLabel("First name").fill("Mara");
    // On a phone, Back is how a dialog is left: it threw the typing away without a word.
    await page.evaluate(() => window.history.back());
    await expect.poll(() => asked).toEqual(["Discard this new user? What you entered is not saved."]);
    await expect.poll(() => page.evaluate(() => window.location.pathname)).toBe("/users");
    await visible(dialog);
    expect(await dialog.getByLabel("First name").inputValue()).toBe("Mara");
    answer.yes = true;
    await page.evaluate(() => window.history.back());
    await expect.poll(() => page.evaluate(() => window.location.pathname)).toBe("/roles");
    await gone(dialog);
    expect(asked).toHaveLength(2);
  });

  it("closes the dialog when leaving it was agreed by Back within the Users page (a filter's address)", async () => {
    const page = await signedIn({ path: "/users" });
    const { asked, answer } = questionsOf(page);
    await page.getByLabel("Status").selectOption({ label: "All" });
    await expect.poll(() => page.evaluate(() => window.location.search)).toContain("status=");
    const dialog = page.getByRole("dialog", { name: "Create New User" });
    await page.getByRole("button", { name: "Create New User" }).click();
    await dialog.getByLabel("First name").fill("Mara");
    answer.yes = true;
    await page.evaluate(() => window.history.back());
    await expect.poll(() => asked).toEqual(["Discard this new user? What you entered is not saved."]);
    // The same page at its former address: the typing given up is gone with its dialog.
    await gone(dialog);
    await expect.poll(() => page.evaluate(() => window.location.pathname)).toBe("/users");
  });

  it("names each workspace role's choices apart from the Role and from each other, and starts a new row in it", async () => {
    await tenant.admin.workspaces.create({ slug: "east-wing", name: "East Wing" });
    await tenant.admin.workspaces.create({ slug: "west-wing", name: "West Wing" });
    await staff(tenant, "Omar", "Okafor", { roleId: viewer });
    const page = await signedIn();
    await choose(page, "Omar Okafor", "Edit");
    const dialog = page.getByRole("dialog", { name: "Edit Omar Okafor" });
    await dialog.getByRole("tab", { name: "Roles" }).click();
    const add = dialog.getByRole("button", { name: "Add workspace role" });
    for (const row of [1, 2]) {
      await add.click();
      const workspace = dialog.getByRole("combobox", { name: `Workspace (row ${row})`, exact: true });
      await expect.poll(() => workspace.evaluate((el) => el === document.activeElement)).toBe(true);
    }
    // Strict locators match names as case-insensitive substrings: no name may hold another's.
    const names = await dialog
      .getByRole("combobox")
      .evaluateAll((els) => els.map((el) => (el as HTMLSelectElement).labels?.[0]?.textContent ?? ""));
    expect(names).toEqual([
      "Role",
      "Workspace (row 1)",
      "Holds there instead (row 1)",
      "Workspace (row 2)",
      "Holds there instead (row 2)",
    ]);
    for (const name of names) {
      expect(await dialog.getByRole("combobox", { name }).count(), name).toBe(1);
    }
    await dialog.getByRole("combobox", { name: "Workspace (row 1)" }).selectOption({ label: "East Wing" });
    await dialog
      .getByRole("combobox", { name: "Holds there instead (row 1)" })
      .selectOption({ label: "Viewer" });
    await dialog.getByRole("button", { name: "Remove the workspace role in row 2" }).click();
    await dialog.getByRole("button", { name: "Save" }).click();
    await gone(dialog);
    const [omar] = (await tenant.admin.users.list({ q: "ookafor" })).items;
    expect(omar?.workspaceRoles).toEqual([{ workspaceId: expect.any(String), roleId: viewer }]);
  });

  it("restores an archived user whose expiry passed with a new expiry", async () => {
    const { id } = await staff(tenant, "Hana", "Kimura", { roleId: viewer });
    const archived = await tenant.admin.userActions.archive(id);
    // The account expired while archived (the expiry job would have archived it at that moment).
    await e.app.core.deps.db.allTenants
      .updateTable("users")
      .set({ expires_at: "2024-03-01T00:00:00.000Z" })
      .where("id", "=", archived.id)
      .execute();
    const page = await signedIn();
    await page.getByLabel("Status").selectOption({ label: "Archived" });
    await choose(page, "Hana Kimura", "Restore");
    const dialog = page.getByRole("dialog", { name: "Restore Hana Kimura" });
    await visible(dialog.getByLabel("New expiry"));
    await dialog.getByLabel("New expiry").fill("2020-05-05T10:00");
    await dialog.getByRole("button", { name: "Restore" }).click();
    await hasText(dialog.locator(".field-error"), "New expiry must be in the future");
    await dialog.getByLabel("New expiry").fill("");
    await dialog.getByRole("button", { name: "Restore" }).click();
    await gone(dialog);
    await said(page, "Hana Kimura was restored (now active).");
    expect(await tenant.admin.users.get(id)).toMatchObject({ status: "active", expiresAt: null });
  });
});
