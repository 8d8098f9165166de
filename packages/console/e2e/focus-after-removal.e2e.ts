/**
 * An action that takes away the control that started it (Delete, Revoke, End now, Archive, Purge,
 * Restore out of the Archived list, End session) leaves the keyboard focus on the page's heading,
 * never on the page's body, where a keyboard or screen-reader user would start again from the top.
 * Each control goes only once the list is read again, after its dialog has closed.
 */
import type { Locator, Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { pressOn } from "./focus.ts";
import { gone, useE2e, visible } from "./harness.ts";
import { openElevation, staff } from "./users-seed.ts";

const PATIENT = "PAT-3003";

/** The focused element as "h1 Roles", or "body". */
const focused = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return "body";
    return `${el.tagName.toLowerCase()} ${el.textContent?.trim() ?? ""}`;
  });

/** Once `control` has gone, the focus is on the page's heading. */
async function onHeading(page: Page, control: Locator, heading: string): Promise<void> {
  await gone(control);
  await headingFocused(page, heading);
}

const headingFocused = (page: Page, heading: string) =>
  expect
    .poll(() => focused(page), { message: `after a control on ${heading} went`, timeout: 3000 })
    .toBe(`h1 ${heading}`);

/** Opens the confirmation from `opener` and confirms it, both by keyboard. */
async function confirmByKeys(page: Page, opener: Locator, confirm: string): Promise<void> {
  await pressOn(page, opener);
  const dialog = page.getByRole("dialog");
  await visible(dialog);
  await pressOn(page, dialog.getByRole("button", { name: confirm, exact: true }));
  await gone(dialog);
}

describe("focus after an action removes its control", () => {
  const { e, tenant, signedIn } = useE2e();
  let viewer = "";
  beforeAll(async () => {
    const roles = (await tenant.admin.roles.list({ limit: 200 })).items;
    viewer = roles.find((r) => r.name === "Viewer")?.id ?? "";
    await tenant.admin.roles.create({ name: "Temporary role", permissions: [] });
    await tenant.admin.workspaces.create({ slug: "old-annex", name: "Old annex", protected: false });
    await tenant.admin.apiTokens.create({ name: "Old integration", roleId: viewer });
    await openElevation(e, tenant);
    const rhea = await staff(tenant, "Rhea", "Reader", { roleId: viewer });
    await tenant.admin.patientAccess.grant(PATIENT, { userId: rhea.id, reason: "Second opinion" });
  });

  it("on Roles, Workspaces, API tokens, Emergency access and Patient access", async () => {
    const page = await signedIn({ path: "/roles" });
    const role = page.getByRole("button", { name: "Delete Temporary role" });
    await visible(role);
    await confirmByKeys(page, role, "Delete");
    await onHeading(page, role, "Roles");

    await page.goto("/workspaces");
    const workspace = await visible(page.getByRole("button", { name: "Delete Old annex" }));
    await confirmByKeys(page, workspace, "Delete");
    await onHeading(page, workspace, "Workspaces");

    await page.goto("/api-tokens");
    // The row stays (Revoked); its button goes.
    const token = await visible(page.getByRole("button", { name: "Revoke Old integration" }));
    await confirmByKeys(page, token, "Revoke");
    await onHeading(page, token, "API tokens");

    await page.goto("/emergency-access");
    const end = await visible(page.getByRole("button", { name: "End access of Cal Clinician" }));
    await confirmByKeys(page, end, "End access");
    await onHeading(page, end, "Emergency access");

    await page.goto(`/patient-access?patient=${PATIENT}`);
    const grant = await visible(page.getByRole("button", { name: /^Revoke access of Rhea Reader/ }));
    await confirmByKeys(page, grant, "Revoke");
    await onHeading(page, grant, "Manage Patient Access");
  });

  it("on Users: Archive out of the Active list, Restore out of the Archived one, Purge", async () => {
    await staff(tenant, "Olive", "Outgoing", { roleId: viewer });
    await staff(tenant, "Petra", "Passing", { roleId: viewer });
    const page = await signedIn();
    const choose = async (name: string, item: string) => {
      const actions = await visible(page.getByRole("button", { name: `Actions for ${name}` }));
      await pressOn(page, actions);
      await pressOn(page, page.getByRole("menuitem", { name: item, exact: true }));
      return actions;
    };

    for (const name of ["Olive Outgoing", "Petra Passing"]) {
      const actions = await choose(name, "Archive");
      const dialog = page.getByRole("dialog");
      await pressOn(page, dialog.getByRole("button", { name: "Archive", exact: true }));
      await gone(dialog);
      await onHeading(page, actions, "Users");
    }

    await page.goto("/users?status=archived");
    // Restore runs at once, no dialog: its row leaves the Archived list.
    await onHeading(page, await choose("Olive Outgoing", "Restore"), "Users");
    const purge = await choose("Petra Passing", "Purge");
    const dialog = page.getByRole("dialog");
    await pressOn(page, dialog.getByRole("button", { name: "Purge", exact: true }));
    await gone(dialog);
    await onHeading(page, purge, "Users");
  });

  it("on Profile, ending another session", async () => {
    // Last: the session ended may be the one the administrator's SDK client uses.
    await e.api.auth.login({
      tenant: tenant.slug,
      login: tenant.adminUsername,
      password: tenant.adminPassword,
    });
    const page = await signedIn({ path: "/profile" });
    await page.getByRole("tab", { name: "Sessions" }).click();
    const ends = await visible(page.getByRole("button", { name: /^End session/ }));
    const before = await ends.count();
    await confirmByKeys(page, ends.first(), "End session");
    await expect.poll(() => ends.count()).toBe(before - 1);
    await headingFocused(page, "Profile");
  });
});
