/**
 * Users page (W1–W4, W9): the list with search and each filter, sorting by a column header and
 * "last sign-in before", kept in the address, names as text, the two-tab "Create New User" dialog
 * with workspace roles and access (only workspaces the user is active in), every empty required
 * field said on the first Save, an API field error beside its field, edit with If-Match (and the
 * 412 when someone else saved first), one's own row, and what a user without users.manage is offered.
 */
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { ADMIN_PASSWORD, describedAs, gone, hasText, shot, useE2e, visible } from "./harness.ts";
import { lockOut, type Seeded, STAFF_PASSWORD, seedClinic, staff } from "./users-seed.ts";

/** The usernames the table shows, sorted (what the filters are judged by). */
async function shownUsernames(page: Page): Promise<string[]> {
  const cells = await page.locator("table.users-table tbody tr td:nth-child(2)").allInnerTexts();
  return cells.map((c) => c.trim()).sort();
}

async function expectRows(page: Page, usernames: readonly string[]): Promise<void> {
  await expect.poll(() => shownUsernames(page), { timeout: 10_000 }).toEqual([...usernames].sort());
}

/** The usernames the table shows, in its order. */
async function usernamesInOrder(page: Page): Promise<string[]> {
  const cells = await page.locator("table.users-table tbody tr td:nth-child(2)").allInnerTexts();
  return cells.map((c) => c.trim());
}

const optionTexts = async (select: ReturnType<Page["getByLabel"]>) =>
  (await select.locator("option").allInnerTexts()).map((t) => t.trim());

