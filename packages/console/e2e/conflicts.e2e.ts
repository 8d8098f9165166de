/**
 * When something goes wrong while an administrator works (the conflict review, 2026-12-07): an
 * answer lost on its way back, someone else's change, and the browser's session passing to
 * someone else in another tab. Nothing is made twice, nothing is sent as the wrong person, and the
 * administrator is told in words.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { gone, hasText, useE2e, visible } from "./harness.ts";
import { STAFF_PASSWORD, staff } from "./users-seed.ts";

describe("conflicts", () => {
  const { tenant, signedIn } = useE2e();

  /** Lets the next request to `url` reach the server, then loses its answer (a dropped connection). */
  const loseNextAnswer = async (page: Page, url: string) => {
    let lost = false;
    await page.route(url, async (route) => {
      if (lost || route.request().method() !== "POST") return route.fallback();
      lost = true;
      await route.fetch();
      await route.abort("connectionreset");
    });
  };

  it("a workspace whose answer was lost is not made twice when Create is pressed again", async () => {
    const page = await signedIn({ path: "/workspaces" });
    await loseNextAnswer(page, "**/api/v1/workspaces");
    await page.getByRole("button", { name: "Create Workspace" }).click();
    const dialog = page.getByRole("dialog", { name: "Create Workspace" });
    await dialog.getByLabel("Name").fill("Lost Answer Ward");
    await dialog.getByRole("button", { name: "Create" }).click();
    await hasText(dialog.getByRole("alert"), /could not be reached/);
    const made = async () =>
      (await tenant.admin.workspaces.list({ limit: 200 })).items.filter((w) => w.slug === "lost-answer-ward");
    expect(await made()).toHaveLength(1);
    // Pressed again, the same change gets its first answer: no "already used", no second workspace.
    await dialog.getByRole("button", { name: "Create" }).click();
    await hasText(page.getByRole("status"), "Workspace Lost Answer Ward was created.");
    expect(await made()).toHaveLength(1);
  });

  it("an API token whose answer was lost is not made twice, and the console says how to go on", async () => {
    const page = await signedIn({ path: "/api-tokens" });
    await loseNextAnswer(page, "**/api/v1/api-tokens");
    await page.getByRole("button", { name: "Create API token" }).click();
    const form = page.getByRole("dialog", { name: "Create API token" });
    await form.getByLabel("Name").fill("Lost answer system");
    await form.getByLabel("Role").selectOption({ label: "Viewer" });
    await form.getByRole("button", { name: "Create" }).click();
    await hasText(form.getByRole("alert"), /could not be reached/);
    await form.getByRole("button", { name: "Create" }).click();
    // Its secret was in the lost answer and is never kept: the retry says so instead of making another.
    await hasText(
      form.getByRole("alert"),
      /^This was done when the service stopped answering, but what it showed only once/,
    );
    const tokens = (await tenant.admin.apiTokens.list()).items.filter((t) => t.name === "Lost answer system");
    expect(tokens).toHaveLength(1);
  });

  it("a password set refused for someone else's change works once the dialog is closed and opened again", async () => {
    const viewer = (await tenant.admin.roles.list({ limit: 200 })).items.find((r) => r.name === "Viewer")!;
    const tom = await staff(tenant, "Tomas", "Stale", { roleId: viewer.id });
    const page = await signedIn({ path: "/users" });
    page.on("dialog", (d) => void d.accept());
    const open = async () => {
      await page.getByRole("button", { name: "Actions for Tomas Stale" }).click();
      await page.getByRole("menuitem", { name: "Set password", exact: true }).click();
      return page.getByRole("dialog", { name: "Sign-in for Tomas Stale" });
    };
    let dialog = await open();
    await tenant.admin.users.update(tom.id, { title: "Changed meanwhile" });
    await dialog.getByLabel("New password").fill("a typed one for Tomas 7202");
    await dialog.getByRole("button", { name: "Set password" }).click();
    await hasText(dialog.getByRole("alert"), /^Someone else changed this since it was shown here/);
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await gone(dialog);
    // Closing read the list again: the next try is judged against the user as they are now.
    dialog = await open();
    await dialog.getByLabel("New password").fill("a typed one for Tomas 7202");
    await dialog.getByRole("button", { name: "Set password" }).click();
    await gone(dialog);
    await hasText(page.getByRole("status"), /^Tomas Stale has a new password/);
  });

  it("Edit and Delete open a role or a workspace as it is now, not as the list read it", async () => {
    const role = await tenant.admin.roles.create({ name: "Night porter", permissions: ["users.view"] });
    const gone1 = await tenant.admin.roles.create({ name: "Retired role", permissions: ["users.view"] });
    const ward = await tenant.admin.workspaces.create({ slug: "quiet-ward", name: "Quiet Ward" });
    const page = await signedIn({ path: "/roles" });
    await visible(page.getByRole("rowheader", { name: "Night porter", exact: true }));
    // Deleted by someone else after the list was read: Edit says so, and the list loses it.
    await tenant.admin.roles.delete(gone1.id);
    await page.getByRole("button", { name: "Edit Retired role" }).click();
    await hasText(page.getByRole("alert"), /not found/i);
    await gone(page.getByRole("rowheader", { name: "Retired role", exact: true }));
    expect(await page.getByRole("dialog").count()).toBe(0);
    // Changed after the list was read (again), with no reason for the page to read it again.
    await visible(page.getByRole("rowheader", { name: "Night porter", exact: true }));
    await tenant.admin.roles.update(role.id, { description: "Changed meanwhile" });
    await page.getByRole("button", { name: "Edit Night porter" }).click();
    const dialog = page.getByRole("dialog");
    await expect.poll(() => dialog.getByLabel("Description").inputValue()).toBe("Changed meanwhile");
    await dialog.getByLabel("Description").fill("Changed meanwhile, and by me");
    await dialog.getByRole("button", { name: "Save" }).click();
    await hasText(page.getByRole("status"), "Role “Night porter” was saved.");
    expect((await tenant.admin.roles.get(role.id)).description).toBe("Changed meanwhile, and by me");

    await page.goto("/workspaces");
    await visible(page.getByRole("row", { name: /Quiet Ward/ }));
    // Protected meanwhile: Delete knows, and does not offer to delete it.
    let current = await tenant.admin.workspaces.get(ward.id);
    await tenant.admin.workspaces.update(ward.id, { protected: true }, { ifMatch: current.version });
    await page.getByRole("button", { name: "Delete Quiet Ward" }).click();
    const deleting = page.getByRole("dialog", { name: "Delete workspace" });
    await visible(deleting.getByText("This workspace is protected from deletion."));
    expect(await deleting.getByRole("button", { name: "Delete" }).isDisabled()).toBe(true);
    await deleting.getByRole("button", { name: "Cancel" }).click();
    await gone(deleting);
    // Renamed meanwhile (after the list was read again on that close): Edit opens on the new name.
    await visible(page.getByRole("row", { name: /Quiet Ward/ }));
    current = await tenant.admin.workspaces.get(ward.id);
    await tenant.admin.workspaces.update(ward.id, { name: "Quiet Ward East" }, { ifMatch: current.version });
    await page.getByRole("button", { name: "Edit Quiet Ward" }).click();
    const edit = page.getByRole("dialog", { name: "Edit workspace Quiet Ward East" });
    expect(await edit.getByLabel("Name").inputValue()).toBe("Quiet Ward East");
    expect(await edit.getByLabel("Protected from deletion").isChecked()).toBe(true);
    await edit.getByRole("button", { name: "Cancel" }).click();
    await gone(edit);
  });

  it("a row read slowly never retargets the dialog opened meanwhile: Create New Role stays a new role", async () => {
    const porter = await tenant.admin.roles.create({ name: "Day porter", permissions: ["users.view"] });
    const page = await signedIn({ path: "/roles" });
    await visible(page.getByRole("rowheader", { name: "Day porter", exact: true }));
    // The role's read takes a while; meanwhile the administrator starts a new role instead.
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slowRead = `**/api/v1/roles/${porter.id}`;
    await page.route(slowRead, async (route) => {
      await held;
      await route.fallback();
    });
    await page.getByRole("button", { name: "Edit Day porter" }).click();
    await page.getByRole("button", { name: "Create New Role" }).click();
    const dialog = page.getByRole("dialog", { name: "Create New Role" });
    await dialog.getByLabel("Name", { exact: true }).fill("Night receptionist");
    await dialog.getByLabel("Description").fill("Answers the door after hours.");
    const answered = page.waitForResponse((r) => r.url().endsWith(`/api/v1/roles/${porter.id}`));
    release();
    await answered;
    await page.unroute(slowRead);
    await dialog.getByRole("button", { name: "Save" }).click();
    await hasText(page.getByRole("status"), "Role “Night receptionist” was created.");
    expect(await tenant.admin.roles.get(porter.id)).toMatchObject({
      name: "Day porter",
      permissions: ["users.view"],
    });
    const made = (await tenant.admin.roles.list({ q: "Night receptionist" })).items;
    expect(made.map((r) => r.description)).toEqual(["Answers the door after hours."]);
  });

  it("a permission taken away mid-task is named, and the menus stop offering what it allowed", async () => {
    const userAdmin = await tenant.admin.roles.create({
      name: "User admin",
      permissions: ["users.view", "users.manage"],
    });
    const keeper = await staff(tenant, "Kim", "Keeper", { roleId: userAdmin.id, username: "kim.keeper" });
    // A role the user admin covers, so that they may edit its holder.
    const desk = await tenant.admin.roles.create({ name: "Front desk", permissions: ["users.view"] });
    await staff(tenant, "Rosa", "Desk", { roleId: desk.id });
    const page = await signedIn({ path: "/users", login: keeper.username, password: STAFF_PASSWORD });
    await page.getByRole("button", { name: "Actions for Rosa Desk" }).click();
    await page.getByRole("menuitem", { name: "Edit", exact: true }).click();
    const edit = page.getByRole("dialog");
    await edit.getByLabel("Title").fill("Receptionist");
    const current = await tenant.admin.roles.get(userAdmin.id);
    await tenant.admin.roles.update(
      userAdmin.id,
      { permissions: ["users.view"] },
      { ifMatch: current.version },
    );
    await edit.getByRole("button", { name: "Save" }).click();
    await hasText(
      edit.getByRole("alert"),
      "You do not have permission to do that. This needs the users.manage permission.",
    );
    await edit.getByRole("button", { name: "Cancel" }).click();
    if (await page.getByRole("dialog").isVisible())
      await page.getByRole("button", { name: "Discard" }).click();
    await gone(page.getByRole("dialog"));
    await page.getByRole("button", { name: "Actions for Rosa Desk" }).click();
    await expect.poll(() => page.getByRole("menuitem").allInnerTexts()).not.toContain("Edit");
  });

  it("a tab whose browser session passed to someone else sends nothing, and shows who is signed in now", async () => {
    const roles = (await tenant.admin.roles.list({ limit: 200 })).items;
    const adminRole = roles.find((r) => r.name === "Administrator")!.id;
    const second = await staff(tenant, "Sam", "Second", { roleId: adminRole, username: "sam.second" });
    const target = await staff(tenant, "Fred", "Desk", {
      roleId: roles.find((r) => r.name === "Viewer")!.id,
    });
    const first = await signedIn({ path: "/users" });
    // Any question the page asks ("Leave site?") is answered Stay, as someone with unsaved typing
    // would: the change must still not go as the other person (the second review).
    const asked: string[] = [];
    first.on("dialog", (d) => {
      asked.push(d.type());
      void d.dismiss();
    });
    await first.getByRole("button", { name: "Actions for Fred Desk" }).click();
    await first.getByRole("menuitem", { name: "Edit", exact: true }).click();
    const edit = first.getByRole("dialog");
    await edit.getByLabel("Title").fill("Typed by the first administrator");

    // Another tab of the same browser: sign out, and sign in as someone else.
    const other = await first.context().newPage();
    await other.goto("/users");
    await other.getByRole("button", { name: "Sign out" }).click();
    await visible(other.getByLabel("Practice"));
    await other.getByLabel("Practice").fill(tenant.slug);
    await other.getByLabel("Username or email").fill(second.username);
    await other.getByLabel("Password", { exact: true }).fill(STAFF_PASSWORD);
    await other.getByRole("button", { name: "Sign in" }).click();
    await visible(other.getByRole("button", { name: "Sign out" }));

    await first.bringToFront();
    if (await edit.isVisible()) await edit.getByRole("button", { name: "Save" }).click();
    await hasText(
      first.getByRole("status"),
      "This browser is now signed in as Sam Second (signed in in another tab). What this page was about to send was not sent.",
    );
    await gone(first.getByRole("dialog"));
    expect((await tenant.admin.users.get(target.id)).title ?? null).toBeNull();
    const updates = await tenant.admin.audit.list({ action: "user.updated", targetId: target.id });
    expect(updates.items).toHaveLength(0);
    // The console's own reload asked nothing.
    expect(asked).toEqual([]);
    await other.close();
  });
});
