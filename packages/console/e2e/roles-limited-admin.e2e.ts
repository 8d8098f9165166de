/**
 * The Roles page of a limited administrator (users.view, users.manage, roles.manage and Read
 * Patients): since 2026-12-05 the server refuses taking away a permission the editor does not hold,
 * as it refuses granting one, so the role editor offers neither (the box, its category, a row's
 * Remove); a role they do not cover is not offered for Copy, the others named with why; and a
 * refusal the server still makes (the editor's own role narrowed meanwhile) is said beside the
 * permission it names, which takes the focus.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { hasText, useE2e, visible } from "./harness.ts";
import { STAFF_PASSWORD, staff } from "./users-seed.ts";

const KEEPER = ["users.view", "users.manage", "roles.manage", "patients.read"];

describe("roles of a limited administrator", () => {
  const { tenant, signedIn } = useE2e();
  let nightReader = "";
  let keeperTwo = "";
  let frontReader = "";
  beforeAll(async () => {
    const clinic = await tenant.admin.workspaces.create({ slug: "main-clinic", name: "Main Clinic" });
    const keeper = await tenant.admin.roles.create({ name: "Role keeper", permissions: KEEPER });
    nightReader = (
      await tenant.admin.roles.create({
        name: "Night reader",
        permissions: ["users.view", "patients.read", "patients.phi"],
      })
    ).id;
    await tenant.admin.roles.create({
      name: "Ward reader",
      permissions: ["users.view"],
      workspaces: [{ workspaceId: clinic.id, permissions: ["patients.phi"], collaborator: false }],
    });
    await tenant.admin.roles.create({ name: "Desk", permissions: ["users.view"] });
    frontReader = (
      await tenant.admin.roles.create({ name: "Front reader", permissions: ["users.view", "patients.read"] })
    ).id;
    keeperTwo = (await tenant.admin.roles.create({ name: "Keeper two", permissions: KEEPER })).id;
    await staff(tenant, "Kim", "Keeper", { roleId: keeper.id });
    await staff(tenant, "Lou", "Later", { roleId: keeperTwo });
  });

  const editor = async (login: string, role: string) => {
    const page = await signedIn({ login, password: STAFF_PASSWORD, path: "/roles" });
    await page.getByRole("button", { name: `Edit ${role}`, exact: true }).click();
    const dialog = page.getByRole("dialog", { name: `Edit Role: ${role}` });
    await dialog.getByRole("tab", { name: "Permissions" }).click();
    const tenantLevel = dialog.getByRole("group", { name: "Organization permissions (tenant level)" });
    const box = (name: string) => tenantLevel.getByRole("checkbox", { name, exact: true });
    return { page, dialog, box };
  };

  it("can neither untick nor, by its category, take away a permission they do not hold", async () => {
    const { page, dialog, box } = await editor("kkeeper", "Night reader");
    const phi = box("View PHI");
    expect([await phi.isChecked(), await phi.isDisabled()]).toEqual([true, true]);
    await hasText(
      page.locator(`[id="${await phi.getAttribute("aria-describedby")}"]`),
      "You do not hold it, so you cannot take it away",
    );
    // Read Patients is theirs, but View PHI implies it (DOMAIN.md §5 #22): it stays ticked with it.
    const read = box("Read Patients");
    expect([await read.isChecked(), await read.isDisabled()]).toEqual([true, true]);
    await hasText(
      page.locator(`[id="${await read.getAttribute("aria-describedby")}"]`),
      "Included with “View PHI”",
    );
    // So the category has nothing it could take away.
    expect(await box("Patients").isDisabled()).toBe(true);
    expect(await phi.isChecked()).toBe(true);
    // Collaborator would restrict View PHI to granted patients: that too takes it away.
    const collaborator = dialog.getByRole("checkbox", { name: "Collaborator", exact: true });
    expect(await collaborator.isDisabled()).toBe(true);
    await hasText(
      page.locator(`[id="${await collaborator.getAttribute("aria-describedby")}"]`),
      /You do not hold View PHI, so you cannot set Collaborator\.$/,
    );
    await dialog.getByRole("button", { name: "Save" }).click();
    await hasText(page.getByRole("status"), "Role “Night reader” was saved.");
    expect((await tenant.admin.roles.get(nightReader)).permissions).toContain("patients.phi");
  });

  it("cannot remove a workspace row that grants what they do not hold there, and is told why", async () => {
    const { page, dialog } = await editor("kkeeper", "Ward reader");
    const row = dialog.getByRole("group", { name: "Main Clinic", exact: true });
    const remove = row.getByRole("button", { name: "Remove Main Clinic" });
    expect(await remove.isDisabled()).toBe(true);
    await hasText(
      page.locator(`[id="${await remove.getAttribute("aria-describedby")}"]`),
      "You do not hold View PHI, so you cannot remove this row.",
    );
    expect(await row.getByRole("checkbox", { name: "View PHI", exact: true }).isDisabled()).toBe(true);
  });

  it("is offered Copy only of roles they cover, the others named with why", async () => {
    const page = await signedIn({ login: "kkeeper", password: STAFF_PASSWORD, path: "/roles" });
    await visible(page.getByRole("button", { name: "Copy Desk", exact: true }));
    for (const name of ["Administrator", "Physicist", "Night reader", "Ward reader"]) {
      expect(await page.getByRole("button", { name: `Copy ${name}`, exact: true }).count(), name).toBe(0);
    }
    await hasText(
      page.getByText(/^Copy not offered:/),
      /^Copy not offered: .*Administrator.*Night reader.*\. They grant permissions you do not hold, so only someone holding them can copy them\.$/,
    );
    // A role that grew after the list was read: the server still refuses, naming what by label.
    const growing = await tenant.admin.roles.create({ name: "Growing", permissions: ["users.view"] });
    await page.reload();
    const copy = page.getByRole("button", { name: "Copy Growing", exact: true });
    await visible(copy);
    await tenant.admin.roles.update(growing.id, { permissions: ["users.view", "patients.phi"] });
    await copy.click();
    await hasText(
      page.getByRole("alert"),
      "The role would grant permissions you do not hold yourself: View PHI.",
    );
  });

  it("is told beside the permission, which takes the focus, what the server refuses to take away", async () => {
    const { dialog, box } = await editor("llater", "Front reader");
    const read = box("Read Patients");
    await read.uncheck();
    // Meanwhile another administrator takes Read Patients from Lou's own role.
    await tenant.admin.roles.update(keeperTwo, { permissions: KEEPER.filter((k) => k !== "patients.read") });
    await dialog.getByRole("button", { name: "Save" }).click();
    await hasText(
      dialog.getByRole("alert"),
      "The change would take away permissions you do not hold yourself",
    );
    await expect.poll(() => read.getAttribute("aria-invalid")).toBe("true");
    await hasText(
      dialog.locator(`[id="${(await read.getAttribute("aria-describedby"))?.split(" ").at(-1)}"]`),
      "You do not hold “Read Patients” at tenant level",
    );
    await expect.poll(() => read.evaluate((el) => el === document.activeElement)).toBe(true);
    expect((await tenant.admin.roles.get(frontReader)).permissions).toContain("patients.read");
  });
});
