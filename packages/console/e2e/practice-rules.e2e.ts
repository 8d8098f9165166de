/**
 * The practice's rules as `/auth/me` states them to everyone: a practice that forbids typed
 * passwords is offered no typed password (menu, Create New User, Edit), and the emergency access
 * dialog says the practice's own time box to someone who cannot read the settings.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { useE2e, visible } from "./harness.ts";
import { roleIds, STAFF_PASSWORD, staff } from "./users-seed.ts";

describe("practice rules", () => {
  const { tenant, signedIn } = useE2e();
  beforeAll(async () => {
    // The staff get their passwords first: a practice that forbids typed ones refuses them.
    await staff(tenant, "Tomas", "Novak", { roleId: (await roleIds(tenant)).Viewer ?? "" });
    const role = await tenant.admin.roles.create({
      name: "On-call clinician",
      permissions: ["emergency_access.use"],
    });
    await staff(tenant, "Cal", "Clinician", { roleId: role.id });
    await tenant.admin.settings.update({ adminTypedPasswordsAllowed: false, emergencyAccessHours: 6 });
  });

  it("offers no typed password when the practice forbids it: only random, reset link and invitation", async () => {
    const page = await signedIn();
    await page.getByRole("button", { name: "Actions for Tomas Novak" }).click();
    const menu = page.getByRole("menu");
    await visible(menu.getByRole("menuitem", { name: "Set random password", exact: true }));
    await visible(menu.getByRole("menuitem", { name: "Send reset link", exact: true }));
    expect(await menu.getByRole("menuitem", { name: "Set password", exact: true }).count()).toBe(0);
    await page.keyboard.press("Escape");

    await page.getByRole("button", { name: "Create New User" }).click();
    const dialog = page.getByRole("dialog", { name: "Create New User" });
    await visible(dialog.getByRole("radio", { name: "Send an invitation link" }));
    expect(await dialog.getByRole("radio", { name: "Set it now" }).count()).toBe(0);
    await visible(dialog.getByText(/does not let administrators type a password/));
    await dialog.getByRole("button", { name: "Cancel" }).click();

    // Edit's Password part (W8): keep it or set a random one, and the reason.
    await page.getByRole("button", { name: "Actions for Tomas Novak" }).click();
    await page.getByRole("menuitem", { name: "Edit", exact: true }).click();
    const part = page
      .getByRole("dialog", { name: "Edit Tomas Novak" })
      .getByRole("group", { name: "Password", exact: true });
    await visible(part.getByRole("radio", { name: "Set a random password" }));
    expect(await part.getByRole("radio", { name: "Type one now" }).count()).toBe(0);
    await visible(
      part.getByText(
        "Your practice does not let administrators type a password: set a random one, or keep the current one.",
      ),
    );
  });

  it("states the practice's emergency access time box to someone who cannot read the settings", async () => {
    const page = await signedIn({ path: "/emergency-access", login: "cclinician", password: STAFF_PASSWORD });
    await page.getByRole("button", { name: "Open emergency access" }).click();
    const dialog = page.getByRole("dialog", { name: "Open emergency access" });
    await visible(dialog.getByText(/It ends by itself after 6 hours, or when you end it\./));
    expect(await dialog.getByText(/4 hours unless changed/).count()).toBe(0);
  });
});
