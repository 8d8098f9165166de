/**
 * API tokens: create one (shown once, copied), use it with the SDK, revoke it, and it then fails;
 * only roles the maker covers are offered.
 */
import { StaffgateError } from "@staffgate/sdk";
import { describe, expect, it } from "vitest";
import { gone, hasText, shot, useE2e, visible } from "./harness.ts";
import { STAFF_PASSWORD, staff } from "./users-seed.ts";

describe("api tokens", () => {
  const { e, tenant, signedIn } = useE2e();

  it("creates a token shown once, which works with the SDK until it is revoked", async () => {
    const page = await signedIn({ path: "/api-tokens", clipboard: true });
    await visible(page.getByText("There are no API tokens yet."));

    await page.getByRole("button", { name: "Create API token" }).click();
    const form = page.getByRole("dialog", { name: "Create API token" });
    await form.getByLabel("Name").fill("Scheduling system");
    await form.getByLabel("Role").selectOption({ label: "Viewer" });
    // "Create API token" on the page is hidden behind the dialog: "Create" finds the dialog's only.
    expect(await page.getByRole("button", { name: "Create" }).count()).toBe(1);
    await form.getByRole("button", { name: "Create" }).click();

    const shown = page.getByRole("dialog", { name: "Created: copy it now" });
    await visible(shown.getByText("Copy this token now. It will not be shown again."));
    // One element answers to the label: the dialog's own name must not say "API token" too.
    const token = await page.getByLabel("API token").inputValue();
    expect(token.length).toBeGreaterThan(30);
    await shown.getByRole("button", { name: "Copy" }).click();
    await hasText(shown.getByRole("status"), "The token was copied.");
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);
    await shot(page, "api-token-created");

    const me = await e.api.withToken(token).auth.me();
    expect(me.user.virtual).toBe(true);
    expect(me.tenant.slug).toBe(tenant.slug);

    await shown.getByRole("button", { name: "Done" }).click();
    await gone(shown);
    await hasText(page.getByRole("status"), "API token Scheduling system was created.");
    expect(await page.content()).not.toContain(token);
    const row = page.getByRole("row", { name: /Scheduling system/ });
    await hasText(row.getByRole("cell").nth(1), "Viewer");
    await hasText(row.getByRole("cell").nth(3), "Never");
    // Read after the dialog closed: the SDK call above shows as its last use.
    await hasText(row.getByRole("cell").nth(4), /\d/);
    await hasText(row.getByRole("cell").nth(5), "Active");
    const [listed] = (await tenant.admin.apiTokens.list()).items;
    expect(listed).toMatchObject({ name: "Scheduling system", revokedAt: null });
    expect(listed?.lastUsedAt).not.toBeNull();
    await shot(page, "api-tokens");

    await row.getByRole("button", { name: "Revoke Scheduling system" }).click();
    const revoke = page.getByRole("dialog", { name: "Revoke API token" });
    await visible(revoke);
    await expect.poll(() => page.getByRole("button", { name: "Revoke" }).count()).toBe(1);
    await revoke.getByRole("button", { name: "Revoke" }).click();
    await hasText(
      page.getByRole("status"),
      "API token Scheduling system was revoked. Its next request is refused.",
    );
    await hasText(row.getByRole("cell").nth(5), /^Revoked /);
    expect(await row.getByRole("button", { name: /^Revoke/ }).count()).toBe(0);
    expect((await tenant.admin.apiTokens.list()).items[0]?.revokedAt).not.toBeNull();
    const refused = await e.api
      .withToken(token)
      .auth.me()
      .then(
        () => null,
        (err: unknown) => err,
      );
    expect(refused).toBeInstanceOf(StaffgateError);
    expect((refused as StaffgateError).status).toBe(401);
  });

  it("says a token is held back once the person who made it no longer holds its role", async () => {
    const roles = (await tenant.admin.roles.list({ limit: 200 })).items;
    const roleId = (name: string) => roles.find((r) => r.name === name)!.id;
    const password = "maker-Pa55word-heron-8812";
    const maker = await tenant.admin.users.create({
      username: "token.maker",
      email: "token.maker@e2e.example",
      firstName: "Toke",
      lastName: "Maker",
      roleId: roleId("Administrator"),
      password,
      mustChangePassword: false,
    });
    const { token: session } = await e.api.auth.login({
      tenant: tenant.slug,
      login: "token.maker",
      password,
    });
    await e.api
      .withToken(session)
      .apiTokens.create({ name: "Billing bridge", roleId: roleId("Administrator") });
    await tenant.admin.users.update(maker.id, { roleId: roleId("Viewer") });

    const page = await signedIn({ path: "/api-tokens" });
    const row = page.getByRole("row", { name: /Billing bridge/ });
    await hasText(row.getByRole("cell").nth(5), "Held back: its maker no longer holds its role");
    // Still revocable: it is not revoked, only refused.
    await visible(row.getByRole("button", { name: "Revoke Billing bridge" }));
  });

  it("offers an administrator holding only some permissions only the roles they cover", async () => {
    const integrations = await tenant.admin.roles.create({
      name: "Integrations",
      permissions: ["api_tokens.manage", "patient_access.manage", "patients.read"],
    });
    await tenant.admin.roles.create({ name: "Chart reader", permissions: ["patients.read"] });
    await staff(tenant, "Ivy", "Integrator", { roleId: integrations.id });
    const page = await signedIn({ login: "iintegrator", password: STAFF_PASSWORD, path: "/api-tokens" });
    await page.getByRole("button", { name: "Create API token" }).click();
    const form = page.getByRole("dialog", { name: "Create API token" });
    const role = form.getByLabel("Role");
    const options = () => role.locator("option").allInnerTexts();
    await expect.poll(options).toEqual(["Choose a role", "Chart reader", "Integrations"]);
    await hasText(
      form.locator(`[id="${await role.getAttribute("aria-describedby")}"]`),
      /^Not offered: .*Administrator.*Viewer.*\. They grant permissions you do not hold, so only someone holding them can give them\.$/,
    );
    await form.getByLabel("Name").fill("Chart sync");
    await role.selectOption({ label: "Chart reader" });
    await form.getByRole("button", { name: "Create" }).click();
    await visible(page.getByRole("dialog", { name: "Created: copy it now" }));
  });
});
