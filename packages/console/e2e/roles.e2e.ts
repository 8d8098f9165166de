/**
 * W5 roles dashboard: create, edit, copy, refusals in words (a corrected field's error gone at once),
 * asking before a changed dialog is discarded, locked and collaborator roles, delete.
 */
import type { Dialog as BrowserDialog, Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { describedAs, gone, hasText, shot, useE2e, visible } from "./harness.ts";

describe("roles", () => {
  const { tenant, signedIn } = useE2e({ name: "Riverside Radiotherapy" });
  let page: Page;
  let mainClinic: string;
  beforeAll(async () => {
    mainClinic = (await tenant.admin.workspaces.create({ slug: "main-clinic", name: "Main Clinic" })).id;
    await tenant.admin.workspaces.create({ slug: "north-site", name: "North Site" });
    page = await signedIn();
  });

  const dialog = () => page.getByRole("dialog");
  const tenantLevel = () => dialog().getByRole("group", { name: "Organization permissions (tenant level)" });
  const box = (scope: ReturnType<typeof tenantLevel>, name: string) =>
    scope.getByRole("checkbox", { name, exact: true });
  const roleByName = async (name: string) => {
    const found = (await tenant.admin.roles.list({ q: name })).items.find((r) => r.name === name);
    if (!found) throw new Error(`no role ${name}`);
    return tenant.admin.roles.get(found.id);
  };
  const openRoles = async () => {
    await page.goto("/roles");
    await visible(page.getByRole("rowheader", { name: "Physicist", exact: true }));
  };

  it("creates a role with a whole category at tenant level and a workspace row", async () => {
    await openRoles();
    await shot(page, "roles");
    await page.getByRole("button", { name: "Create New Role" }).click();
    await visible(dialog().getByRole("heading", { name: "Create New Role" }));
    await dialog().getByLabel("Name", { exact: true }).fill("Planning Physicist");
    await dialog()
      .getByLabel("Description")
      .fill("Plans treatment for every patient; curates collections at Main Clinic.");
    await shot(page, "role-properties");

    await dialog().getByRole("tab", { name: "Permissions" }).click();
    // By keyboard: the category checkbox takes Space like any other.
    await box(tenantLevel(), "Patients").focus();
    await page.keyboard.press("Space");
    for (const label of ["Read Patients", "View PHI", "Write Patients", "Delete Patients"]) {
      expect(await box(tenantLevel(), label).isChecked()).toBe(true);
    }
    await box(tenantLevel(), "Manage Custom Metrics").check();
    const orgCategory = box(tenantLevel(), "Organization Management");
    expect(await orgCategory.isChecked()).toBe(false);
    expect(await orgCategory.evaluate((el) => (el as HTMLInputElement).indeterminate)).toBe(true);

    await dialog().getByLabel("Workspace", { exact: true }).selectOption({ label: "Main Clinic" });
    await dialog().getByRole("button", { name: "Add", exact: true }).click();
    const row = dialog().getByRole("group", { name: "Main Clinic" });
    await box(row, "Collections").check();
    // Tenant-only permissions are not offered on a workspace row.
    expect(await row.getByRole("checkbox", { name: "Manage Custom Metrics" }).count()).toBe(0);
    // Tall enough that the README's picture holds the whole dialog, workspace row included.
    await page.setViewportSize({ width: 1280, height: 1400 });
    await shot(page, "role-editor", { readme: true });
    await page.setViewportSize({ width: 1280, height: 860 });

    await dialog().getByRole("button", { name: "Save" }).click();
    await gone(dialog());
    await hasText(page.getByRole("status"), "Role “Planning Physicist” was created.");
    await visible(page.getByRole("rowheader", { name: "Planning Physicist", exact: true }));

    const role = await roleByName("Planning Physicist");
    expect([...role.permissions].sort()).toEqual(
      [
        "custom_metrics.manage",
        "patients.contour",
        "patients.delete",
        "patients.download_dicom",
        "patients.phi",
        "patients.read",
        "patients.write",
      ].sort(),
    );
    expect(role.workspaces).toEqual([
      {
        workspaceId: mainClinic,
        permissions: expect.arrayContaining(["collections.read", "collections.write", "collections.delete"]),
        collaborator: false,
      },
    ]);
    expect(role.workspaces[0]?.permissions).toHaveLength(3);
    expect(role).toMatchObject({ collaborator: false, locked: false, private: false });
  });

  it("edits a role with If-Match, and says so when someone else changed it first", async () => {
    await openRoles();
    await page.getByRole("button", { name: "Edit Planning Physicist" }).click();
    await dialog().getByLabel("Description").fill("Plans treatment; cannot delete patients.");
    await dialog().getByRole("tab", { name: "Permissions" }).click();
    await box(tenantLevel(), "Delete Patients").uncheck();
    expect(
      await box(tenantLevel(), "Patients").evaluate((el) => (el as HTMLInputElement).indeterminate),
    ).toBe(true);
    await dialog().getByRole("button", { name: "Save" }).click();
    await hasText(page.getByRole("status"), "Role “Planning Physicist” was saved.");
    const saved = await roleByName("Planning Physicist");
    expect(saved.permissions).not.toContain("patients.delete");
    expect(saved).toMatchObject({ description: "Plans treatment; cannot delete patients.", version: 2 });

    await page.getByRole("button", { name: "Edit Planning Physicist" }).click();
    await dialog().getByLabel("Description").fill("My change");
    await tenant.admin.roles.update(saved.id, { description: "Their change" });
    await dialog().getByRole("button", { name: "Save" }).click();
    await hasText(dialog().getByRole("alert"), /^Someone else changed this role since you opened it\./);
    await dialog().getByRole("button", { name: "Cancel" }).click();
    await gone(dialog());
    expect((await tenant.admin.roles.get(saved.id)).description).toBe("Their change");
    // Edit reads the role as it is now: it opens on their change, and saving over it works (it was
    // refused again and again until the page was reloaded: the conflict review), however soon after
    // the close it is clicked (before, it opened the role as the list had read it).
    await page.getByRole("button", { name: "Edit Planning Physicist" }).click();
    await expect.poll(() => dialog().getByLabel("Description").inputValue()).toBe("Their change");
    await dialog().getByLabel("Description").fill("Their change, and mine");
    await dialog().getByRole("button", { name: "Save" }).click();
    await hasText(page.getByRole("status"), "Role “Planning Physicist” was saved.");
    expect((await tenant.admin.roles.get(saved.id)).description).toBe("Their change, and mine");
  });

  it("copies a role with its grants", async () => {
    await openRoles();
    await page.getByRole("button", { name: "Copy Planning Physicist" }).click();
    await hasText(
      page.getByRole("status"),
      "“Planning Physicist” was copied as “Copy of Planning Physicist”.",
    );
    await visible(page.getByRole("rowheader", { name: "Copy of Planning Physicist", exact: true }));
    const [source, copy] = await Promise.all([
      roleByName("Planning Physicist"),
      roleByName("Copy of Planning Physicist"),
    ]);
    expect(copy.id).not.toBe(source.id);
    expect({ p: copy.permissions, w: copy.workspaces }).toEqual({
      p: source.permissions,
      w: source.workspaces,
    });
  });

  it("shows a refused save in words beside the field it names and keeps the dialog open", async () => {
    await openRoles();
    await page.getByRole("button", { name: "Create New Role" }).click();
    const name = dialog().getByLabel("Name", { exact: true });
    await name.fill("physicist");
    await dialog().getByRole("button", { name: "Save" }).click();
    await hasText(dialog().getByRole("alert"), 'A role named "physicist" already exists');
    expect(await name.getAttribute("aria-invalid")).toBe("true");
    const described = await name.getAttribute("aria-describedby");
    await hasText(
      page.locator(`[id="${described}"]`),
      "Name is already used by another role (names ignore case)",
    );
    await dialog().getByRole("button", { name: "Cancel" }).click();
    await gone(dialog());

    // Ticking Collaborator takes the workspace rows away (a collaborator role at tenant level has
    // none), so the form never sends what this rule refuses; a request changed on its way does.
    await page.getByRole("button", { name: "Edit Copy of Planning Physicist" }).click();
    await dialog()
      .getByRole("tab", { name: /^Permissions/ })
      .click();
    await dialog().getByLabel("Collaborator", { exact: true }).check();
    await visible(dialog().getByText("No workspace rows.", { exact: true }));
    // Cancel: nothing is saved.
    await dialog().getByRole("button", { name: "Cancel" }).click();
    await gone(dialog());
    expect((await roleByName("Copy of Planning Physicist")).workspaces).toHaveLength(1);

    await page.getByRole("button", { name: "Edit Copy of Planning Physicist" }).click();
    await page.route("**/api/v1/roles/*", async (route) => {
      const request = route.request();
      if (request.method() !== "PATCH") return route.continue();
      const body = JSON.parse(request.postData() ?? "{}");
      return route.continue({ postData: JSON.stringify({ ...body, collaborator: true }) });
    });
    await dialog().getByLabel("Description").fill("Made collaborator on its way");
    await dialog().getByRole("button", { name: "Save" }).click();
    await hasText(
      dialog().getByRole("alert"),
      "This breaks a role rule. A role that is collaborator at tenant level cannot have workspace rows: remove the rows or clear Collaborator.",
    );
    expect(
      await dialog()
        .getByRole("tab", { name: /^Permissions/ })
        .getAttribute("aria-selected"),
    ).toBe("true");
    const rows = dialog().getByRole("group", { name: "Workspace permissions" });
    await visible(rows.getByText("A tenant-level collaborator role has no workspace rows", { exact: true }));
    await page.unroute("**/api/v1/roles/*");
    await dialog().getByRole("button", { name: "Cancel" }).click();
    await gone(dialog());
    expect((await roleByName("Copy of Planning Physicist")).collaborator).toBe(false);
  });

  it("clears a corrected field's error at once, and says a refusal marked beside fields in a sentence", async () => {
    await openRoles();
    await page.getByRole("button", { name: "Create New Role" }).click();
    const name = dialog().getByLabel("Name", { exact: true });
    const tab = dialog().getByRole("tab", { name: /^Role Properties/ });
    await dialog().getByRole("button", { name: "Save" }).click();
    await hasText(dialog().getByRole("alert"), "Correct the fields marked below.");
    await describedAs(tab, "Has errors");
    await hasText(tab, "Role Properties");
    expect(await name.getAttribute("aria-invalid")).toBe("true");
    const described = (await name.getAttribute("aria-describedby")) ?? "";
    await hasText(page.locator(`[id="${described}"]`), /^Name /);
    // The server's refusal takes the focus to the field it names, as the form's own checks do.
    await expect.poll(() => name.evaluate((el) => el === document.activeElement)).toBe(true);

    await name.fill("Night Physicist");
    await expect.poll(() => name.getAttribute("aria-invalid")).toBeNull();
    await hasText(tab, "Role Properties");
    expect(await dialog().getByRole("alert").count()).toBe(0);
    await dialog().getByRole("button", { name: "Cancel" }).click();
    await gone(dialog());
  });

  it("asks before Escape or × discards a changed role dialog, and closes an unchanged one at once", async () => {
    await openRoles();
    const asked: string[] = [];
    let answer = false;
    const onDialog = (d: BrowserDialog) => {
      asked.push(d.message());
      void (answer ? d.accept() : d.dismiss());
    };
    page.on("dialog", onDialog);
    try {
      await page.getByRole("button", { name: "Create New Role" }).click();
      await visible(dialog());
      await page.keyboard.press("Escape");
      await gone(dialog());
      expect(asked).toEqual([]);

      await page.getByRole("button", { name: "Create New Role" }).click();
      await dialog().getByLabel("Name", { exact: true }).fill("Weekend Physicist");
      await page.keyboard.press("Escape");
      await expect.poll(() => asked).toEqual(["Discard this new role? What you entered is not saved."]);
      await visible(dialog());
      expect(await dialog().getByLabel("Name", { exact: true }).inputValue()).toBe("Weekend Physicist");
      // Asked again by ×; OK discards.
      answer = true;
      await dialog().getByRole("button", { name: "Close", exact: true }).click();
      await gone(dialog());
      expect(asked).toHaveLength(2);
      expect((await tenant.admin.roles.list({ q: "Weekend Physicist" })).items).toEqual([]);
    } finally {
      page.off("dialog", onDialog);
    }
  });

  it("opens a locked role read-only and offers no Delete for it", async () => {
    await openRoles();
    const admin = page
      .getByRole("row")
      .filter({ has: page.getByRole("rowheader", { name: /^Administrator/ }) });
    await hasText(admin.getByRole("rowheader"), /^Administrator\s+Locked$/);
    expect(await admin.getByRole("button", { name: /^Delete/ }).count()).toBe(0);
    await admin.getByRole("button", { name: "View Administrator" }).click();
    await visible(dialog().getByRole("heading", { name: "Role: Administrator" }));
    await visible(dialog().getByText("This role is locked", { exact: false }));
    // Each tab's fields, the other tab's being out of the page: all shown, none enabled.
    expect(await dialog().locator("input, textarea, select").count()).toBe(2);
    expect(await dialog().locator("input:enabled, textarea:enabled, select:enabled").count()).toBe(0);
    await dialog().getByRole("tab", { name: "Permissions" }).click();
    expect(await dialog().locator("input, textarea, select").count()).toBeGreaterThan(10);
    expect(await dialog().locator("input:enabled, textarea:enabled, select:enabled").count()).toBe(0);
    expect(await dialog().getByRole("button", { name: "Save" }).count()).toBe(0);
    // "Close" names the × alone; the footer's way out of a read-only dialog is "Done".
    expect(await dialog().getByRole("button", { name: "Close" }).count()).toBe(1);
    expect(await dialog().getByRole("button", { name: "Cancel" }).count()).toBe(0);
    await dialog().getByRole("button", { name: "Done" }).click();
    await gone(dialog());
  });

  it("disables permissions forbidden for a collaborator role, with the reason", async () => {
    await openRoles();
    const row = page
      .getByRole("row")
      .filter({ has: page.getByRole("rowheader", { name: "Collaborator", exact: true }) });
    await hasText(row.getByRole("cell").nth(1), "Collaborator");
    await row.getByRole("button", { name: "Edit Collaborator" }).click();
    await dialog().getByRole("tab", { name: "Permissions" }).click();
    const read = box(tenantLevel(), "Read Collections");
    expect(await read.isDisabled()).toBe(true);
    const reason = await read.getAttribute("aria-describedby");
    await hasText(page.locator(`[id="${reason}"]`), "Forbidden for collaborators");
    expect(await box(tenantLevel(), "Collections").isDisabled()).toBe(true);
    expect(await box(tenantLevel(), "View PHI").isDisabled()).toBe(false);
    // Read Patients is not forbidden, but View PHI (granted) implies it: ticked, disabled, saying so.
    const patients = box(tenantLevel(), "Read Patients");
    expect([await patients.isChecked(), await patients.isDisabled()]).toEqual([true, true]);
    const included = await patients.getAttribute("aria-describedby");
    await hasText(page.locator(`[id="${included}"]`), "Included with “View PHI”");
    expect(await dialog().getByRole("button", { name: "Add", exact: true }).isDisabled()).toBe(true);
    await dialog().getByRole("button", { name: "Cancel" }).click();
    await gone(dialog());
  });

  it("takes away and disables what a collaborator may not hold as Collaborator is ticked, on a row and at tenant level", async () => {
    await openRoles();
    await page.getByRole("button", { name: "Create New Role" }).click();
    await dialog().getByLabel("Name", { exact: true }).fill("Visiting collaborator");
    await dialog().getByRole("tab", { name: "Permissions" }).click();
    await dialog().getByLabel("Workspace", { exact: true }).selectOption({ label: "Main Clinic" });
    await dialog().getByRole("button", { name: "Add", exact: true }).click();
    const row = dialog().getByRole("group", { name: "Main Clinic" });
    await box(row, "Collections").check();
    await box(row, "Read Patients").check();
    expect(await box(row, "Read Collections").isChecked()).toBe(true);
    await row.getByRole("checkbox", { name: "Collaborator in this workspace" }).check();
    for (const label of ["Read Collections", "Write Collections", "Delete Collections"]) {
      expect([await box(row, label).isChecked(), await box(row, label).isDisabled()], label).toEqual([
        false,
        true,
      ]);
    }
    expect(await box(row, "Read Patients").isChecked()).toBe(true);
    // At tenant level: the same.
    await row.getByRole("button", { name: /^Remove/ }).click();
    await box(tenantLevel(), "Collections").check();
    await dialog().getByRole("checkbox", { name: "Collaborator", exact: true }).check();
    expect([
      await box(tenantLevel(), "Read Collections").isChecked(),
      await box(tenantLevel(), "Read Collections").isDisabled(),
    ]).toEqual([false, true]);
    await dialog().getByRole("button", { name: "Save" }).click();
    await gone(dialog());
    const saved = await roleByName("Visiting collaborator");
    expect([saved.collaborator, saved.permissions]).toEqual([true, []]);
  });

  it("takes away and bars patient and collection permissions at tenant level as a workspace row is made Collaborator, with the reason", async () => {
    await openRoles();
    await page.getByRole("button", { name: "Create New Role" }).click();
    await dialog().getByLabel("Name", { exact: true }).fill("Ward visitor");
    await dialog().getByRole("tab", { name: "Permissions" }).click();
    await box(tenantLevel(), "Read Patients").check();
    await box(tenantLevel(), "View users").check();
    await dialog().getByLabel("Workspace", { exact: true }).selectOption({ label: "Main Clinic" });
    await dialog().getByRole("button", { name: "Add", exact: true }).click();
    const row = dialog().getByRole("group", { name: "Main Clinic" });
    await row.getByRole("checkbox", { name: "Collaborator in this workspace" }).check();
    const patients = box(tenantLevel(), "Read Patients");
    // Taken away at once, as the tenant-level Collaborator tick does, not left for the save to refuse.
    expect([await patients.isChecked(), await patients.isDisabled()]).toEqual([false, true]);
    const reason = await patients.getAttribute("aria-describedby");
    await hasText(
      page.locator(`[id="${reason}"]`),
      "Not at tenant level while a workspace row is Collaborator",
    );
    expect(await box(tenantLevel(), "Write Patients").isDisabled()).toBe(true);
    expect(await box(tenantLevel(), "Read Collections").isDisabled()).toBe(true);
    expect([
      await box(tenantLevel(), "View users").isChecked(),
      await box(tenantLevel(), "View users").isDisabled(),
    ]).toEqual([true, false]);
    await dialog().getByRole("button", { name: "Save" }).click();
    await gone(dialog());
    const saved = await roleByName("Ward visitor");
    expect([saved.permissions, saved.workspaces.map((w) => w.collaborator)]).toEqual([
      ["users.view"],
      [true],
    ]);
  });

  it("gives back what Collaborator took away when it is unticked straight after, on a row and at tenant level", async () => {
    await openRoles();
    await page.getByRole("button", { name: "Create New Role" }).click();
    await dialog().getByLabel("Name", { exact: true }).fill("Undecided");
    await dialog().getByRole("tab", { name: "Permissions" }).click();
    await box(tenantLevel(), "Read Patients").check();
    await dialog().getByLabel("Workspace", { exact: true }).selectOption({ label: "Main Clinic" });
    await dialog().getByRole("button", { name: "Add", exact: true }).click();
    const row = dialog().getByRole("group", { name: "Main Clinic" });
    await box(row, "Read Collections").check();
    const rowCollaborator = row.getByRole("checkbox", { name: "Collaborator in this workspace" });
    await rowCollaborator.check();
    expect(await box(tenantLevel(), "Read Patients").isChecked()).toBe(false);
    await rowCollaborator.uncheck();
    expect(await box(tenantLevel(), "Read Patients").isChecked()).toBe(true);
    expect(await box(row, "Read Collections").isChecked()).toBe(true);
    // At tenant level: the workspace row comes back with its permissions.
    const collaborator = dialog().getByRole("checkbox", { name: "Collaborator", exact: true });
    await collaborator.check();
    // A look at the other tab in between takes nothing back.
    await dialog().getByRole("tab", { name: "Role Properties" }).click();
    await dialog().getByRole("tab", { name: "Permissions" }).click();
    await collaborator.uncheck();
    expect(
      await box(dialog().getByRole("group", { name: "Main Clinic" }), "Read Collections").isChecked(),
    ).toBe(true);
    // A change in between is kept: unticking then takes nothing back that was changed since.
    await rowCollaborator.check();
    await box(tenantLevel(), "View users").check();
    await rowCollaborator.uncheck();
    expect(await box(tenantLevel(), "Read Patients").isChecked()).toBe(false);
    expect(await box(tenantLevel(), "View users").isChecked()).toBe(true);
    page.once("dialog", (d) => void d.accept());
    await dialog().getByRole("button", { name: "Cancel" }).click();
    await gone(dialog());
  });

  it("ticks Collaborator on a second row as asked, not as an undo of the first row's", async () => {
    await openRoles();
    await page.getByRole("button", { name: "Create New Role" }).click();
    await dialog().getByLabel("Name", { exact: true }).fill("Two wards visitor");
    await dialog().getByRole("tab", { name: "Permissions" }).click();
    await box(tenantLevel(), "Read Patients").check();
    for (const ws of ["Main Clinic", "North Site"]) {
      await dialog().getByLabel("Workspace", { exact: true }).selectOption({ label: ws });
      await dialog().getByRole("button", { name: "Add", exact: true }).click();
      await box(dialog().getByRole("group", { name: ws }), "Read Collections").check();
    }
    const collaborator = (ws: string) =>
      dialog()
        .getByRole("group", { name: ws })
        .getByRole("checkbox", { name: "Collaborator in this workspace" });
    await collaborator("Main Clinic").check();
    await collaborator("North Site").check();
    expect([
      await collaborator("Main Clinic").isChecked(),
      await collaborator("North Site").isChecked(),
      await box(tenantLevel(), "Read Patients").isChecked(),
    ]).toEqual([true, true, false]);
    await dialog().getByRole("button", { name: "Save" }).click();
    await gone(dialog());
    const saved = await roleByName("Two wards visitor");
    expect([saved.permissions, saved.workspaces.map((w) => w.collaborator)]).toEqual([[], [true, true]]);
  });

  it("ticks what a ticked permission implies, shown ticked and disabled with why, at tenant level and on a row", async () => {
    await openRoles();
    await page.getByRole("button", { name: "Create New Role" }).click();
    await dialog().getByLabel("Name", { exact: true }).fill("Implied reader");
    await dialog().getByRole("tab", { name: "Permissions" }).click();
    const read = box(tenantLevel(), "Read Patients");
    await box(tenantLevel(), "Write Patients").check();
    // DOMAIN.md §5 #22: ticking Write ticks Read, which stays while Write is ticked.
    expect([await read.isChecked(), await read.isDisabled()]).toEqual([true, true]);
    const why = await read.getAttribute("aria-describedby");
    await hasText(page.locator(`[id="${why}"]`), "Included with “Write Patients”");
    // Unticking Write leaves Read ticked (it was ticked for the person), and free to untick.
    await box(tenantLevel(), "Write Patients").uncheck();
    expect([await read.isChecked(), await read.isDisabled()]).toEqual([true, false]);

    await dialog().getByLabel("Workspace", { exact: true }).selectOption({ label: "Main Clinic" });
    await dialog().getByRole("button", { name: "Add", exact: true }).click();
    const row = dialog().getByRole("group", { name: "Main Clinic" });
    await box(row, "Write Collections").check();
    const rowRead = box(row, "Read Collections");
    expect([await rowRead.isChecked(), await rowRead.isDisabled()]).toEqual([true, true]);
    await dialog().getByRole("button", { name: "Save" }).click();
    await gone(dialog());
    const saved = await roleByName("Implied reader");
    expect(saved.permissions).toEqual(["patients.read"]);
    expect(saved.workspaces.map((w) => [w.workspaceId, [...w.permissions].sort()])).toEqual([
      [mainClinic, ["collections.read", "collections.write"]],
    ]);
  });

  it("refuses to delete a role users hold, in words, and deletes it once nobody does", async () => {
    const frontDesk = await tenant.admin.roles.create({ name: "Front Desk", permissions: ["users.view"] });
    const viewer = await roleByName("Viewer");
    const user = await tenant.admin.users.create({
      firstName: "Fran",
      lastName: "Desk",
      email: "fran@example.test",
      username: "fran",
      roleId: frontDesk.id,
    });
    await openRoles();
    const row = page
      .getByRole("row")
      .filter({ has: page.getByRole("rowheader", { name: "Front Desk", exact: true }) });
    await hasText(row.getByRole("cell").nth(2), "1");
    await page.getByRole("button", { name: "Delete Front Desk" }).click();
    await dialog().getByRole("button", { name: "Delete", exact: true }).click();
    await hasText(dialog().getByRole("alert"), "The role is held by 1 user; give them another role first");
    await dialog().getByRole("button", { name: "Cancel" }).click();

    await tenant.admin.users.update(user.id, { roleId: viewer.id });
    await openRoles();
    await page.getByRole("button", { name: "Delete Front Desk" }).click();
    await dialog().getByRole("button", { name: "Delete", exact: true }).click();
    await hasText(page.getByRole("status"), "Role “Front Desk” was deleted.");
    await gone(page.getByRole("rowheader", { name: "Front Desk", exact: true }));
    await expect(tenant.admin.roles.get(frontDesk.id)).rejects.toMatchObject({ code: "ROLE_NOT_FOUND" });
  });
});
