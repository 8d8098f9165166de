/**
 * Sign-in as a demanding user meets it: missing fields said beside them (nothing sent), the code
 * step starting in its field, a wrong or used code blamed on the code (not on the password that was
 * just accepted), a recovery code, "remember this device" skipping the code next time, and forgot
 * password's own words for a missing tenant or email.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { type E2eTenant, gone, hasText, shot, useE2e, visible } from "./harness.ts";
import { createStaff, totpNow } from "./users-seed.ts";

const PASSWORD = "juniper-anchor-meadow-5530";

async function passwordStep(page: Page, tenant: E2eTenant, login: string) {
  await page.goto("/sign-in");
  await page.getByLabel("Practice").fill(tenant.slug);
  await page.getByLabel("Username or email").fill(login);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
}

describe("sign-in details and two-factor codes", () => {
  const { e, tenant } = useE2e();

  it("says which sign-in field is missing, beside it, without asking the server", async () => {
    const page = await e.newPage();
    await page.goto("/sign-in");
    let asked = 0;
    page.on("request", (r) => {
      if (r.url().includes("/auth/login")) asked += 1;
    });
    await page.getByLabel("Username or email").fill("admin");
    await page.getByRole("button", { name: "Sign in" }).click();
    await visible(page.getByText("Enter your practice."));
    await visible(page.getByText("Enter your password."));
    expect(await page.getByLabel("Practice").getAttribute("aria-invalid")).toBe("true");
    expect(await page.getByLabel("Username or email").getAttribute("aria-invalid")).toBeNull();
    expect(await page.getByRole("alert").count()).toBe(0);
    expect(asked).toBe(0);
  });

  it("blames a wrong or used code on the code, takes a recovery code and remembers the device", async () => {
    const user = await createStaff(tenant, "otto", PASSWORD);
    const { token } = await e.api.auth.login({ tenant: tenant.slug, login: "otto", password: PASSWORD });
    const own = e.api.withToken(token);
    const { secret } = await own.mfa.startTotp();
    const { recoveryCodes } = await own.mfa.confirmTotp(totpNow(secret));
    const recovery = recoveryCodes[0] ?? "";

    const page = await e.newPage();
    await passwordStep(page, tenant, user.username);
    const code = await visible(page.getByLabel("Authentication code"));
    // The step starts in its field: a keyboard user types the code at once.
    await expect.poll(() => code.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.type("000000");
    await page.keyboard.press("Enter");
    // It says how a lock ends too: a lock meanwhile answers as a wrong code does.
    await visible(
      page.getByText(
        /^That code is not right or was already used\..*locked for a while; Forgot Password sets a new password and unlocks it\.$/,
      ),
    );
    expect(await code.getAttribute("aria-invalid")).toBe("true");
    expect(await page.getByText("The tenant, username or password is not right.").count()).toBe(0);
    await shot(page, "sign-in-wrong-code");

    await code.fill(recovery);
    const remember = page.getByRole("checkbox", { name: "Remember this device" });
    await remember.check();
    await page.getByRole("button", { name: "Sign in" }).click();
    await visible(page.getByRole("button", { name: "Sign out" }));
    await page.getByRole("button", { name: "Sign out" }).click();

    // The same browser again: no code asked.
    await passwordStep(page, tenant, user.username);
    await visible(page.getByRole("button", { name: "Sign out" }));
    await gone(page.getByLabel("Authentication code"));

    // Another browser: the code step, and the used recovery code is refused in words beside it.
    const other = await e.newPage();
    await passwordStep(other, tenant, user.username);
    await other.getByLabel("Authentication code").fill(recovery);
    await other.getByRole("button", { name: "Sign in" }).click();
    await visible(other.getByText(/That code is not right or was already used/));
    await other.getByRole("button", { name: "Back" }).click();
    await visible(other.getByLabel("Practice"));
  });

  it("asks for a missing tenant and a whole email address in words on forgot password", async () => {
    const page = await e.newPage();
    await page.goto("/forgot-password");
    // Named as the help article names it ("Email Address"), and found by "Email" all the same.
    await visible(page.getByLabel("Email Address", { exact: true }));
    expect(await page.getByLabel("Email Address").count()).toBe(1);
    await page.getByLabel("Email").fill("nora");
    await page.getByRole("button", { name: "Send reset link" }).click();
    await hasText(page.locator(".field-error").first(), "Enter your practice.");
    await visible(page.getByText("Enter a whole email address, such as name@example.com."));
    expect(await page.getByLabel("Email").getAttribute("aria-invalid")).toBe("true");
    expect(await page.getByText(/expected string|must be a valid/).count()).toBe(0);
  });
});