describe("users page", () => {
  const { e, tenant, signedIn } = useE2e({ name: "Riverside Radiotherapy" });
  let s: Seeded;
  beforeAll(async () => {
    s = await seedClinic(e, tenant);
  });

  it("lists active users with the seat count, and search and each filter narrow the list", async () => {
    const page = await signedIn();
    await visible(page.getByRole("heading", { name: "Users" }));
    // By default everyone not switched off or archived: an invited user is there.
    const current = [...s.active, "aokafor"];
    await expectRows(page, current);
    await hasText(page.locator(".seats"), "Seats in use: 7 (and 1 virtual, not billed)");
    await shot(page, "users", { readme: true });

    await page.getByLabel("Search users").fill("herrera");
    await expectRows(page, ["therrera"]);
    await page.getByLabel("Search users").fill("");
    await expectRows(page, current);

    // "Show inactive" (PRODUCT.md §2) adds the deactivated, and the address keeps it.
    await page.getByLabel("Show Inactive").check();
    await expectRows(page, [...current, "sreed"]);
    expect(new URL(page.url()).search).toBe("?showInactive=yes");
    await page.getByLabel("Show Inactive").uncheck();
    await expectRows(page, current);

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
      current.filter((u) => u !== "mlin"),
    );
    await page.getByRole("button", { name: "Clear filters" }).click();
    await page.getByLabel("Work role").selectOption({ label: "Nurse" });
    await expectRows(page, ["aokafor", "lfernandez"]);
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

  it("shows the filters the address holds after Back and Forward, as the list does", async () => {
    const page = await signedIn({ path: "/users" });
    const search = page.getByLabel("Search users");
    const status = page.getByLabel("Status");
    const chosen = () => status.evaluate((el: HTMLSelectElement) => el.selectedOptions[0]?.text ?? "");
    await search.fill("herrera");
    await expect.poll(() => new URL(page.url()).search).toBe("?q=herrera");
    await expectRows(page, ["therrera"]);
    await status.selectOption({ label: "Archived" });
    await expect.poll(() => new URL(page.url()).search).toBe("?q=herrera&status=archived");
    await visible(page.getByText("No users match these filters."));

    // Back undoes the status: the form reads what the address says, not the choice just undone.
    await page.goBack();
    await expect.poll(() => new URL(page.url()).search).toBe("?q=herrera");
    await expectRows(page, ["therrera"]);
    await expect.poll(chosen).toBe("Active and invited");
    expect(await search.inputValue()).toBe("herrera");
    await page.goForward();
    await visible(page.getByText("No users match these filters."));
    await expect.poll(chosen).toBe("Archived");
  });

  it("sorts by a column header and filters by last sign-in, both kept in the address", async () => {
    const page = await signedIn({ path: "/users" });
    const header = (name: string) => page.getByRole("columnheader", { name, exact: true });
    await expectRows(page, [...s.active, "aokafor"]);
    expect(await header("Name").getAttribute("aria-sort")).toBe("ascending");
    expect(await header("Username").getAttribute("aria-sort")).toBeNull();

    // The console's default view, asked of the API.
    const byUsername = (
      await tenant.admin.users.list({ status: "active,invited", sort: "username" })
    ).items.map((u) => u.username);
    await header("Username").getByRole("button").click();
    await expect.poll(() => usernamesInOrder(page)).toEqual(byUsername);
    expect(await header("Username").getAttribute("aria-sort")).toBe("ascending");
    expect(await header("Name").getAttribute("aria-sort")).toBeNull();
    await header("Username").getByRole("button").click();
    await expect.poll(() => usernamesInOrder(page)).toEqual([...byUsername].reverse());
    expect(await header("Username").getAttribute("aria-sort")).toBe("descending");
    await expect.poll(() => new URL(page.url()).searchParams.get("sort")).toBe("-username");

    // Before 2000: only those who never signed in (the API counts them in).
    const never = (await tenant.admin.users.list({ status: "active,invited", sort: "-username" })).items
      .filter((u) => u.lastLoginAt === null)
      .map((u) => u.username);
    expect(never).toContain("mlin");
    expect(never).not.toContain("admin");
    await page.getByLabel("Last sign-in before").fill("2000-01-01");
    await expect.poll(() => usernamesInOrder(page)).toEqual(never);
    await expect.poll(() => new URL(page.url()).searchParams.get("lastLoginBefore")).toBe("2000-01-01");

    // The address holds the view: a reload shows the same list, sorted the same way.
    await page.reload();
    await expect.poll(() => usernamesInOrder(page)).toEqual(never);
    expect(await header("Username").getAttribute("aria-sort")).toBe("descending");
    expect(await page.getByLabel("Last sign-in before").inputValue()).toBe("2000-01-01");
    await page.getByRole("button", { name: "Clear filters" }).click();
    await expect.poll(() => usernamesInOrder(page)).toEqual([...byUsername].reverse());
    await header("Last sign-in").getByRole("button").click();
    await expect.poll(() => new URL(page.url()).searchParams.get("sort")).toBe("lastLoginAt");
    expect(await header("Last sign-in").getAttribute("aria-sort")).toBe("ascending");
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
    // The page's filters are not drawn behind the open dialog: a label names one control, page-wide.
    expect(await page.getByLabel("Role", { exact: true }).count()).toBe(1);
    expect(await page.getByLabel("Search users").count()).toBe(0);
    await dialog.getByLabel("Role", { exact: true }).selectOption({ label: "Viewer" });
    // Issue 6's "active workspaces": the group's name, and no other group's.
    const active = dialog.getByRole("group", { name: "Active workspaces" });
    expect(await page.getByRole("group", { name: "Active workspaces" }).count()).toBe(1);
    await active.getByLabel("Active only in the workspaces ticked below").check();
    await active.getByLabel("Planning").check();
    await dialog.getByRole("button", { name: "Add workspace role" }).click();
    const row = dialog.locator(".workspace-role-row");
    await row.getByLabel("Workspace (row 1)").selectOption({ label: "Planning" });
    await row.getByLabel("Holds there instead (row 1)").selectOption({ label: "Dosimetrist" });
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

  it("says every empty required field on the first Save, marking both tabs", async () => {
    const page = await signedIn();
    await page.getByRole("button", { name: "Create New User" }).click();
    const dialog = page.getByRole("dialog", { name: "Create New User" });
    await dialog.getByRole("button", { name: "Save" }).click();
    const infoTab = dialog.getByRole("tab", { name: /^User Information/ });
    const rolesTab = dialog.getByRole("tab", { name: /^Roles/ });
    await describedAs(infoTab, "Has errors");
    await hasText(infoTab, "User Information");
    await describedAs(rolesTab, "Has errors");
    await hasText(rolesTab, "Roles");
    // Marked in its description, so its name stays what a lookup by the tab's label asks for.
    await visible(dialog.getByRole("tab", { name: "User Information", exact: true }));
    expect(await infoTab.getAttribute("aria-selected")).toBe("true");
    for (const label of ["First name", "Last name", "Email", "Username"]) {
      expect(await dialog.getByLabel(label, { exact: true }).getAttribute("aria-invalid")).toBe("true");
    }
    await hasText(dialog.getByText("Enter a username.", { exact: true }), "Enter a username.");
    await rolesTab.click();
    expect(await dialog.getByLabel("Role", { exact: true }).getAttribute("aria-invalid")).toBe("true");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await gone(dialog);
  });

  it("opens on its first field, and will not make a user active in no workspace by an empty tick list", async () => {
    const page = await signedIn();
    await page.getByRole("button", { name: "Create New User" }).click();
    const dialog = page.getByRole("dialog", { name: "Create New User" });
    // The dialog starts where the typing starts, not on its × button.
    const first = dialog.getByLabel("First name");
    await expect.poll(() => first.evaluate((el) => el === document.activeElement)).toBe(true);
    await first.fill("Ines");
    await dialog.getByLabel("Last name").fill("Walcott");
    await dialog.getByLabel("Email", { exact: true }).fill("ines.walcott@example.test");
    await dialog.getByLabel("Username").fill("iwalcott");
    await dialog.getByRole("tab", { name: "Roles" }).click();
    await dialog.getByLabel("Role", { exact: true }).selectOption({ label: "Viewer" });
    const only = dialog.getByLabel("Active only in the workspaces ticked below");
    await only.check();
    await dialog.getByRole("button", { name: "Save" }).click();
    await hasText(
      dialog.locator(".field-error").filter({ hasText: "Tick at least one workspace" }),
      "Tick at least one workspace, or choose “Active in all workspaces”: with none ticked the user is active in no workspace.",
    );
    expect(await only.getAttribute("aria-invalid")).toBe("true");
    await expect.poll(() => only.evaluate((el) => el === document.activeElement)).toBe(true);
    expect((await tenant.admin.users.list({ q: "iwalcott", status: "all" })).items).toEqual([]);

    await dialog.getByLabel("Planning").check();
    await dialog.getByRole("button", { name: "Save" }).click();
    await gone(dialog);
    const [made] = (await tenant.admin.users.list({ q: "iwalcott", status: "all" })).items;
    expect(made?.workspaceAccess).toEqual([s.workspaces.planning]);
    await tenant.admin.userActions.archive(made?.id ?? "");
  });

  it("offers workspace roles only in workspaces the user is active in, and drops the others", async () => {
    const page = await signedIn();
    await page.getByRole("button", { name: "Create New User" }).click();
    const dialog = page.getByRole("dialog", { name: "Create New User" });
    await dialog.getByRole("tab", { name: "Roles" }).click();
    await dialog.getByRole("button", { name: "Add workspace role" }).click();
    const row = dialog.locator(".workspace-role-row");
    // Active in all workspaces: every one.
    expect(await optionTexts(row.getByLabel("Workspace (row 1)"))).toEqual([
      "Choose a workspace",
      "Linac Suite A",
      "Planning",
    ]);
    await row.getByLabel("Workspace (row 1)").selectOption({ label: "Planning" });
    await row.getByLabel("Holds there instead (row 1)").selectOption({ label: "Dosimetrist" });
    // Active only where ticked, and Planning is not: its workspace role goes, and that is said.
    await dialog.getByLabel("Active only in the workspaces ticked below").check();
    await gone(row);
    await hasText(
      dialog.getByRole("status"),
      "The workspace role in Planning was removed: the user is no longer active there, so it could never apply.",
    );
    expect(await dialog.getByRole("button", { name: "Add workspace role" }).isDisabled()).toBe(true);
    await dialog.getByLabel("Planning").check();
    await dialog.getByRole("button", { name: "Add workspace role" }).click();
    expect(await optionTexts(row.getByLabel("Workspace (row 1)"))).toEqual([
      "Choose a workspace",
      "Planning",
    ]);
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await gone(dialog);
  });

  it("offers no Edit Permissions on one's own row; reached anyway, it says why as a note", async () => {
    const page = await signedIn();
    await page.getByRole("button", { name: "Actions for Ada Admin" }).click();
    const items = await page.getByRole("menuitem").allInnerTexts();
    expect(items).toContain("Edit");
    expect(items).not.toContain("Edit Permissions");
    await page.keyboard.press("Escape");
    const me = await tenant.admin.auth.me();
    await page.goto(`/users/${me.user.id}/permissions`);
    const note = page.getByText("You cannot change your own permissions; ask another administrator.");
    await visible(note);
    // Information, not an outcome: not the success box, and nothing to save.
    expect(await note.getAttribute("class")).toBe("note");
    expect(await page.getByRole("button", { name: "Save" }).count()).toBe(0);
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
    await describedAs(infoTab, "Has errors");
    await hasText(infoTab, "User Information");
    const username = dialog.getByLabel("Username");
    expect(await username.getAttribute("aria-invalid")).toBe("true");
    const describedBy = (await username.getAttribute("aria-describedby")) ?? "";
    await hasText(
      dialog.locator(`[id="${describedBy.split(" ")[0]}"]`),
      "Username is already used by another user (archived users included)",
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
    // A colleague holding nothing Fay does not: her credential actions apply to him.
    const gus = await staff(tenant, "Gus", "Greeter", { roleId: s.role("Front desk") });
    await lockOut(e, tenant, gus.username);
    const page = await signedIn({ login: "frontdesk", password: STAFF_PASSWORD });
    await visible(page.getByRole("heading", { name: "Users" }));
    await visible(page.getByRole("button", { name: "Actions for Gus Greeter" }));
    expect(await page.getByRole("button", { name: "Create New User" }).count()).toBe(0);
    await page.getByRole("button", { name: "Actions for Gus Greeter" }).click();
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
    // Lucía holds patient permissions Fay does not: the server would refuse every action on her.
    await page.getByRole("button", { name: "Actions for Lucía Fernández" }).click();
    expect(await page.getByRole("menuitem").allInnerTexts()).toEqual([
      "Effective permissions",
      "No other actions\nLucía Fernández holds permissions you do not: Read Patients, Read Collections.",
    ]);
    expect(
      await page.getByRole("menuitem", { name: /^No other actions/ }).getAttribute("aria-disabled"),
    ).toBe("true");
    await page.keyboard.press("Escape");
    // Their own row: nothing to do to themselves but look.
    await page.getByRole("button", { name: "Actions for Fay Desk" }).click();
    expect(await page.getByRole("menuitem").allInnerTexts()).toEqual(["Effective permissions"]);
  });

  it("tells someone without users.view, opening Users by its address, that it is not theirs, with no controls", async () => {
    // A Viewer holds patient permissions only: the list, its filters and the export would be refused.
    const page = await signedIn({ login: "jbecker", password: STAFF_PASSWORD, path: "/users" });
    await visible(page.getByRole("heading", { name: "Users", level: 1 }));
    await hasText(
      page.getByRole("alert"),
      "Access denied: the list of users needs the “View users” permission (users.view).",
    );
    for (const control of [
      "Export Users as CSV",
      "Create New User",
      "Import Users from CSV",
      "Clear filters",
    ]) {
      expect(await page.getByRole("button", { name: control }).count(), control).toBe(0);
    }
    expect(await page.getByLabel("Search users").count()).toBe(0);
    expect(await page.getByRole("table").count()).toBe(0);
  });

  it("says on every page a person may not open which permission it needs, as Users does", async () => {
    // A Viewer holds patient permissions only: every administration page but Workspaces is closed.
    const page = await signedIn({ login: "jbecker", password: STAFF_PASSWORD });
    const other = s.user("praman");
    const needs = (what: string, label: string, key: string) =>
      `Access denied: ${what} needs the “${label}” permission (${key}).`;
    for (const [path, heading, refusal] of [
      ["/roles", "Roles", needs("the list of roles", "View users", "users.view")],
      [
        `/users/${other}/permissions`,
        "Edit Permissions",
        needs("seeing a user’s permissions", "View users", "users.view"),
      ],
      [
        `/users/${other}/effective-permissions`,
        "Effective permissions",
        needs("seeing another user’s effective permissions", "View users", "users.view"),
      ],
      [
        "/patient-access",
        "Manage Patient Access",
        needs("managing patient access", "Manage patient access", "patient_access.manage"),
      ],
      [
        "/emergency-access",
        "Emergency access",
        "Access denied: emergency access needs one of the permissions “Use emergency access” (emergency_access.use), “Manage users” (users.manage) or “View audit log” (audit.view).",
      ],
      ["/audit", "Audit Logs", needs("viewing the audit log", "View audit log", "audit.view")],
      [
        "/settings",
        "Settings",
        needs("managing the security settings", "Manage security settings", "settings.manage"),
      ],
      ["/outbox", "Outbox", needs("the outbox", "Manage security settings", "settings.manage")],
      ["/api-tokens", "API tokens", needs("managing API tokens", "Manage API tokens", "api_tokens.manage")],
    ] as const) {
      await page.goto(path);
      await visible(page.getByRole("heading", { name: heading, level: 1 }));
      await hasText(page.getByRole("alert"), refusal);
    }
    // One's own effective permissions are open to everyone.
    await page.goto(`/users/${s.user("jbecker")}/effective-permissions`);
    await visible(page.getByRole("grid", { name: "Effective permissions by tenant and workspace" }));
    expect(await page.getByRole("alert").count()).toBe(0);
    // A closed page asks the API nothing: not one refusal of jbecker's reached the audit.
    const refused = await tenant.admin.audit.list({ action: "authz.failed", limit: 200 });
    expect(refused.items.filter((e) => e.actor.id === s.user("jbecker")).map((e) => e.changes)).toEqual([]);
  });

  it("asks for the password before changing one's own email address, and says a wrong one beside it", async () => {
    const page = await signedIn();
    await page.getByRole("button", { name: "Actions for Ada Admin" }).click();
    await page.getByRole("menuitem", { name: "Edit", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "Edit Ada Admin" });
    await visible(dialog.getByLabel("Email", { exact: true }));
    await dialog.getByLabel("Email", { exact: true }).fill("ada.moved@example.test");
    await dialog.getByRole("button", { name: "Save" }).click();
    const confirm = page.getByRole("dialog", { name: "Confirm your password" });
    await visible(confirm.getByText("Changing your own email address needs your password"));
    await confirm.getByLabel("Password").fill("not-the-admin-password-000");
    await confirm.getByRole("button", { name: "Save" }).click();
    await visible(confirm.getByText("That is not your password."));
    const me = await tenant.admin.auth.me();
    expect(me.user.email).not.toBe("ada.moved@example.test");
    // Only the topmost dialog is exposed: the Edit dialog under it is hidden with the page.
    expect(await page.getByRole("dialog").count()).toBe(1);
    expect(await page.getByRole("button", { name: "Save" }).count()).toBe(1);
    // Cancelled, it gives the Edit dialog back, exposed again, with the focus on its Save.
    await confirm.getByRole("button", { name: "Cancel" }).click();
    await gone(confirm);
    const save = dialog.getByRole("button", { name: "Save" });
    await expect.poll(() => save.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await page.getByRole("dialog").count()).toBe(1);
    expect(await page.getByRole("button", { name: "Actions for Ada Admin" }).count()).toBe(0);
    await save.click();
    await confirm.getByLabel("Password").fill(ADMIN_PASSWORD);
    await confirm.getByRole("button", { name: "Save" }).click();
    await gone(confirm);
    await gone(dialog);
    await expect.poll(async () => (await tenant.admin.auth.me()).user.email).toBe("ada.moved@example.test");
    // Both gone at once, the page is exposed again and the focus back on the row's Actions button.
    const actions = page.getByRole("button", { name: "Actions for Ada Admin" });
    await expect.poll(() => actions.evaluate((el) => el === document.activeElement)).toBe(true);
  });
});
