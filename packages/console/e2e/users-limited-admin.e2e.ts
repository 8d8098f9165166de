/**
 * A limited administrator (users.*, roles.manage, workspaces.manage; no patient permissions) is
 * not offered what the no-escalation rule forbids (PRODUCT.md §2 "Guards"): roles they could not
 * grant, permissions they do not hold in the role editor, actions on a user who holds more than
 * them, by their role or private role. A refusal the server still makes (a role that grew after
 * the page read it) names the permissions by their labels.
 */
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { accessible } from "./axe.ts";
import { describedAs, gone, hasText, shot, useE2e, visible } from "./harness.ts";
import { roleIds, STAFF_PASSWORD, staff } from "./users-seed.ts";

const optionTexts = async (select: ReturnType<Page["getByLabel"]>) =>
  (await select.locator("option").allInnerTexts()).map((t) => t.trim());

describe("a limited administrator", () => {
  const { tenant, signedIn } = useE2e();
  let paul: { id: string };
  let nico: { id: string };
  let nightDesk: { id: string; version: number };
  let clinicId = "";
  let accessAdminId = "";
  beforeAll(async () => {
    const roles = await roleIds(tenant);
    const accessAdmin = await tenant.admin.roles.create({
      name: "Access admin",
      permissions: ["users.view", "users.manage", "users.credentials", "roles.manage", "workspaces.manage"],
    });
    const desk = await tenant.admin.roles.create({ name: "Front desk", permissions: ["users.view"] });
    const chartKeeper = await tenant.admin.roles.create({
      name: "Chart keeper",
      permissions: ["users.view", "roles.manage", "patients.read"],
    });
    const clinic = await tenant.admin.workspaces.create({ slug: "main-clinic", name: "Main Clinic" });
    const annex = await tenant.admin.workspaces.create({ slug: "annex", name: "Annex" });
    clinicId = clinic.id;
    accessAdminId = accessAdmin.id;
    await staff(tenant, "Lena", "Limited", { roleId: accessAdmin.id });
    await staff(tenant, "Walt", "Ward", { roleId: accessAdmin.id, workspaceAccess: [clinic.id] });
    await staff(tenant, "Ana", "Annex", { roleId: desk.id, workspaceAccess: [annex.id] });
    await staff(tenant, "Cleo", "Clinic", { roleId: desk.id, workspaceAccess: [clinic.id] });
    await staff(tenant, "Dan", "Desk", { roleId: desk.id });
    await staff(tenant, "Rhea", "Reader", { roleId: chartKeeper.id });
    paul = await staff(tenant, "Paul", "Physicist", { roleId: roles.Physicist ?? "" });
    nightDesk = await tenant.admin.roles.create({ name: "Night desk", permissions: ["users.view"] });
    nico = await staff(tenant, "Nico", "Night", { roleId: nightDesk.id });
    // A private role is not among the roles the console lists: it reads its grants for the users shown.
    const pete = await staff(tenant, "Pete", "Privy", { roleId: desk.id });
    await tenant.admin.userActions.setPermissions(pete.id, {
      permissions: ["users.view", "patients.phi"],
      collaborator: false,
      workspaces: [],
    });
  });

  const signIn = (path?: string) =>
    signedIn({ login: "llimited", password: STAFF_PASSWORD, ...(path ? { path } : {}) });

  it("is offered only the roles they could grant, in the user form and per workspace", async () => {
    const page = await signIn();
    await page.getByRole("button", { name: "Create New User" }).click();
    const dialog = page.getByRole("dialog", { name: "Create New User" });
    await dialog.getByLabel("First name").fill("Nina");
    await dialog.getByLabel("Last name").fill("New");
    await dialog.getByLabel("Email", { exact: true }).fill("nina.new@example.test");
    await dialog.getByLabel("Username").fill("nnew");
    await dialog.getByRole("tab", { name: "Roles" }).click();
    const role = dialog.getByLabel("Role", { exact: true });
    expect(await optionTexts(role)).toEqual(["Choose a role", "Access admin", "Front desk", "Night desk"]);
    const why = (await role.getAttribute("aria-describedby")) ?? "";
    await hasText(
      dialog.locator(`[id="${why}"]`),
      /^Not offered: .*Administrator.*\. They grant permissions you do not hold, so only someone holding them can give them\.$/,
    );
    await hasText(dialog.locator(`[id="${why}"]`), /Physicist/);
    await dialog.getByRole("button", { name: "Add workspace role" }).click();
    expect(await optionTexts(dialog.getByLabel("Holds there instead (row 1)"))).toEqual([
      "Choose a role",
      "Access admin",
      "Front desk",
      "Night desk",
    ]);
    await dialog
      .locator(".workspace-role-row")
      .getByRole("button", { name: /^Remove/ })
      .click();
    await role.selectOption({ label: "Front desk" });
    await shot(page, "users-limited-create");
    await dialog.getByRole("button", { name: "Save" }).click();
    await visible(
      page.getByRole("status").filter({ hasText: "Nina New was created and sent an invitation." }),
    );
    await gone(dialog);
  });

  it("active in one workspace, offers only a look at users active beyond it", async () => {
    const page = await signedIn({ login: "wward", password: STAFF_PASSWORD });
    const menu = async (name: string) => {
      await page.getByRole("button", { name: `Actions for ${name}` }).click();
      const items = await page.getByRole("menuitem").allInnerTexts();
      await page.keyboard.press("Escape");
      return items;
    };
    expect(await menu("Dan Desk")).toEqual([
      "Effective permissions",
      "No other actions\nDan Desk is active in every workspace, and you are not.",
    ]);
    expect(await menu("Ana Annex")).toEqual([
      "Effective permissions",
      "No other actions\nAna Annex is active in workspaces you are not: Annex.",
    ]);
    expect(await menu("Cleo Clinic")).toContain("Deactivate");
  });

  it("active in one workspace, starts a new user there and offers no other workspace", async () => {
    const page = await signedIn({ login: "wward", password: STAFF_PASSWORD });
    await page.getByRole("button", { name: "Create New User" }).click();
    const dialog = page.getByRole("dialog", { name: "Create New User" });
    await dialog.getByLabel("First name").fill("Willa");
    await dialog.getByLabel("Last name").fill("Wardmate");
    await dialog.getByLabel("Email", { exact: true }).fill("willa.wardmate@example.test");
    await dialog.getByLabel("Username").fill("wwardmate");
    await dialog.getByRole("tab", { name: "Roles" }).click();
    const active = dialog.getByRole("group", { name: "Active workspaces" });
    const all = active.getByRole("radio", { name: "Active in all workspaces" });
    const only = active.getByRole("radio", { name: "Active only in the workspaces ticked below" });
    const clinic = active.getByRole("checkbox", { name: "Main Clinic", exact: true });
    const annex = active.getByRole("checkbox", { name: "Annex", exact: true });
    // His own workspaces are where a new user starts: "all" is more than he may give.
    expect([await only.isChecked(), await all.isChecked(), await all.isDisabled()]).toEqual([
      true,
      false,
      true,
    ]);
    expect([await clinic.isChecked(), await clinic.isDisabled()]).toEqual([true, false]);
    expect([await annex.isChecked(), await annex.isDisabled()]).toEqual([false, true]);
    const why = "You are active only in some workspaces, so you can give access only to those.";
    for (const choice of [all, annex]) {
      await hasText(dialog.locator(`[id="${await choice.getAttribute("aria-describedby")}"]`), why);
    }
    expect(await clinic.getAttribute("aria-describedby")).toBeNull();
    await dialog.getByLabel("Role", { exact: true }).selectOption({ label: "Front desk" });
    await shot(page, "users-limited-workspaces");
    await accessible(page, "create user, Roles, active in one workspace");
    await dialog.getByRole("button", { name: "Save" }).click();
    await visible(
      page.getByRole("status").filter({ hasText: "Willa Wardmate was created and sent an invitation." }),
    );
    await gone(dialog);
    const [made] = (await tenant.admin.users.list({ q: "wwardmate", status: "all" })).items;
    expect(made?.workspaceAccess).toEqual([clinicId]);
  });

  it("active everywhere, still starts a new user in all workspaces, every one offered", async () => {
    const page = await signIn();
    await page.getByRole("button", { name: "Create New User" }).click();
    const dialog = page.getByRole("dialog", { name: "Create New User" });
    await dialog.getByRole("tab", { name: "Roles" }).click();
    const active = dialog.getByRole("group", { name: "Active workspaces" });
    const all = active.getByRole("radio", { name: "Active in all workspaces" });
    expect([await all.isChecked(), await all.isDisabled()]).toEqual([true, false]);
    expect(await all.getAttribute("aria-describedby")).toBeNull();
    await active.getByRole("radio", { name: "Active only in the workspaces ticked below" }).check();
    for (const name of ["Main Clinic", "Annex"]) {
      const box = active.getByRole("checkbox", { name, exact: true });
      expect([name, await box.isChecked(), await box.isDisabled()]).toEqual([name, false, false]);
    }
    expect(await active.getByText(/You are active only in some workspaces/).count()).toBe(0);
    await all.check();
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await gone(dialog);
  });

  it("says a workspace refusal beside the workspaces, when the server still makes one", async () => {
    // Sid is active everywhere when the form opens; by Save he is active in Main Clinic only.
    const sid = await staff(tenant, "Sid", "Shifted", { roleId: accessAdminId });
    const page = await signedIn({ login: "sshifted", password: STAFF_PASSWORD });
    await page.getByRole("button", { name: "Create New User" }).click();
    const dialog = page.getByRole("dialog", { name: "Create New User" });
    await dialog.getByLabel("First name").fill("Tess");
    await dialog.getByLabel("Last name").fill("Tardy");
    await dialog.getByLabel("Email", { exact: true }).fill("tess.tardy@example.test");
    await dialog.getByLabel("Username").fill("ttardy");
    const rolesTab = dialog.getByRole("tab", { name: /^Roles/ });
    await rolesTab.click();
    await dialog.getByLabel("Role", { exact: true }).selectOption({ label: "Front desk" });
    const fresh = await tenant.admin.users.get(sid.id);
    await tenant.admin.users.update(sid.id, { workspaceAccess: [clinicId] }, { ifMatch: fresh.version });
    await dialog.getByRole("tab", { name: "User Information" }).click();
    await dialog.getByRole("button", { name: "Save" }).click();

    const active = dialog.getByRole("group", { name: "Active workspaces" });
    const all = active.getByRole("radio", { name: "Active in all workspaces" });
    await describedAs(rolesTab, "Has errors");
    await hasText(rolesTab, "Roles");
    // The group's description ends with its error.
    const errorId = (await active.getAttribute("aria-describedby"))?.split(" ").at(-1);
    const said = dialog.locator(`[id="${errorId}"]`);
    await hasText(
      said,
      "is every workspace, and you are active only in some: list the workspaces you are active in",
    );
    expect(await all.getAttribute("aria-invalid")).toBe("true");
    await expect.poll(() => all.evaluate((el) => el === document.activeElement)).toBe(true);

    await active.getByRole("radio", { name: "Active only in the workspaces ticked below" }).check();
    await hasText(rolesTab, "Roles");
    const annex = active.getByRole("checkbox", { name: "Annex", exact: true });
    await annex.check();
    await dialog.getByRole("tab", { name: "User Information" }).click();
    await dialog.getByRole("button", { name: "Save" }).click();
    await describedAs(rolesTab, "Has errors");
    await hasText(rolesTab, "Roles");
    expect(await annex.getAttribute("aria-invalid")).toBe("true");
    await hasText(
      dialog.locator(`[id="${await annex.getAttribute("aria-describedby")}"]`),
      "Annex is a workspace you are not active in",
    );
    await expect.poll(() => annex.evaluate((el) => el === document.activeElement)).toBe(true);
    await shot(page, "users-limited-workspace-refused");
    await accessible(page, "create user, a workspace refused");
    expect((await tenant.admin.users.list({ q: "ttardy", status: "all" })).items).toEqual([]);

    await annex.uncheck();
    await active.getByRole("checkbox", { name: "Main Clinic", exact: true }).check();
    await hasText(rolesTab, "Roles");
    await dialog.getByRole("button", { name: "Save" }).click();
    await gone(dialog);
    const [made] = (await tenant.admin.users.list({ q: "ttardy", status: "all" })).items;
    expect(made?.workspaceAccess).toEqual([clinicId]);
  });

  it("offers only a look at a user who holds more, and everything on one who does not", async () => {
    const page = await signIn();
    await page.getByRole("button", { name: "Actions for Paul Physicist" }).click();
    const items = await page.getByRole("menuitem").allInnerTexts();
    expect(items[0]).toBe("Effective permissions");
    expect(items[1]).toMatch(/^No other actions\nPaul Physicist holds permissions you do not: View PHI, /);
    expect(items).toHaveLength(2);
    const why = page.getByRole("menuitem", { name: /^No other actions/ });
    expect(await why.getAttribute("aria-disabled")).toBe("true");
    await shot(page, "users-limited-menu");
    // It takes focus (so its words are read) and does nothing.
    await page.keyboard.press("ArrowDown");
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.getAttribute("aria-disabled")))
      .toBe("true");
    await page.keyboard.press("Enter");
    expect(await page.getByRole("dialog").count()).toBe(0);
    expect(new URL(page.url()).pathname).toBe("/users");
    await page.keyboard.press("Escape");

    await page.getByRole("button", { name: "Actions for Dan Desk" }).click();
    const danItems = await page.getByRole("menuitem").allInnerTexts();
    for (const item of ["Edit", "Edit Permissions", "Set password", "Deactivate", "Archive"]) {
      expect(danItems).toContain(item);
    }
    await page.keyboard.press("Escape");

    // Reached by its address, Edit Permissions of Paul is read-only and says why.
    await page.goto(`/users/${paul.id}/permissions`);
    await visible(page.getByText(/^Paul Physicist holds permissions you do not \(View PHI, /));
    expect(await page.getByRole("button", { name: "Save" }).count()).toBe(0);
  });

  it("offers only a look at a user whose private role holds more", async () => {
    const page = await signIn();
    // Its grants are read after the list: the menu follows once they are in.
    const menu = async () => {
      await page.getByRole("button", { name: "Actions for Pete Privy" }).click();
      const items = await page.getByRole("menuitem").allInnerTexts();
      await page.keyboard.press("Escape");
      return items;
    };
    await expect
      .poll(menu)
      .toEqual([
        "Effective permissions",
        "No other actions\nPete Privy holds permissions you do not: View PHI.",
      ]);
  });

  it("names the permissions by label when the server refuses an action", async () => {
    const page = await signIn();
    await page.getByRole("button", { name: "Actions for Nico Night" }).click();
    await visible(page.getByRole("menuitem", { name: "Deactivate", exact: true }));
    // His role grows after the page read it: only the server can know.
    await tenant.admin.roles.update(nightDesk.id, { permissions: ["users.view", "patients.phi"] });
    await page.getByRole("menuitem", { name: "Deactivate", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "Deactivate user?" });
    await dialog.getByRole("button", { name: "Deactivate", exact: true }).click();
    const alert = dialog.getByRole("alert");
    await hasText(
      alert,
      /^The user holds permissions you do not \(.*“View PHI”.*\); only someone holding them can act on this user$/,
    );
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered text a person reads.
    expect(await alert.innerText()).not.toMatch(/patients\./);
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await gone(dialog);
    expect((await tenant.admin.users.get(nico.id)).status).toBe("active");
  });

  it("is not offered, in the role editor, permissions they do not hold", async () => {
    const page = await signIn("/roles");
    await page.getByRole("button", { name: "Create New Role" }).click();
    const dialog = page.getByRole("dialog", { name: "Create New Role" });
    await dialog.getByLabel("Name", { exact: true }).fill("Workspace keepers");
    await dialog.getByRole("tab", { name: "Permissions" }).click();
    const tenantLevel = dialog.getByRole("group", { name: "Organization permissions (tenant level)" });
    const box = (name: string) => tenantLevel.getByRole("checkbox", { name, exact: true });
    await visible(tenantLevel.getByText(/^You can grant only permissions you hold yourself/));
    const phi = box("View PHI");
    expect(await phi.isDisabled()).toBe(true);
    await hasText(
      page.locator(`[id="${await phi.getAttribute("aria-describedby")}"]`),
      "You do not hold it, so you cannot grant it",
    );
    expect(await box("Patients").isDisabled()).toBe(true);
    expect(await box("Manage workspaces").isDisabled()).toBe(false);
    await box("Manage workspaces").check();
    await shot(page, "roles-limited-editor");
    await dialog.getByRole("button", { name: "Save" }).click();
    await hasText(page.getByRole("status"), "Role “Workspace keepers” was created.");

    // A copy grants what the role grants: not offered (roles-limited-admin.e2e.ts says more).
    await visible(page.getByRole("button", { name: "Copy Front desk" }));
    expect(await page.getByRole("button", { name: "Copy Physicist" }).count()).toBe(0);
    // Her own role opens read-only, saying why (nobody edits a role they hold).
    await page.getByRole("button", { name: "View Access admin" }).click();
    const own = page.getByRole("dialog", { name: "Role: Access admin" });
    await visible(own.getByText("You hold this role, so you cannot change it: ask another administrator."));
    expect(await own.getByRole("button", { name: "Save" }).count()).toBe(0);
  });

  it("shows a category mixed, not all ticked, when it ticks only the permissions they may grant", async () => {
    const page = await signedIn({ login: "rreader", password: STAFF_PASSWORD, path: "/roles" });
    await page.getByRole("button", { name: "Create New Role" }).click();
    const dialog = page.getByRole("dialog", { name: "Create New Role" });
    await dialog.getByRole("tab", { name: "Permissions" }).click();
    const tenantLevel = dialog.getByRole("group", { name: "Organization permissions (tenant level)" });
    const box = (name: string) => tenantLevel.getByRole("checkbox", { name, exact: true });
    const category = box("Patients");
    const mixed = () => category.evaluate((el) => (el as HTMLInputElement).indeterminate);
    // Not check(): a category that cannot be wholly ticked does not end up checked.
    await category.click();
    expect(await box("Read Patients").isChecked()).toBe(true);
    for (const label of ["View PHI", "Write Patients", "Delete Patients"]) {
      expect([label, await box(label).isChecked(), await box(label).isDisabled()]).toEqual([
        label,
        false,
        true,
      ]);
    }
    expect([await category.isChecked(), await mixed()]).toEqual([false, true]);
    await shot(page, "roles-limited-category-mixed");
    // Everything they may tick is ticked: the next click takes it away again.
    await category.click();
    expect(await box("Read Patients").isChecked()).toBe(false);
    expect([await category.isChecked(), await mixed()]).toEqual([false, false]);
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await gone(dialog);
  });
});
