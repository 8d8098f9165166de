/**
 * The emailed-link pages and the forced password change: W7 forgot → reset link → sign in; an
 * invitation accepted; a password an administrator typed with "must change" confines the session
 * to Profile → Password until it is changed.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { isFocused } from "./focus.ts";
import { type E2eTenant, hasText, shot, useE2e, visible } from "./harness.ts";
import { createStaff } from "./users-seed.ts";

const FIRST = "harbour-lantern-quietly-9921";
const SECOND = "meadow-copper-violin-4417";
const THIRD = "granite-pelican-sunrise-6630";

/** Types the new password twice ("New password" names one field) and submits with `button`. */
async function choose(page: Page, password: string, button: string) {
  await page.getByLabel("New password").fill(password);
  await page.getByLabel("Confirm password").fill(password);
  await page.getByRole("button", { name: button }).click();
}

async function signIn(page: Page, tenant: E2eTenant, login: string, password: string) {
  await page.getByLabel("Practice").fill(tenant.slug);
  await page.getByLabel("Username or email").fill(login);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

describe("emailed links and forced password change", () => {
  const { e, tenant, signedIn } = useE2e();

  it("resets a forgotten password from the emailed link, then signs in with it; the link works once", async () => {
    const user = await createStaff(tenant, "nora", FIRST);
    const page = await e.newPage();
    await page.goto("/sign-in");
    await page.getByRole("link", { name: "Forgot Password" }).click();
    await page.getByLabel("Practice").fill(tenant.slug);
    await page.getByLabel("Email").fill(user.email);
    await page.getByRole("button", { name: "Send reset link" }).click();
    // How long the link lasts, in numbers (the server's RESET_LINK_MINUTES).
    await hasText(
      page.getByRole("status"),
      /The link works once and must be used within 60 minutes\. If you were invited and have not set a password yet, we have sent you a new invitation instead\.$/,
    );

    const link = await e.emailLink(user.email, "auth.password.reset_link");
    await page.goto(link);
    await visible(page.getByRole("heading", { name: "Reset password" }));
    // The token leaves the address bar once read.
    await expect.poll(() => new URL(page.url()).hash).toBe("");
    // The new password twice; "New password" names the first field only.
    const fresh = page.getByLabel("New password");
    const repeat = page.getByLabel("Confirm password");
    expect(await fresh.getAttribute("autocomplete")).toBe("new-password");
    expect(await repeat.getAttribute("autocomplete")).toBe("new-password");
    await fresh.fill(SECOND);
    await repeat.fill(`${SECOND}x`);
    await page.getByRole("button", { name: "Reset password" }).click();
    await hasText(page.locator(".field-error"), "The two passwords do not match.");
    expect(await repeat.getAttribute("aria-invalid")).toBe("true");
    // The focus goes to the field to fix, so its reason is read out (as on every form).
    await expect.poll(() => isFocused(repeat)).toBe(true);
    // Show reveals both.
    const show = page.getByRole("button", { name: "Show passwords", exact: true });
    expect(await show.getAttribute("aria-pressed")).toBeNull();
    await show.click();
    expect(await fresh.getAttribute("type")).toBe("text");
    expect(await repeat.getAttribute("type")).toBe("text");
    await page.getByRole("button", { name: "Hide passwords", exact: true }).click();
    expect(await fresh.getAttribute("type")).toBe("password");

    // The server's policy reason, beside the field.
    await choose(page, "short-one", "Reset password");
    await visible(page.getByText("Password must be at least 15 characters."));
    expect(await fresh.getAttribute("aria-invalid")).toBe("true");
    await expect.poll(() => isFocused(fresh)).toBe(true);
    await shot(page, "reset-password");

    await choose(page, SECOND, "Reset password");
    await hasText(page.getByRole("status"), /Your password was reset/);
    // The form gave way to the message: the focus is on the page's heading, not lost to the body.
    await expect.poll(() => isFocused(page.getByRole("heading", { level: 1 }))).toBe(true);
    await page.getByRole("link", { name: "Sign in", exact: true }).click();
    await signIn(page, tenant, "nora", SECOND);
    await visible(page.getByRole("heading", { name: "Users" }));

    // The same link again: used up, said in words.
    const again = await e.newPage();
    await again.goto(link);
    await choose(again, THIRD, "Reset password");
    await hasText(again.getByRole("alert"), /This reset link has expired, was already used/);
    await visible(again.getByRole("link", { name: "Ask for a new link" }));

    // A new link opened in the same tab changes only the fragment (no page loads): the page starts
    // over with the new token instead of keeping the last one's "expired".
    await tenant.admin.credentials.forgotPassword({ tenant: tenant.slug, email: user.email });
    const next = await e.emailLink(user.email, "auth.password.reset_link");
    expect(next).not.toBe(link);
    await again.goto(next);
    await expect.poll(() => new URL(again.url()).hash).toBe("");
    // The form is back (an expired link shows none), without the last link's alert.
    await visible(again.getByLabel("New password"));
    expect(await again.getByRole("alert").count()).toBe(0);
    await choose(again, THIRD, "Reset password");
    await hasText(again.getByRole("status"), /Your password was reset/);
  });

  it("accepts an invitation: the invited user sets a password, becomes active and signs in", async () => {
    const user = await createStaff(tenant, "ivy");
    expect(user.status).toBe("invited");
    const page = await e.newPage();
    await page.goto(await e.emailLink(user.email, "user.invitation"));
    await visible(page.getByRole("heading", { name: "Accept invitation" }));
    // The policy's reason beside the field, with the focus there.
    await choose(page, "short-one", "Set password");
    await visible(page.getByText("Password must be at least 15 characters."));
    await expect.poll(() => isFocused(page.getByLabel("New password"))).toBe(true);
    await choose(page, FIRST, "Set password");
    await hasText(page.getByRole("status"), /Your password is set and your account is active/);
    await shot(page, "accept-invitation");
    expect((await tenant.admin.users.get(user.id)).status).toBe("active");

    await page.getByRole("link", { name: "Sign in", exact: true }).click();
    await signIn(page, tenant, user.email, FIRST);
    await visible(page.getByRole("heading", { name: "Users" }));
  });

  it("leads a user who must change the password to Profile → Password, then on to Users", async () => {
    const user = await createStaff(tenant, "mark", FIRST);
    await tenant.admin.credentials.setUserPassword(user.id, { password: SECOND, mustChangePassword: true });
    const page = await signedIn({ form: true, login: "mark", password: SECOND });
    await visible(page.getByRole("heading", { name: "Profile" }));
    expect(new URL(page.url()).pathname).toBe("/profile");
    await hasText(page.getByRole("status"), /You must change your password before anything else/);
    // Only the tab the server allows, and only Profile in the navigation.
    expect(await page.getByRole("tab").allInnerTexts()).toEqual(["Password"]);
    const nav = page.getByRole("navigation", { name: "Main" });
    expect(await nav.getByRole("link").allInnerTexts()).toEqual(["Profile"]);

    await page.goto("/users");
    await visible(page.getByRole("heading", { name: "Users" }));
    await visible(page.getByText("This page opens once you have changed your password."));
    await page.getByRole("link", { name: "Go to your Profile" }).click();

    await page.getByLabel("Current password").fill(SECOND);
    // The current password again is said to be the current one (the tenant keeps no history here).
    await choose(page, SECOND, "Save");
    await visible(page.getByText("This is your current password: choose a new one."));
    expect(await page.getByText(/used recently/).count()).toBe(0);

    await choose(page, THIRD, "Save");
    await visible(page.getByRole("heading", { name: "Users" }));
    await hasText(page.getByRole("status"), "Your password was changed.");
    expect(new URL(page.url()).pathname).toBe("/users");
    expect((await tenant.admin.users.get(user.id)).mustChangePassword).toBe(false);
  });
});
