/**
 * W4 Edit Permissions: one user's private role, started from their formal role; only what the
 * administrator holds is offered, and an escalation the server still sees is refused in words.
 */
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { hasText, shot, useE2e, visible } from "./harness.ts";

describe("user permissions", () => {
  const { tenant, signedIn } = useE2e();
  let page: Page;
  let mainClinic: string;
  let roleIds: Map<string, string>;
  beforeAll(async () => {
    mainClinic = (await tenant.admin.workspaces.create({ slug: "main-clinic", name: "Main Clinic" })).id;
    roleIds = new Map((await tenant.admin.roles.list()).items.map((r) => [r.name, r.id]));
    page = await signedIn();
  });

  const person = (first: string, last: string, roleId: string, password?: string) =>
    tenant.admin.users.create({
      firstName: first,
      lastName: last,
      email: `${first.toLowerCase()}@example.test`,
      username: first.toLowerCase(),
      roleId,
      ...(password ? { password, mustChangePassword: false } : {}),
    });
  const tenantLevel = (p: Page) => p.getByRole("group", { name: "Organization permissions (tenant level)" });

  it("gives back the workspace rows when Collaborator is unticked straight after", async () => {
    const victor = await person("Victor", "Vance", roleIds.get("Physicist")!);
    await page.goto(`/users/${victor.id}/permissions`);
    await visible(page.getByRole("heading", { name: "Edit Permissions" }));
    await page.getByLabel("Workspace", { exact: true }).selectOption({ label: "Main Clinic" });
    await page.getByRole("button", { name: "Add", exact: true }).click();
    const row = page.getByRole("group", { name: "Main Clinic" });
    await row.getByRole("checkbox", { name: "Delete Patients", exact: true }).check();
    const collaborator = page.getByRole("checkbox", { name: "Collaborator", exact: true });
    await collaborator.check();
    expect(await row.count()).toBe(0);
    await collaborator.uncheck();
    expect(await row.getByRole("checkbox", { name: "Delete Patients", exact: true }).isChecked()).toBe(true);
  });

  it("asks before unsaved ticks are left, and not when a tick was undone", async () => {
    const walter = await person("Walter", "Ward", roleIds.get("Physicist")!);
    const own = await signedIn({ path: `/users/${walter.id}/permissions` });
    const asked: string[] = [];
    own.on("dialog", (d) => {
      asked.push(d.message());
      void d.dismiss();
    });
    const box = tenantLevel(own).getByRole("checkbox", { name: "View PHI", exact: true });
    await visible(box);
    await box.uncheck();
    await box.check();
    // Undone: the same permissions, in another order; leaving asks nothing.
    await own.getByRole("link", { name: "Back to Users" }).click();
    await visible(own.getByRole("heading", { name: "Users", level: 1 }));
    expect(asked).toEqual([]);
    await own.goto(`/users/${walter.id}/permissions`);
    await tenantLevel(own).getByRole("checkbox", { name: "View PHI", exact: true }).uncheck();
    await own.getByRole("link", { name: "Back to Users" }).click();
    await expect
      .poll(() => asked)
      .toEqual(["Discard your changes to these permissions? They are not saved."]);
    await visible(own.getByRole("heading", { name: "Edit Permissions" }));
  });

  it("starts from the formal role and saves a private role the server reports", async () => {
    const physicist = roleIds.get("Physicist")!;
    const paula = await person("Paula", "Planck", physicist);
    await page.goto(`/users/${paula.id}/permissions`);
    await visible(page.getByRole("heading", { name: "Edit Permissions" }));
    await visible(page.getByText("Paula Planck", { exact: true }));
    await hasText(page.locator("dd").nth(1), "Physicist");
    const box = (name: string) => tenantLevel(page).getByRole("checkbox", { name, exact: true });
    expect(await box("View PHI").isChecked()).toBe(true);
    expect(await box("Manage Renaming Rules").isChecked()).toBe(false);

    await box("Manage Renaming Rules").check();
    await page.getByLabel("Workspace", { exact: true }).selectOption({ label: "Main Clinic" });
    await page.getByRole("button", { name: "Add", exact: true }).click();
    await page
      .getByRole("group", { name: "Main Clinic" })
      .getByRole("checkbox", { name: "Delete Patients", exact: true })
      .check();
    await shot(page, "user-permissions");
    await page.getByRole("button", { name: "Save" }).click();
    await hasText(
      page.getByRole("status"),
      "Saved. Paula Planck now has a private role with exactly these permissions.",
    );
    await hasText(page.locator("dd").nth(1), "Private role (permissions edited for this user)");

    const user = await tenant.admin.users.get(paula.id);
    expect(user.privateRole).toBe(true);
    expect(user.roleId).not.toBe(physicist);
    const held = await tenant.admin.userActions.getPermissions(paula.id);
    const formal = await tenant.admin.roles.get(physicist);
    expect(held).toMatchObject({ roleId: user.roleId, private: true, collaborator: false });
    expect([...held.permissions].sort()).toEqual([...formal.permissions, "renaming_rules.manage"].sort());
    // Ticking Delete Patients ticked Read Patients, which it implies: saved as ticked.
    expect(held.workspaces).toEqual([
      { workspaceId: mainClinic, permissions: ["patients.read", "patients.delete"], collaborator: false },
    ]);
    expect(formal.permissions).not.toContain("renaming_rules.manage");
    expect((await tenant.admin.roles.list()).items.map((r) => r.id)).not.toContain(user.roleId);

    // Opened again, the page starts from the private role.
    await page.reload();
    await hasText(page.locator("dd").nth(1), "Private role (permissions edited for this user)");
    expect(await box("Manage Renaming Rules").isChecked()).toBe(true);

    await page.getByRole("link", { name: "Back to Users" }).click();
    await visible(page.getByRole("heading", { name: "Users" }));
    expect(new URL(page.url()).pathname).toBe("/users");
  });

  it("offers only what the administrator holds, and refuses in words what they no longer hold", async () => {
    const managers = await tenant.admin.roles.create({
      name: "User Managers",
      permissions: ["users.manage", "roles.manage", "patients.delete"],
    });
    const receptionist = await tenant.admin.roles.create({
      name: "Receptionist",
      permissions: ["users.view"],
    });
    const password = "e2e-manager-Saxophone-2291";
    await person("Max", "Manager", managers.id, password);
    const rita = await person("Rita", "Reception", receptionist.id);
    const max = await signedIn({ path: `/users/${rita.id}/permissions`, login: "max", password });
    // Up front: what Max does not hold is not offered, and the reason is beside it.
    const metrics = tenantLevel(max).getByRole("checkbox", { name: "Manage Custom Metrics", exact: true });
    await visible(metrics);
    expect(await metrics.isDisabled()).toBe(true);
    await hasText(
      max.locator(`[id="${await metrics.getAttribute("aria-describedby")}"]`),
      "You do not hold it, so you cannot grant it",
    );
    expect(
      await tenantLevel(max).getByRole("checkbox", { name: "Delete Patients", exact: true }).isDisabled(),
    ).toBe(false);
    // Meanwhile another administrator takes it from Max's role: the server is still the judge.
    await tenant.admin.roles.update(managers.id, { permissions: ["users.manage", "roles.manage"] });
    await tenantLevel(max).getByRole("checkbox", { name: "Delete Patients", exact: true }).check();
    await max.getByRole("button", { name: "Save" }).click();
    // Delete Patients implies Read Patients, which Max lacks too (ticked with it).
    await hasText(
      max.getByRole("alert"),
      /^You cannot grant permissions you do not hold: “Read Patients”, “Delete Patients”/,
    );
    expect(
      await tenantLevel(max).getByRole("checkbox", { name: "Delete Patients", exact: true }).isChecked(),
    ).toBe(true);
    expect((await tenant.admin.users.get(rita.id)).privateRole).toBe(false);
  });
});
