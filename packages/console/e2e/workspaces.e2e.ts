/**
 * W16 workspaces: create (the URL ID suggested from the name), edit, delete (a protected one's
 * Delete is disabled, with the reason), and read-only for others.
 */
import { describe, expect, it } from "vitest";
import { gone, hasText, shot, useE2e, visible } from "./harness.ts";

describe("workspaces", () => {
  const { tenant, signedIn } = useE2e();

  const find = async (slug: string) =>
    (await tenant.admin.workspaces.list({ limit: 200 })).items.find((w) => w.slug === slug);

  it("opens Create Workspace on its name and suggests the URL ID from it until the ID is typed", async () => {
    const page = await signedIn({ path: "/workspaces" });
    await page.getByRole("button", { name: "Create Workspace" }).click();
    const dialog = page.getByRole("dialog", { name: "Create Workspace" });
    const name = dialog.getByLabel("Name");
    const slug = dialog.getByLabel("Unique URL ID");
    // The dialog starts in its first field, not on its × button.
    await expect.poll(() => name.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.type("St. Mary’s Clinic — Zürich East");
    expect(await slug.inputValue()).toBe("st-mary-s-clinic-zurich-east");
    // Typed by hand, the ID stays as typed while the name changes; emptied, it follows again.
    await slug.fill("stmary");
    await name.fill("St. Mary’s Clinic");
    expect(await slug.inputValue()).toBe("stmary");
    await slug.fill("");
    await name.fill("Eastside Ward 7");
    expect(await slug.inputValue()).toBe("eastside-ward-7");
    // The page behind the open dialog is out of the accessibility tree (and inert): "Create" names
    // the dialog's button only, not the page's "Create Workspace" as well.
    await expect.poll(() => page.getByRole("button", { name: "Create" }).count()).toBe(1);
    expect(await page.getByRole("heading", { name: "Workspaces", level: 1 }).count()).toBe(0);
    expect(await page.locator("#root").evaluate((el) => [el.ariaHidden, (el as HTMLElement).inert])).toEqual([
      "true",
      true,
    ]);
    await dialog.getByRole("button", { name: "Create" }).click();
    await hasText(page.getByRole("status"), "Workspace Eastside Ward 7 was created.");
    expect(await find("eastside-ward-7")).toMatchObject({ name: "Eastside Ward 7" });
    // Closed, the page is back, its opener included.
    await visible(page.getByRole("button", { name: "Create Workspace" }));
    expect(await page.locator("#root").evaluate((el) => [el.ariaHidden, (el as HTMLElement).inert])).toEqual([
      null,
      false,
    ]);
  });

  it("creates, edits and deletes a workspace; a protected one's Delete is disabled, and a refused URL ID takes the focus", async () => {
    await tenant.admin.workspaces.create({ slug: "south-ward", name: "South Ward" });
    const page = await signedIn({ path: "/workspaces" });
    await visible(page.getByRole("cell", { name: "South Ward" }));

    await page.getByRole("button", { name: "Create Workspace" }).click();
    const dialog = page.getByRole("dialog", { name: "Create Workspace" });
    await dialog.getByLabel("Name").fill("North Clinic");
    await dialog.getByLabel("Unique URL ID").fill("-Bad Slug");
    await dialog.getByLabel("Idle timeout override (minutes)").fill("30");
    expect(await dialog.getByLabel("Protected from deletion").isChecked()).toBe(true);
    await dialog.getByRole("button", { name: "Create" }).click();
    // The API's refusal of the slug, beside its field, and the focus there to correct it; nothing
    // was created.
    await hasText(
      dialog.locator(".field", { has: page.getByLabel("Unique URL ID") }).locator(".field-error"),
      /lower-case letters and digits/,
    );
    const slugField = dialog.getByLabel("Unique URL ID");
    await expect.poll(() => slugField.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await find("north-clinic")).toBeUndefined();
    await dialog.getByLabel("Unique URL ID").fill("north-clinic");
    await dialog.getByRole("button", { name: "Create" }).click();
    await hasText(page.getByRole("status"), "Workspace North Clinic was created.");
    // Its name is on the page once: the row's buttons name it in their labels, not in hidden text.
    await expect.poll(() => page.getByText("North Clinic", { exact: true }).count()).toBe(1);
    const row = page.getByRole("row", { name: /North Clinic/ });
    await hasText(row.getByRole("cell").nth(2), "Protected");
    await hasText(row.getByRole("cell").nth(3), "30 min");
    const created = await find("north-clinic");
    expect(created).toMatchObject({ name: "North Clinic", protected: true, idleTimeoutSeconds: 1800 });

    // Protected: the confirmation says why, and offers no Delete that could only be refused.
    await row.getByRole("button", { name: "Delete North Clinic" }).click();
    const confirm = page.getByRole("dialog", { name: "Delete workspace" });
    await visible(confirm.getByText("This workspace is protected from deletion."));
    expect(await confirm.getByRole("button", { name: "Delete" }).isDisabled()).toBe(true);
    expect(await find("north-clinic")).toBeDefined();
    await confirm.getByRole("button", { name: "Cancel" }).click();
    await gone(confirm);

    await row.getByRole("button", { name: "Edit North Clinic" }).click();
    const edit = page.getByRole("dialog", { name: "Edit workspace North Clinic" });
    await edit.getByLabel("Name").fill("North Clinic Annex");
    await edit.getByLabel("Protected from deletion").uncheck();
    await edit.getByLabel("Idle timeout override (minutes)").fill("");
    await edit.getByRole("button", { name: "Save" }).click();
    await hasText(page.getByRole("status"), "Workspace North Clinic Annex was saved.");
    const annex = page.getByRole("row", { name: /North Clinic Annex/ });
    await hasText(annex.getByRole("cell").nth(2), "Not protected");
    await hasText(annex.getByRole("cell").nth(3), "Tenant setting");
    expect(await find("north-clinic")).toMatchObject({
      id: created?.id,
      name: "North Clinic Annex",
      protected: false,
      idleTimeoutSeconds: null,
    });
    await shot(page, "workspaces");

    // The confirmation says what goes with it and who would be left active in no workspace.
    const roles = (await tenant.admin.roles.list({ limit: 200 })).items;
    const viewer = roles.find((r) => r.name === "Viewer")!.id;
    const nina = await tenant.admin.users.create({
      firstName: "Nina",
      lastName: "North",
      username: "nnorth",
      email: "nnorth@north.example",
      roleId: viewer,
      workspaceAccess: [created!.id],
    });
    await tenant.admin.patientAccess.grant("PAT-NORTH-1", { userId: nina.id, workspaceId: created!.id });
    await annex.getByRole("button", { name: "Delete North Clinic Annex" }).click();
    const deleting = page.getByRole("dialog", { name: "Delete workspace" });
    await hasText(
      deleting.getByText(/^It removes/),
      "It removes 1 user access entry and 1 patient access grant.",
    );
    await hasText(
      deleting.locator(".warning"),
      "1 user is active in this workspace alone and will be active in no workspace: Nina North (nnorth). Give them another workspace first if they should keep working.",
    );
    await deleting.getByRole("button", { name: "Delete" }).click();
    await hasText(page.getByRole("status"), "Workspace North Clinic Annex was deleted.");
    await gone(annex);
    expect(await find("north-clinic")).toBeUndefined();
    expect(await find("south-ward")).toBeDefined();
  });

  it("edits a workspace whose idle limit is not whole minutes (90 s over the API) without touching it, and takes 1.5 minutes", async () => {
    const made = await tenant.admin.workspaces.create({
      slug: "kiosk-ward",
      name: "Kiosk Ward",
      idleTimeoutSeconds: 90,
    });
    const page = await signedIn({ path: "/workspaces" });
    const row = page.getByRole("row", { name: /Kiosk Ward/ });
    await hasText(row.getByRole("cell").nth(3), "90 s");
    await row.getByRole("button", { name: "Edit Kiosk Ward" }).click();
    const edit = page.getByRole("dialog", { name: "Edit workspace Kiosk Ward" });
    expect(await edit.getByLabel("Idle timeout override (minutes)").inputValue()).toBe("1.5");
    // A rename only: the limit it cannot show in whole minutes is neither refused nor rewritten.
    await edit.getByLabel("Name").fill("Kiosk Ward East");
    await edit.getByLabel("Protected from deletion").uncheck();
    await edit.getByRole("button", { name: "Save" }).click();
    await hasText(page.getByRole("status"), "Workspace Kiosk Ward East was saved.");
    expect(await find("kiosk-ward")).toMatchObject({
      id: made.id,
      name: "Kiosk Ward East",
      protected: false,
      idleTimeoutSeconds: 90,
    });
    // Typed as a fraction of a minute, it is sent in seconds.
    await page
      .getByRole("row", { name: /Kiosk Ward East/ })
      .getByRole("button", { name: "Edit Kiosk Ward East" })
      .click();
    const again = page.getByRole("dialog", { name: "Edit workspace Kiosk Ward East" });
    await again.getByLabel("Idle timeout override (minutes)").fill("2.25");
    await again.getByRole("button", { name: "Save" }).click();
    await hasText(page.getByRole("status"), "Workspace Kiosk Ward East was saved.");
    expect(await find("kiosk-ward")).toMatchObject({ idleTimeoutSeconds: 135 });
  });

  it("shows the list without actions to a user who may not manage workspaces", async () => {
    const viewer = (await tenant.admin.roles.list({ limit: 200 })).items.find((r) => r.name === "Viewer");
    const password = "quiet-harbour-lantern-7731";
    await tenant.admin.users.create({
      firstName: "Vera",
      lastName: "Viewer",
      email: `vera@${tenant.slug}.example`,
      username: "vera",
      roleId: viewer?.id ?? "",
      password,
      mustChangePassword: false,
    });
    const page = await signedIn({ path: "/workspaces", login: "vera", password });
    await visible(page.getByRole("cell", { name: "South Ward" }));
    await visible(page.getByText("needs the permission to manage workspaces"));
    expect(await page.getByRole("button", { name: "Create Workspace" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: /^(Edit|Delete)/ }).count()).toBe(0);
  });
});
