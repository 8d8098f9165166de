/**
 * Profile: W6 change own password; own sessions, ending another one (that browser is sent to
 * sign-in on its next call); two-factor enrolment with a QR code and recovery codes, required by
 * the practice, then the sign-in's code step.
 */
import { authenticator } from "otplib";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { hasText, shot, signInWithPage, useE2e, visible } from "./harness.ts";
import { createStaff } from "./users-seed.ts";

const FIRST = "harbour-lantern-quietly-9921";
const SECOND = "meadow-copper-violin-4417";

async function openTab(page: Page, name: string) {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Profile" }).click();
  await page.getByRole("tab", { name }).click();
}

/** The TOTP code of `secret` for the 30-second step `step` (RFC 6238). */
function codeAt(secret: string, step: number): string {
  return authenticator.clone({ epoch: step * 30_000 }).generate(secret);
}

describe("profile", () => {
  const { e, tenant, signedIn } = useE2e();

  it("changes the own password (W6): wrong current password beside its field, then a notification", async () => {
    await createStaff(tenant, "nora", FIRST);
    const page = await signedIn({ login: "nora", password: FIRST });
    await openTab(page, "Password");
    const current = page.getByLabel("Current password");
    expect(await current.getAttribute("autocomplete")).toBe("current-password");
    await current.fill("not-my-password-at-all");
    await page.getByLabel("New password").fill(SECOND);
    await page.getByLabel("Confirm password").fill(SECOND);
    await page.getByRole("button", { name: "Save" }).click();
    await visible(page.getByText("Is not your current password."));
    expect(await current.getAttribute("aria-invalid")).toBe("true");
    // The focus goes to the field to fix, as in every other form.
    await expect.poll(() => current.evaluate((el) => el === document.activeElement)).toBe(true);

    await current.fill(FIRST);
    await page.getByLabel("New password").fill(SECOND);
    await page.getByLabel("Confirm password").fill(SECOND);
    await page.getByRole("button", { name: "Save" }).click();
    await hasText(
      page.getByRole("status"),
      "Your password was changed. Your other sessions were signed out.",
    );
    await shot(page, "profile-password");
    // This session stays; the new password is the one that signs in.
    await page.getByRole("tab", { name: "Sessions" }).click();
    await visible(page.getByText("This session"));
    await expect(
      e.api.auth.login({ tenant: tenant.slug, login: "nora", password: SECOND }),
    ).resolves.toMatchObject({ purpose: "full" });
  });

  it("lists the own sessions and ends another; that browser is sent to sign-in on its next call", async () => {
    await createStaff(tenant, "sam", FIRST);
    const other = await signedIn({ login: "sam", password: FIRST });
    const page = await signedIn({ login: "sam", password: FIRST });
    await openTab(page, "Sessions");
    const rows = page.getByRole("row");
    await expect.poll(() => rows.count()).toBe(3);
    await visible(page.getByRole("row", { name: /This session/ }));
    await shot(page, "profile-sessions");

    await page.getByRole("button", { name: "End session" }).click();
    const dialog = page.getByRole("dialog", { name: "End session" });
    // The rows' "End session" buttons are hidden behind the dialog: the name finds its one.
    await expect.poll(() => page.getByRole("button", { name: "End session" }).count()).toBe(1);
    await dialog.getByRole("button", { name: "End session" }).click();
    await hasText(page.getByRole("status"), "The session was ended: that browser must sign in again.");
    await expect.poll(() => rows.count()).toBe(2);

    // The other browser sits on Users; opening Profile, then Users again, makes the next call.
    const otherNav = other.getByRole("navigation", { name: "Main" });
    await otherNav.getByRole("link", { name: "Profile" }).click();
    await visible(other.getByRole("heading", { name: "Profile" }));
    await otherNav.getByRole("link", { name: "Users" }).click();
    await visible(other.getByRole("heading", { name: "Sign in to Staffgate" }));
    await hasText(other.getByRole("status"), /Your session has ended/);
  });

  it("enrols in two-factor sign-in when the practice requires it, then signs in with a code", async () => {
    const practice = await e.createTenant();
    await practice.admin.settings.update({ mfaRequired: "all" });
    const user = await createStaff(practice, "tess", FIRST);
    const page = await e.newPage();
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
    await signInWithPage(page, practice, "tess", FIRST);
    await hasText(page.getByRole("status"), /Your practice requires two-factor sign-in/);
    expect(await page.getByRole("tab").allInnerTexts()).toEqual(["Two-factor (MFA)"]);

    await page.getByRole("button", { name: "Set up two-factor sign-in" }).click();
    const qr = await visible(page.getByRole("img", { name: "QR image for your authenticator app" }));
    expect((await qr.locator("path").getAttribute("d"))?.length).toBeGreaterThan(500);
    // The button that led here is gone: the focus is in the new step, on its code field.
    const focused = () => page.evaluate(() => document.activeElement?.id ?? "");
    await expect.poll(focused).toBe("totp-code");
    // The key's text is the key itself (grouped by spacing, not by spaces), as an outside script
    // or a copy reads it.
    const secret = (await page.locator(".totp-secret").textContent()) ?? "";
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    // As it is rendered and selected too: one piece, not a line per group of four.
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what is tested.
    expect(await page.locator(".totp-secret").innerText()).toBe(secret);
    const box = await page.locator(".totp-secret").boundingBox();
    expect(box?.height).toBeLessThan(40);
    await page.getByRole("button", { name: "Copy key" }).click();
    await hasText(page.getByRole("status").filter({ hasText: "Copied" }), "Copied the key.");
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    await shot(page, "profile-mfa");

    const code = page.getByLabel("Code from your app");
    expect(await code.getAttribute("autocomplete")).toBe("one-time-code");
    const step = Math.floor(Date.now() / 30_000);
    const wrong = codeAt(secret, step + 10);
    await code.fill(wrong);
    await page.getByRole("button", { name: "Confirm" }).click();
    await visible(page.getByText(/That code is not right/));
    // As at sign-in's code step: the focus goes to the field to retype, which reads its error.
    await expect.poll(focused).toBe("totp-code");
    expect(await code.getAttribute("aria-invalid")).toBe("true");
    const describedBy = (await code.getAttribute("aria-describedby")) ?? "";
    const described = await page.evaluate(
      (ids) => ids.map((id) => document.getElementById(id)?.textContent ?? "").join(" "),
      describedBy.split(" "),
    );
    expect(described).toMatch(/That code is not right/);
    await code.fill(codeAt(secret, step));
    await page.getByRole("button", { name: "Confirm" }).click();

    const codes = page.getByRole("list", { name: "Recovery codes" }).getByRole("listitem");
    await expect.poll(() => codes.count()).toBe(10);
    await expect.poll(focused).toBe("recovery-codes-title");
    // Enrolled: the frame no longer says enrolment is due above the codes that say it is on.
    await expect.poll(() => page.getByText(/Your practice requires two-factor sign-in/).count()).toBe(0);
    await hasText(page.getByRole("status").filter({ hasText: "is on" }), "Two-factor sign-in is on.");
    await page.getByRole("button", { name: "Copy" }).click();
    await hasText(page.getByText(/Copied the recovery codes/), "Copied the recovery codes.");
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied.split("\n")).toEqual(await codes.allInnerTexts());
    await shot(page, "profile-mfa-recovery-codes");

    await page.getByRole("button", { name: "Continue" }).click();
    await visible(page.getByRole("heading", { name: "Users" }));
    await hasText(page.getByRole("status"), "Two-factor sign-in is on.");
    expect((await practice.admin.users.get(user.id)).mfaEnrolled).toBe(true);

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByLabel("Practice").fill(practice.slug);
    await page.getByLabel("Username or email").fill("tess");
    await page.getByLabel("Password", { exact: true }).fill(FIRST);
    await page.getByRole("button", { name: "Sign in" }).click();
    // The confirmation used this step's code; a later step's is the next one accepted.
    await page.getByLabel("Authentication code").fill(codeAt(secret, step + 1));
    await page.getByRole("button", { name: "Sign in" }).click();
    await visible(page.getByRole("heading", { name: "Users" }));

    // The practice requires it, so it cannot be turned off: the page says so and offers no button.
    await openTab(page, "Two-factor");
    await visible(page.getByText(/requires two-factor sign-in for your account, so it cannot be turned off/));
    expect(await page.getByRole("button", { name: "Turn off two-factor sign-in" }).count()).toBe(0);
    // Once the practice stops requiring it, the button is back (after the next read of /auth/me).
    await practice.admin.settings.update({ mfaRequired: "off" });
    await page.reload();
    await openTab(page, "Two-factor");
    await visible(page.getByRole("button", { name: "Turn off two-factor sign-in" }));

    // Recovery codes: how many are left, and a new set with the password (the old ones void).
    await hasText(page.getByText(/recovery codes left/), "10 recovery codes left.");
    await page.getByRole("button", { name: "New recovery codes…" }).click();
    const dialog = page.getByRole("dialog", { name: "New recovery codes" });
    await dialog.getByLabel("Password").fill(`${FIRST}-wrong`);
    await dialog.getByRole("button", { name: "Make new codes" }).click();
    await visible(dialog.getByText("That is not your password."));
    await dialog.getByLabel("Password").fill(FIRST);
    await dialog.getByRole("button", { name: "Make new codes" }).click();
    await hasText(page.getByRole("status"), /New recovery codes: the earlier ones no longer work/);
    const fresh = await codes.allInnerTexts();
    expect(fresh).toHaveLength(10);
    expect(fresh.some((c) => copied.split("\n").includes(c))).toBe(false);
    // Codes shown once outlast a look at another tab.
    await page.getByRole("tab", { name: "Password" }).click();
    await page.getByRole("tab", { name: "Two-factor" }).click();
    expect(await codes.allInnerTexts()).toEqual(fresh);
    await page.getByRole("button", { name: "Done" }).click();
    await hasText(page.getByText(/recovery codes left/), "10 recovery codes left.");
  });
  it("names each End session button apart, even for sessions from one browser in the same minute", async () => {
    const user = await createStaff(tenant, "sia", FIRST);
    for (let i = 0; i < 2; i++)
      await e.api.auth.login({ tenant: tenant.slug, login: "sia", password: FIRST });
    // Signed in seconds apart (written into the sessions: the server's clock is real).
    const [first] = await e.app.core.deps.db.allTenants
      .selectFrom("sessions")
      .select(["id", "created_at"])
      .where("user_id", "=", user.id)
      .orderBy("created_at")
      .execute();
    await e.app.core.deps.db.allTenants
      .updateTable("sessions")
      .set({ created_at: new Date(Date.parse(first!.created_at) - 5_000).toISOString() })
      .where("id", "=", first!.id)
      .execute();
    const page = await signedIn({ login: "sia", password: FIRST });
    await openTab(page, "Sessions");
    const buttons = page.getByRole("button", { name: /^End session/ });
    await expect.poll(() => buttons.count()).toBe(2);
    const names = await buttons.evaluateAll((bs) =>
      bs.map((b) => b.textContent?.replace(/\s+/g, " ").trim()),
    );
    expect(new Set(names).size).toBe(2);
    for (const name of names) expect(name).toMatch(/^End session of .+, signed in .*\d:\d\d:\d\d/);
  });

  it("asks for the password before ending another session, long after signing in", async () => {
    const user = await createStaff(tenant, "ivo", FIRST);
    await e.api.auth.login({ tenant: tenant.slug, login: "ivo", password: FIRST });
    const page = await signedIn({ login: "ivo", password: FIRST });
    await openTab(page, "Sessions");
    // Every sign-in of Ivo's was eleven minutes ago (written into the sessions: the server's clock is real).
    await e.app.core.deps.db.allTenants
      .updateTable("sessions")
      .set({ created_at: new Date(Date.now() - 11 * 60_000).toISOString() })
      .where("user_id", "=", user.id)
      .execute();
    await page.getByRole("button", { name: /^End session/ }).click();
    await page
      .getByRole("dialog", { name: "End session" })
      .getByRole("button", { name: "End session" })
      .click();
    const dialog = page.getByRole("dialog", { name: "End session" });
    await visible(dialog.getByText(/You signed in a while ago/));
    await dialog.getByLabel("Password").fill(FIRST);
    await dialog.getByRole("button", { name: "End session" }).click();
    await hasText(page.getByRole("status"), "The session was ended: that browser must sign in again.");
    await expect.poll(() => page.getByRole("button", { name: /^End session/ }).count()).toBe(0);
  });

  it("asks for the password before setting up two-factor sign-in, long after signing in", async () => {
    const user = await createStaff(tenant, "otto", FIRST);
    const page = await signedIn({ login: "otto", password: FIRST });
    await openTab(page, "Two-factor (MFA)");
    // The sign-in was eleven minutes ago (written into the session, the server's clock being real).
    const eleven = new Date(Date.now() - 11 * 60_000).toISOString();
    await e.app.core.deps.db.allTenants
      .updateTable("sessions")
      .set({ created_at: eleven })
      .where("user_id", "=", user.id)
      .execute();
    await page.getByRole("button", { name: "Set up two-factor sign-in" }).click();
    const dialog = page.getByRole("dialog", { name: "Set up two-factor sign-in" });
    await visible(dialog.getByText(/You signed in a while ago/));
    // Found from the page, as a test might: the Profile's "Password" tab panel is not a second match.
    await page.getByLabel("Password", { exact: true }).fill("not my password at all");
    await dialog.getByRole("button", { name: "Continue" }).click();
    await hasText(
      dialog.locator(".field", { has: page.getByLabel("Password") }).locator(".field-error"),
      "That is not your password.",
    );
    await dialog.getByLabel("Password").fill(FIRST);
    await dialog.getByRole("button", { name: "Continue" }).click();
    await visible(page.getByRole("img", { name: "QR image for your authenticator app" }));
    expect(await dialog.count()).toBe(0);
  });
});
