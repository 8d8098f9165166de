/**
 * The Actions menu of a user row (W8, W10): driven by keyboard as a WAI-ARIA menu button, and
 * each action with the server's state checked afterwards: unlock, random password shown once (from
 * the menu, and from Edit's Password part: W8),
 * reset link, reset MFA, end sessions, mark a password compromised, deactivate/reactivate, archive → Archived → edit
 * its role → restore,
 * purge (offered on every user but oneself; refused in words for one with history).
 */
import type { Locator, Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { describedAs, gone, hasText, shot, useE2e, visible } from "./harness.ts";
import { enrolMfa, lockOut, roleIds, STAFF_PASSWORD, staff } from "./users-seed.ts";

/** The page said this in its status message. */
const said = (page: Page, text: string) => visible(page.getByRole("status").filter({ hasText: text }));

async function choose(page: Page, name: string, item: string): Promise<void> {
  await page.getByRole("button", { name: `Actions for ${name}` }).click();
  await page.getByRole("menuitem", { name: item, exact: true }).click();
}

async function confirm(page: Page, button: string): Promise<void> {
  const dialog = page.getByRole("dialog");
  await dialog.getByRole("button", { name: button, exact: true }).click();
  await gone(dialog);
}

const focusedName = (page: Page) =>
  page.evaluate(
    () => document.activeElement?.getAttribute("aria-label") ?? document.activeElement?.textContent,
  );

describe("user actions", () => {
  const { e, tenant, signedIn } = useE2e();
  let viewer: string;
  beforeAll(async () => {
    viewer = (await roleIds(tenant)).Viewer ?? "";
  });

  const signIn = (login: string, password = STAFF_PASSWORD) =>
    e.api.auth.login({ tenant: tenant.slug, login, password });

  it("drives the menu by keyboard and unlocks a user locked by wrong passwords", async () => {
    const olga = await staff(tenant, "Olga", "Petrova", { roleId: viewer });
    await lockOut(e, tenant, olga.username);
    expect((await tenant.admin.users.get(olga.id)).locked).toBe(true);
    const page = await signedIn();
    const button = page.getByRole("button", { name: "Actions for Olga Petrova" });
    await button.focus();
    await page.keyboard.press("Enter");
    const menu = page.getByRole("menu");
    await visible(menu);
    expect(await button.getAttribute("aria-expanded")).toBe("true");
    await expect.poll(() => focusedName(page)).toBe("Edit");
    await page.keyboard.press("ArrowDown");
    await expect.poll(() => focusedName(page)).toBe("Edit Permissions");
    // The last item: Purge, offered on an active user too (not only once archived).
    await page.keyboard.press("End");
    await expect.poll(() => focusedName(page)).toBe("Purge");
    await page.keyboard.press("ArrowDown");
    await expect.poll(() => focusedName(page)).toBe("Edit");
    await page.keyboard.press("Escape");
    await gone(menu);
    await expect.poll(() => focusedName(page)).toBe("Actions for Olga Petrova");
    await page.keyboard.press("ArrowDown");
    await visible(menu);
    await page.keyboard.press("u");
    await expect.poll(() => focusedName(page)).toBe("Unlock");
    await shot(page, "users-actions-menu");
    await page.keyboard.press("Enter");
    await said(page, "Olga Petrova is unlocked and can sign in again.");
    await expect.poll(() => focusedName(page)).toBe("Actions for Olga Petrova");
    expect((await tenant.admin.users.get(olga.id)).locked).toBe(false);
    expect((await signIn(olga.username)).purpose).toBe("full");

    // The two permission pages are other pages, at their own addresses.
    await choose(page, "Olga Petrova", "Effective permissions");
    await expect.poll(() => new URL(page.url()).pathname).toBe(`/users/${olga.id}/effective-permissions`);
    await page.goBack();
    await choose(page, "Olga Petrova", "Edit Permissions");
    await expect.poll(() => new URL(page.url()).pathname).toBe(`/users/${olga.id}/permissions`);
  });

  it("sets a random password shown once, with Copy, that signs in and must be changed", async () => {
    const ravi = await staff(tenant, "Ravi", "Shah", { roleId: viewer });
    const page = await signedIn({ clipboard: true });
    await choose(page, "Ravi Shah", "Set random password");
    const dialog = page.getByRole("dialog");
    expect(await dialog.getByLabel("Must change it at next sign-in").isChecked()).toBe(true);
    await dialog.getByRole("button", { name: "Set random password" }).click();
    const secret = dialog.locator("output");
    await visible(secret);
    const password = ((await secret.textContent()) ?? "").trim();
    expect(await page.getByLabel("Password").textContent()).toBe(password);
    expect(password.length).toBeGreaterThanOrEqual(15);
    await shot(page, "users-random-password");
    await dialog.getByRole("button", { name: "Copy" }).click();
    await visible(dialog.getByText("Copied to the clipboard."));
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(password);
    await dialog.getByRole("button", { name: "Done" }).click();
    await gone(dialog);
    await said(page, "Ravi Shah has a new random password and must change it at next sign-in.");
    expect(await page.getByText(password).count()).toBe(0);
    const login = await signIn(ravi.username, password);
    expect(login.mustChangePassword).toBe(true);
  });

  it("says a random password unlocks a locked user, and it does: the row's Locked tag goes and it signs in", async () => {
    const lena = await staff(tenant, "Lena", "Berg", { roleId: viewer });
    await lockOut(e, tenant, lena.username);
    const page = await signedIn();
    const row = page.getByRole("row").filter({ hasText: "Lena Berg" });
    await visible(row.getByText("Locked", { exact: true }));
    await choose(page, "Lena Berg", "Set random password");
    const dialog = page.getByRole("dialog");
    await visible(dialog.getByText("Their account is unlocked too."));
    await dialog.getByRole("button", { name: "Set random password" }).click();
    const secret = dialog.locator("output");
    await visible(secret);
    const password = ((await secret.textContent()) ?? "").trim();
    await dialog.getByRole("button", { name: "Done" }).click();
    await gone(dialog);
    await gone(row.getByText("Locked", { exact: true }));
    expect((await tenant.admin.users.get(lena.id)).locked).toBe(false);
    expect((await signIn(lena.username, password)).mustChangePassword).toBe(true);
  });

  it("sets a password the administrator types: refused beside the field when weak, then signs in", async () => {
    const tom = await staff(tenant, "Tomas", "Novak", { roleId: viewer });
    const page = await signedIn();
    await choose(page, "Tomas Novak", "Set password");
    const dialog = page.getByRole("dialog", { name: "Sign-in for Tomas Novak" });
    const field = dialog.getByLabel("New password");
    // Only the field answers to "Password": the dialog's name does not say it.
    expect(await page.getByLabel("Password").count()).toBe(1);
    expect(await dialog.getByLabel("Must change it at next sign-in").isChecked()).toBe(true);
    await field.fill("password");
    await dialog.getByRole("button", { name: "Set password" }).click();
    await expect.poll(() => field.getAttribute("aria-invalid")).toBe("true");
    const typed = "a typed one for Tomas 7201";
    await field.fill(typed);
    await dialog.getByRole("button", { name: "Set password" }).click();
    await gone(dialog);
    await said(page, "Tomas Novak has a new password and must change it at next sign-in.");
    expect((await signIn(tom.username, typed)).mustChangePassword).toBe(true);
  });

  /** Actions → Edit on a row: the Edit dialog, once its form is there. */
  async function edit(page: Page, name: string) {
    await choose(page, name, "Edit");
    const dialog = page.getByRole("dialog", { name: `Edit ${name}` });
    await visible(dialog.getByLabel("First name"));
    return dialog;
  }
  const passwordPart = (dialog: Locator) => dialog.getByRole("group", { name: "Password", exact: true });

  it("W8: Edit sets a random password with the other changes, shown once, that signs in as ticked", async () => {
    const rosa = await staff(tenant, "Rosa", "Random", { roleId: viewer });
    const page = await signedIn({ clipboard: true });
    const dialog = await edit(page, "Rosa Random");
    const part = await visible(passwordPart(dialog));
    expect(await part.getByRole("radio", { name: "Keep the current password" }).isChecked()).toBe(true);
    await dialog.getByLabel("Title").fill("Dr");
    await part.getByRole("radio", { name: "Set a random password" }).check();
    const must = part.getByLabel("Must change it at next sign-in");
    expect(await must.isChecked()).toBe(true);
    await must.uncheck();
    await dialog.getByRole("button", { name: "Save" }).click();
    const shown = page.getByRole("dialog", { name: "For Rosa Random: copy it now" });
    const secret = shown.locator("output");
    await visible(secret);
    await expect.poll(() => focusedName(page)).toBe("Copy");
    const password = ((await secret.textContent()) ?? "").trim();
    expect(password.length).toBeGreaterThanOrEqual(15);
    await shot(page, "users-edit-random-password");
    await shown.getByRole("button", { name: "Copy" }).click();
    await visible(shown.getByText("Copied to the clipboard."));
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(password);
    await shown.getByRole("button", { name: "Done" }).click();
    await gone(shown);
    await said(page, "Rosa Random was saved. Rosa Random has a new random password.");
    await expect.poll(() => focusedName(page)).toBe("Actions for Rosa Random");
    expect(await page.getByText(password).count()).toBe(0);
    expect(await tenant.admin.users.get(rosa.id)).toMatchObject({ title: "Dr", mustChangePassword: false });
    expect((await signIn(rosa.username, password)).mustChangePassword).toBe(false);
  });

  it("W8: Edit's typed password is refused beside its field, the dialog stays open, then a good one is saved", async () => {
    const tess = await staff(tenant, "Tess", "Typed", { roleId: viewer });
    const page = await signedIn();
    const dialog = await edit(page, "Tess Typed");
    const part = passwordPart(dialog);
    await dialog.getByLabel("Title").fill("Nurse");
    await part.getByRole("radio", { name: "Type one now" }).check();
    // Found by its words alone: the choice beside it does not say "new password" too.
    const field = page.getByLabel("New password");
    expect(await field.getAttribute("autocomplete")).toBe("new-password");
    expect(await part.getByLabel("Must change it at next sign-in").isChecked()).toBe(true);
    await field.fill("short-7");
    await dialog.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => field.getAttribute("aria-invalid")).toBe("true");
    const reason = dialog.locator(`[id="${(await field.getAttribute("aria-describedby")) ?? ""}"]`);
    // The field's name once, then the rule (not "New password password must…").
    await hasText(reason, /^New password must be at least 15/);
    // The other changes were saved; only the password was not, and the dialog says so.
    await visible(dialog.getByText("Your other changes were saved; the password was not."));
    expect((await tenant.admin.users.get(tess.id)).title).toBe("Nurse");
    await shot(page, "users-edit-password-refused");
    const typed = "harbour lantern quill 5310";
    await field.fill(typed);
    await dialog.getByRole("button", { name: "Save" }).click();
    await gone(dialog);
    await said(
      page,
      "Tess Typed was saved. Tess Typed has a new password and must change it at next sign-in.",
    );
    expect((await tenant.admin.users.get(tess.id)).mustChangePassword).toBe(true);
    expect((await signIn(tess.username, typed)).mustChangePassword).toBe(true);
  });

  it("W8: no Password part on one's own row, a virtual user, or for someone without users.credentials", async () => {
    await staff(tenant, "Vera", "Virtual", { roleId: viewer, virtual: true });
    const editor = await tenant.admin.roles.create({
      name: "User editor",
      permissions: ["users.view", "users.manage"],
    });
    await staff(tenant, "Ed", "Editor", { roleId: editor.id });
    await staff(tenant, "Pat", "Peer", { roleId: editor.id });
    const page = await signedIn();
    for (const name of ["Ada Admin", "Vera Virtual"]) {
      const dialog = await edit(page, name);
      expect(await passwordPart(dialog).count(), name).toBe(0);
      await dialog.getByRole("button", { name: "Cancel" }).click();
      await gone(dialog);
    }
    // The same page offers it on another user: the part is absent for the reasons above only.
    const pat = await edit(page, "Pat Peer");
    await visible(passwordPart(pat));
    await pat.getByRole("button", { name: "Cancel" }).click();

    const ed = await signedIn({ login: "eeditor", password: STAFF_PASSWORD });
    const dialog = await edit(ed, "Pat Peer");
    expect(await passwordPart(dialog).count()).toBe(0);
  });

  it("sends a reset link, resets MFA, ends sessions and marks a password compromised", async () => {
    const hana = await staff(tenant, "Hana", "Sato", { roleId: viewer });
    const hanaApi = e.api.withToken((await signIn(hana.username)).token);
    await enrolMfa(hanaApi);
    const page = await signedIn();

    await choose(page, "Hana Sato", "Send reset link");
    await said(page, `A password reset link was sent to ${hana.email}.`);
    expect((await e.lastEmail(hana.email, "auth.password.reset_link")).body).toContain("#token=");

    await choose(page, "Hana Sato", "Reset MFA");
    // The confirmation says what the server does: sessions and tokens end, and a password shorter
    // than one used alone may be must be changed, MFA again only if required.
    await hasText(
      page.getByRole("dialog", { name: "Reset two-factor sign-in?" }).locator(".dialog-body"),
      "Hana Sato's authenticator, recovery codes and remembered devices are removed; they are signed out everywhere and the API tokens they created stop working. If their password is shorter than a password used alone may be, they must choose a new one at their next sign-in. They set up two-factor sign-in again only if the practice requires it of them.",
    );
    await confirm(page, "Reset MFA");
    // Hana's password is long enough alone: the answer says she signs in with it.
    await said(page, "Hana Sato's two-factor sign-in was reset; they sign in with their password.");
    expect((await tenant.admin.users.get(hana.id)).mfaEnrolled).toBe(false);
    await expect(hanaApi.auth.me()).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    const next = await signIn(hana.username);
    expect([next.purpose, next.mustChangePassword]).toEqual(["full", false]);

    const again = e.api.withToken((await signIn(hana.username)).token);
    await choose(page, "Hana Sato", "End sessions");
    await confirm(page, "End sessions");
    await said(page, "Hana Sato's sessions and API tokens have ended.");
    await expect(again.auth.me()).rejects.toMatchObject({ code: "UNAUTHENTICATED" });

    const third = e.api.withToken((await signIn(hana.username)).token);
    await choose(page, "Hana Sato", "Mark password compromised");
    await confirm(page, "Mark compromised");
    await said(page, `Hana Sato's password no longer works; a reset link was sent to ${hana.email}.`);
    await expect(third.auth.me()).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    await expect(signIn(hana.username)).rejects.toMatchObject({ code: "INVALID_CREDENTIALS" });
    expect((await e.lastEmail(hana.email, "auth.password.reset_link")).body).toContain("#token=");
  });

  it("deactivates and reactivates; archives, finds under Archived and restores", async () => {
    const ben = await staff(tenant, "Ben", "Carter", { roleId: viewer });
    const page = await signedIn();
    await choose(page, "Ben Carter", "Deactivate");
    await confirm(page, "Deactivate");
    await said(page, "Ben Carter was deactivated.");
    expect((await tenant.admin.users.get(ben.id)).status).toBe("inactive");
    await gone(page.getByRole("button", { name: "Actions for Ben Carter" }));
    await page.getByLabel("Status").selectOption({ label: "Inactive" });
    await choose(page, "Ben Carter", "Reactivate");
    await said(page, "Ben Carter was reactivated.");
    expect((await tenant.admin.users.get(ben.id)).status).toBe("active");

    await page.getByLabel("Status").selectOption({ label: "Active" });
    await choose(page, "Ben Carter", "Archive");
    await confirm(page, "Archive");
    await said(page, "Ben Carter was archived.");
    expect((await tenant.admin.users.get(ben.id)).status).toBe("archived");
    await page.getByLabel("Status").selectOption({ label: "Archived" });
    await page.getByRole("button", { name: "Actions for Ben Carter" }).click();
    // Archived: no credentials; its roles can be edited (to free a role for deletion), restore or purge.
    expect(await page.getByRole("menuitem").allInnerTexts()).toEqual([
      "Edit",
      "Effective permissions",
      "Restore",
      "Purge",
    ]);
    await page.getByRole("menuitem", { name: "Edit", exact: true }).click();
    const edit = page.getByRole("dialog", { name: "Edit Ben Carter" });
    await visible(edit.getByText("This user is archived"));
    // It opens on Roles; the rest is shown, not editable, and no password is offered.
    expect(await edit.getByRole("tab", { name: /^Roles/ }).getAttribute("aria-selected")).toBe("true");
    const other = Object.entries(await roleIds(tenant)).find(
      ([name]) => name !== "Viewer" && name !== "Administrator",
    )!;
    await edit.getByLabel("Role", { exact: true }).selectOption({ label: other[0] });
    await edit.getByRole("tab", { name: "User Information" }).click();
    expect(await edit.getByLabel("First name").isDisabled()).toBe(true);
    expect(await edit.getByText("Password", { exact: true }).count()).toBe(0);
    await edit.getByRole("button", { name: "Save" }).click();
    await gone(edit);
    expect(await tenant.admin.users.get(ben.id)).toMatchObject({ status: "archived", roleId: other[1] });
    await page.getByRole("button", { name: "Actions for Ben Carter" }).click();
    await page.getByRole("menuitem", { name: "Restore" }).click();
    await said(page, "Ben Carter was restored (now active).");
    expect(await tenant.admin.users.get(ben.id)).toMatchObject({ status: "active", roleId: other[1] });
  });

  it("makes a person virtual in Edit, saying what it ends, and a virtual user a person again, invited", async () => {
    const vic = await staff(tenant, "Vic", "Virtualis", { roleId: viewer });
    const page = await signedIn();
    await choose(page, "Vic Virtualis", "Edit");
    const edit = page.getByRole("dialog", { name: "Edit Vic Virtualis" });
    await edit.getByLabel("Virtual user").check();
    // Said beside the box, and read with it.
    await describedAs(
      edit.getByLabel("Virtual user"),
      "Saving removes their password and two-factor sign-in, ends their sessions and revokes the API tokens they made.",
    );
    await edit.getByRole("button", { name: "Save" }).click();
    await gone(edit);
    expect(await tenant.admin.users.get(vic.id)).toMatchObject({ virtual: true, status: "active" });
    await expect(signIn(vic.username)).rejects.toMatchObject({ code: "INVALID_CREDENTIALS" });

    await choose(page, "Vic Virtualis", "Edit");
    await edit.getByLabel("Virtual user").uncheck();
    await visible(edit.getByText("Saving emails them an invitation to choose a password."));
    await edit.getByRole("button", { name: "Save" }).click();
    await gone(edit);
    expect(await tenant.admin.users.get(vic.id)).toMatchObject({ virtual: false, status: "invited" });
    expect((await e.lastEmail(vic.email, "user.invitation")).body).toContain("#token=");
  });

  it("offers Purge on users of every status, purges one with no history, and says why one with history cannot be", async () => {
    const temp = await staff(tenant, "Tess", "Temp", { roleId: viewer, invite: true });
    const fresh = await staff(tenant, "Fern", "Fresh", { roleId: viewer });
    const idle = await staff(tenant, "Ivo", "Idle", { roleId: viewer });
    const vet = await staff(tenant, "Victor", "Veteran", { roleId: viewer });
    await signIn(vet.username);
    await signIn(idle.username);
    await tenant.admin.userActions.deactivate(idle.id);
    // An integration that acted (through its token) and was then revoked: archived, never signed in.
    const syncRole = await tenant.admin.roles.create({ name: "Sync", permissions: ["workspaces.manage"] });
    const token = await tenant.admin.apiTokens.create({ name: "Sync", roleId: syncRole.id });
    await e.api.withToken(token.token).workspaces.create({ slug: "synced", name: "Synced" });
    await tenant.admin.apiTokens.revoke(token.id);
    const page = await signedIn();
    const dialog = page.getByRole("dialog", { name: "Purge user permanently?" });
    /** Purge from the row's menu, and the refusal said in the confirmation, which stays open. */
    const refused = async (name: string, words: string) => {
      await choose(page, name, "Purge");
      await dialog.getByRole("button", { name: "Purge" }).click();
      await hasText(dialog.getByRole("alert"), words);
      await dialog.getByRole("button", { name: "Cancel" }).click();
      await gone(dialog);
    };

    // Active and never signed in: offered, with the same confirmation, and purged.
    await choose(page, "Fern Fresh", "Purge");
    await hasText(
      dialog.locator(".dialog-body"),
      `Fern Fresh (${fresh.username}) is deleted for good and cannot be restored. Only a user who never signed in or acted can be purged.`,
    );
    await confirm(page, "Purge");
    await said(page, "Fern Fresh was purged permanently.");
    await expect(tenant.admin.users.get(fresh.id)).rejects.toMatchObject({ code: "USER_NOT_FOUND" });

    // Active and signed in: offered too; the server refuses, and the console says so in words.
    await refused(
      "Victor Veteran",
      "The user has signed in, so it cannot be purged; deactivate or archive it instead.",
    );
    expect((await tenant.admin.users.get(vet.id)).status).toBe("active");

    // Deactivated: offered; refused with advice that fits a user deactivated already.
    await page.getByLabel("Status").selectOption({ label: "Inactive" });
    await refused("Ivo Idle", "The user has signed in, so it cannot be purged; archive it instead.");

    // Archived: refused as staying archived.
    await page.getByLabel("Status").selectOption({ label: "Archived" });
    await refused(
      "Integration Sync",
      "The user appears in the audit trail as an actor, through its API token, so it cannot be purged; it stays archived.",
    );

    // Invited and never signed in: offered, and purged.
    await page.getByLabel("Status").selectOption({ label: "Invited" });
    await choose(page, "Tess Temp", "Purge");
    await confirm(page, "Purge");
    await said(page, "Tess Temp was purged permanently.");
    await gone(page.getByRole("button", { name: "Actions for Tess Temp" }));
    await expect(tenant.admin.users.get(temp.id)).rejects.toMatchObject({ code: "USER_NOT_FOUND" });

    // Never on one's own row: the server refuses purging oneself whatever the history.
    await page.getByLabel("Status").selectOption({ label: "Active" });
    await page.getByRole("button", { name: "Actions for Ada Admin" }).click();
    expect(await page.getByRole("menuitem").allInnerTexts()).not.toContain("Purge");
    await page.keyboard.press("Escape");
  });
});
