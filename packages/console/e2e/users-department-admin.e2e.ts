/**
 * A department's administrator: their role grants administration at tenant level and Write
 * Patients on one workspace row. The console judges a row by what the caller holds in that
 * workspace (their own effective permissions), as the server does; until 2026-12-06 it judged it
 * as tenant level, so it withheld the administrator's own role, and every action on a colleague
 * holding it, with a wrong reason (console audit).
 */
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { useE2e } from "./harness.ts";
import { STAFF_PASSWORD, staff } from "./users-seed.ts";

const optionTexts = async (select: ReturnType<Page["getByLabel"]>) =>
  (await select.locator("option").allInnerTexts()).map((t) => t.trim());

describe("a department's administrator (a role with a workspace row)", () => {
  const { tenant, signedIn } = useE2e();
  beforeAll(async () => {
    const north = await tenant.admin.workspaces.create({ slug: "north", name: "North Clinic" });
    await tenant.admin.workspaces.create({ slug: "south", name: "South Clinic" });
    const manager = await tenant.admin.roles.create({
      name: "Clinic Manager",
      permissions: ["users.view", "users.manage", "users.credentials", "roles.manage", "patients.read"],
      workspaces: [{ workspaceId: north.id, permissions: ["patients.write"], collaborator: false }],
    });
    // Write Patients at tenant level: more than Mia holds, but not as a per-workspace role in North.
    await tenant.admin.roles.create({ name: "Ward writer", permissions: ["patients.write"] });
    await staff(tenant, "Mia", "Manager", { roleId: manager.id });
    await staff(tenant, "Tess", "Colleague", { roleId: manager.id });
  });

  const signIn = () => signedIn({ login: "mmanager", password: STAFF_PASSWORD });

  it("is offered their own role for a new user, and every action on a colleague holding it", async () => {
    const page = await signIn();
    await page.getByRole("button", { name: "Create New User" }).click();
    const dialog = page.getByRole("dialog", { name: "Create New User" });
    await dialog.getByRole("tab", { name: "Roles" }).click();
    const role = dialog.getByLabel("Role", { exact: true });
    expect(await optionTexts(role)).toContain("Clinic Manager");
    expect(await optionTexts(role)).not.toContain("Ward writer");
    // As a per-workspace role it is judged by what it gives in that workspace alone.
    await dialog.getByRole("button", { name: "Add workspace role" }).click();
    const row = dialog.locator(".workspace-role-row");
    await row.getByLabel("Workspace (row 1)").selectOption({ label: "North Clinic" });
    expect(await optionTexts(row.getByLabel("Holds there instead (row 1)"))).toContain("Ward writer");
    await row.getByLabel("Workspace (row 1)").selectOption({ label: "South Clinic" });
    expect(await optionTexts(row.getByLabel("Holds there instead (row 1)"))).not.toContain("Ward writer");
    await dialog.getByRole("button", { name: "Cancel" }).click();

    await page.getByRole("button", { name: "Actions for Tess Colleague" }).click();
    const items = await page.getByRole("menuitem").allInnerTexts();
    expect(items).toContain("End sessions");
    expect(items.join("\n")).not.toMatch(/No other actions/);
  });

  it("may tick Write Patients on the North Clinic row only", async () => {
    const page = await signIn();
    await page.getByRole("link", { name: "Roles", exact: true }).click();
    await page.getByRole("button", { name: "Create New Role" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByRole("tab", { name: "Permissions" }).click();
    const box = (group: string, name: string) =>
      dialog.getByRole("group", { name: group }).getByRole("checkbox", { name, exact: true });
    for (const workspace of ["North Clinic", "South Clinic"]) {
      await dialog.getByLabel("Workspace", { exact: true }).selectOption({ label: workspace });
      await dialog.getByRole("button", { name: "Add", exact: true }).click();
    }
    expect(await box("Organization permissions (tenant level)", "Write Patients").isDisabled()).toBe(true);
    expect(await box("North Clinic", "Write Patients").isDisabled()).toBe(false);
    expect(await box("South Clinic", "Write Patients").isDisabled()).toBe(true);
    expect(await box("South Clinic", "Read Patients").isDisabled()).toBe(false);
  });
});
