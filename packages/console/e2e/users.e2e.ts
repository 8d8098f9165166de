/**
 * Users page (W1–W4, W9): the list with search and each filter, names as text, the two-tab
 * "Create New User" dialog with workspace roles and access, an API field error beside its field,
 * edit with If-Match (and the 412 when someone else saved first), and what a user without
 * users.manage is offered.
 */
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { gone, hasText, shot, useE2e, visible } from "./harness.ts";
import { type Seeded, STAFF_PASSWORD, seedClinic } from "./users-seed.ts";

/** The usernames the table shows, sorted (what the filters are judged by). */
async function shownUsernames(page: Page): Promise<string[]> {
  const cells = await page.locator("table.users-table tbody tr td:nth-child(2)").allInnerTexts();
  return cells.map((c) => c.trim()).sort();
}

async function expectRows(page: Page, usernames: readonly string[]): Promise<void> {
  await expect.poll(() => shownUsernames(page), { timeout: 10_000 }).toEqual([...usernames].sort());
}

describe("users page", () => {
  const { e, tenant, signedIn } = useE2e({ name: "Riverside Radiotherapy" });
  let s: Seeded;
  beforeAll(async () => {
    s = await seedClinic(e, tenant);
  });

  it("lists active users with the seat count, and search and each filter narrow the list", async () => {
    const page = await signedIn();
    await visible(page.getByRole("heading", { name: "Users" }));
    await expectRows(page, s.active);
    await hasText(page.locator(".seats"), "Seats in use: 7 (and 1 virtual, not billed)");
    await shot(page, "users", { readme: true });

    await page.getByLabel("Search users").fill("herrera");
    await expectRows(page, ["therrera"]);
    await page.getByLabel("Search users").fill("");
    await expectRows(page, s.active);

    const status = page.getByLabel("Status");
    await status.selectOption({ label: "Invited" });
    await expectRows(page, ["aokafor"]);
    await status.selectOption({ label: "Inactive" });
    await expectRows(page, ["sreed"]);
    await status.selectOption({ label: "Archived" });
    await expectRows(page, ["kdubois"]);
    await status.selectOption({ label: "All" });
    await expectRows(page, [...s.active, "aokafor", "sreed", "kdubois"]);
    await status.selectOption({ label: "Active" });

    // Role: the user's role, or a workspace role (jbecker is a Dosimetrist in Planning only).
    await page.getByLabel("Role", { exact: true }).selectOption({ label: "Dosimetrist" });
    await expectRows(page, ["mlin", "jbecker"]);
    await page.getByRole("button", { name: "Clear filters" }).click();
    // Workspace: active in all workspaces, or in this one among others.
    await page.getByLabel("Workspace", { exact: true }).selectOption({ label: "Linac Suite A" });
    await expectRows(
      page,
      s.active.filter((u) => u !== "mlin"),
    );
    await page.getByRole("button", { name: "Clear filters" }).click();
    await page.getByLabel("Work role").selectOption({ label: "Nurse" });
    await expectRows(page, ["lfernandez"]);
    await page.getByRole("button", { name: "Clear filters" }).click();
    await page.getByLabel("Virtual").selectOption({ label: "Virtual only" });
    await expectRows(page, ["scheduler"]);
    await page.getByRole("button", { name: "Clear filters" }).click();
    await page.getByLabel("Locked").selectOption({ label: "Locked only" });
    await expectRows(page, ["lfernandez"]);
    await page.getByRole("button", { name: "Clear filters" }).click();
    await page.getByLabel("Search users").fill("no such person");
    await visible(page.getByText("No users match these filters."));
  });

  it("renders a name holding markup as text: no element is made and no script runs", async () => {
    const markup = "<img src=x onerror=alert(1)>";
    await tenant.admin.users.create({
      firstName: markup,
      lastName: "Probe",
      username: "probe",
      email: "probe@example.test",
      roleId: s.role("Viewer"),
      password: STAFF_PASSWORD,
      mustChangePassword: false,
    });
    let dialogs = 0;
    const page = await signedIn({
      prepare: (p) =>
        p.on("dialog", (d) => {
          dialogs += 1;
          void d.dismiss();
        }),
    });
    await page.getByLabel("Search users").fill("probe");
    await hasText(page.getByRole("rowheader"), `${markup} Probe`);
    expect(await page.locator("table img").count()).toBe(0);
    expect(dialogs).toBe(0);
  });

  it("creates a user with workspace access and a workspace role through the two-tab dialog", async () => {
    const page = await signedIn();
    await page.getByRole("button", { name: "Create New User" }).click();
    const dialog = page.getByRole("dialog", { name: "Create New User" });
    await visible(dialog);
    expect(await dialog.getByRole("tab", { name: "User Information" }).getAttribute("aria-selected")).toBe(
      "true",
    );
    await dialog.getByLabel("First name").fill("Noor");
    await dialog.getByLabel("Last name").fill("Haddad");
    await dialog.getByLabel("Email", { exact: true }).fill("noor.haddad@example.test");
    await dialog.getByLabel("Username").fill("nhaddad");
    await dialog.getByLabel("Work role").selectOption({ label: "Radiation Oncologist" });
    await dialog.getByLabel("NPI").fill("1234567893");
    await dialog.getByRole("tab", { name: "Roles" }).click();
    await dialog.getByLabel("Role", { exact: true }).selectOption({ label: "Viewer" });
    await dialog.getByLabel("Active only in the workspaces ticked below").check();
    await dialog.getByLabel("Planning").check();
    await dialog.getByRole("button", { name: "Add workspace role" }).click();
    const row = dialog.locator(".workspace-role-row");
    await row.getByLabel("Workspace", { exact: true }).selectOption({ label: "Planning" });
    await row.getByLabel("Role in this workspace").selectOption({ label: "Dosimetrist" });
    await shot(page, "users-create-dialog");
    await dialog.getByRole("button", { name: "Save" }).click();
    await visible(
      page.getByRole("status").filter({ hasText: "Noor Haddad was created and sent an invitation." }),
    );
    await gone(dialog);

    const [created] = (await tenant.admin.users.list({ q: "nhaddad", status: "all" })).items;
    const user = await tenant.admin.users.get(created?.id ?? "");
    expect(user).toMatchObject({
      status: "invited",
      workRole: "Radiation Oncologist",
      professionalId: "1234567893",
      roleId: s.role("Viewer"),
      workspaceAccess: [s.workspaces.planning],
      workspaceRoles: [{ workspaceId: s.workspaces.planning, roleId: s.role("Dosimetrist") }],
    });
  });

  it("shows the API's field error beside the field, on the tab that holds it", async () => {
    const page = await signedIn();
    await page.getByRole("button", { name: "Create New User" }).click();
    const dialog = page.getByRole("dialog", { name: "Create New User" });
    await dialog.getByLabel("First name").fill("Mei");
    await dialog.getByLabel("Last name").fill("Lin");
    await dialog.getByLabel("Email", { exact: true }).fill("another.mei@example.test");
    await dialog.getByLabel("Username").fill("MLIN");
    await dialog.getByRole("tab", { name: "Roles" }).click();
    // A choice left empty is caught before asking: beside the field.
    await dialog.getByRole("button", { name: "Save" }).click();
    await hasText(dialog.locator(".field-error"), "Choose a role.");
    await dialog.getByLabel("Role", { exact: true }).selectOption({ label: "Viewer" });
    await dialog.getByRole("button", { name: "Save" }).click();
    const infoTab = dialog.getByRole("tab", { name: /User Information/ });
    await expect.poll(() => infoTab.getAttribute("aria-selected")).toBe("true");
    await hasText(infoTab, /^User Information\s+\(has errors\)$/);
    const username = dialog.getByLabel("Username");
    expect(await username.getAttribute("aria-invalid")).toBe("true");
    const describedBy = (await username.getAttribute("aria-describedby")) ?? "";
    await hasText(
      dialog.locator(`[id="${describedBy.split(" ")[0]}"]`),
      "is already used by another user (archived users included)",
    );
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.getAttribute("aria-invalid")))
      .toBe("true");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await gone(dialog);
  });

  it("edits a user with its version; a concurrent change is reported and reloaded", async () => {
    const page = await signedIn();
    await page.getByRole("button", { name: "Actions for Mei Lin" }).click();
    await page.getByRole("menuitem", { name: "Edit", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "Edit Mei Lin" });
    await visible(dialog.getByLabel("Last name"));
    await dialog.getByLabel("Last name").fill("Lin-Park");
    await dialog.getByRole("tab", { name: "Roles" }).click();
    await dialog.getByLabel("Role", { exact: true }).selectOption({ label: "Physicist" });
    await dialog.getByRole("button", { name: "Save" }).click();
    await visible(page.getByRole("status").filter({ hasText: "Mei Lin-Park was saved." }));
    const mei = await tenant.admin.users.get(s.user("mlin"));
    expect(mei).toMatchObject({ lastName: "Lin-Park", roleId: s.role("Physicist") });

    // Someone else saves while the dialog is open: nothing is overwritten.
    await page.getByRole("button", { name: "Actions for Tomás Herrera" }).click();
    await page.getByRole("menuitem", { name: "Edit", exact: true }).click();
    const edit = page.getByRole("dialog", { name: "Edit Tomás Herrera" });
    await visible(edit.getByLabel("Title"));
    await tenant.admin.users.update(s.user("therrera"), { title: "Chief Physicist" });
    await edit.getByLabel("Employee number").fill("E-2044");
    await edit.getByRole("button", { name: "Save" }).click();
    await visible(edit.getByText("Someone else changed this user while you were editing"));
    expect((await tenant.admin.users.get(s.user("therrera"))).employeeNumber).toBeNull();
    await edit.getByRole("button", { name: "Reload" }).click();
    await expect.poll(() => edit.getByLabel("Title").inputValue()).toBe("Chief Physicist");
    await edit.getByLabel("Employee number").fill("E-2044");
    await edit.getByRole("button", { name: "Save" }).click();
    await gone(edit);
    expect(await tenant.admin.users.get(s.user("therrera"))).toMatchObject({
      title: "Chief Physicist",
      employeeNumber: "E-2044",
    });
  });

  it("offers a user without users.manage no Create button and no lifecycle actions", async () => {
    const page = await signedIn({ login: "frontdesk", password: STAFF_PASSWORD });
    await visible(page.getByRole("heading", { name: "Users" }));
    await visible(page.getByRole("button", { name: "Actions for Lucía Fernández" }));
    expect(await page.getByRole("button", { name: "Create New User" }).count()).toBe(0);
    await page.getByRole("button", { name: "Actions for Lucía Fernández" }).click();
    const items = await page.getByRole("menuitem").allInnerTexts();
    expect(items).toEqual([
      "Effective permissions",
      "Unlock",
      "Set random password",
      "Set password",
      "Send reset link",
      "Mark password compromised",
      "End sessions",
    ]);
    await page.keyboard.press("Escape");
    // Their own row: nothing to do to themselves but look.
    await page.getByRole("button", { name: "Actions for Fay Desk" }).click();
    expect(await page.getByRole("menuitem").allInnerTexts()).toEqual(["Effective permissions"]);
  });
});
