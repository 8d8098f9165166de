/**
 * Automatic logoff on Playwright's fake clock (no real waiting): input renews the idle clock, a
 * warning with a countdown comes a minute before the limit, "Stay signed in" renews it, and at the
 * limit the console signs out (the server's session ends) and says why.
 */

import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { gone, hasText, shot, signInWithPage, useE2e, visible } from "./harness.ts";

/** Lets the page finish what the last timers started (React renders in a later task). */
async function settle(page: Page): Promise<void> {
  await page.evaluate(
    () =>
      new Promise((resolve) => {
        const channel = new MessageChannel();
        channel.port1.onmessage = () => resolve(null);
        channel.port2.postMessage(null);
      }),
  );
}

describe("idle timeout", () => {
  const { e, tenant, signedIn } = useE2e();

  /** A new practice whose idle limit is one minute, its administrator signed in on a page with a fake clock. */
  async function signedInWithOneMinuteLimit(): Promise<Page> {
    const practice = await e.createTenant();
    await practice.admin.settings.update({ idleTimeoutMinutes: 1 });
    const page = await e.newPage();
    await page.clock.install();
    await signInWithPage(page, practice, practice.adminUsername, practice.adminPassword);
    await visible(page.getByRole("heading", { name: "Users" }));
    return page;
  }

  it("warns a minute before the limit, stays signed in on request, and signs out at the limit", async () => {
    const me = await tenant.admin.auth.me();
    expect(me.session?.idleTimeoutSeconds).toBe(15 * 60);
    const page = await signedIn({ form: true, prepare: (p) => p.clock.install() });
    await visible(page.getByRole("heading", { name: "Users" }));
    const warning = page.getByRole("dialog", { name: "You will be signed out soon" });
    // The page's own first requests answered before the clock jumps: one still in flight would
    // count as activity after the jump, and the click below would then renew nothing (a loaded
    // CI run once waited 30 s for that renewal).
    await page.waitForLoadState("networkidle");

    // A click after five quiet minutes reaches the server (GET /auth/me) and restarts the count.
    await page.clock.fastForward("05:00");
    const renewed = page.waitForResponse((r) => r.url().endsWith("/api/v1/auth/me") && r.ok());
    await page.mouse.click(900, 600);
    await renewed;
    await page.clock.fastForward("09:30");
    await settle(page);
    expect(await warning.count()).toBe(0);

    await page.clock.fastForward("04:45");
    await visible(warning);
    // The warning is modal: the page's own "Sign out" is hidden behind it, so the name finds one.
    await expect.poll(() => page.getByRole("button", { name: "Sign out" }).count()).toBe(1);
    expect(await warning.getByRole("button", { name: "Sign out" }).count()).toBe(1);
    const countdown = warning.getByRole("timer");
    const before = await countdown.textContent();
    expect(before).toMatch(/^0:[3-5]\d$/);
    await page.clock.runFor(3000);
    await expect.poll(() => countdown.textContent()).not.toBe(before);
    await shot(page, "idle-warning");

    await warning.getByRole("button", { name: "Stay signed in" }).click();
    await gone(warning);
    await visible(page.getByRole("banner").getByRole("button", { name: "Sign out" }));
    await page.clock.fastForward("13:00");
    await settle(page);
    expect(await warning.count()).toBe(0);

    await page.clock.fastForward("02:00");
    await visible(page.getByRole("heading", { name: "Sign in to Staffgate" }));
    await hasText(page.getByRole("status"), "You were signed out after 15 minutes without activity.");
    expect(new URL(page.url()).pathname).toBe("/sign-in");
    // The console ended the session on the server, not only in the page.
    expect((await page.request.get("/api/v1/auth/me")).status()).toBe(401);
  });

  it("with a one-minute limit, warns at half of it, not from the start", async () => {
    const page = await signedInWithOneMinuteLimit();
    const warning = page.getByRole("dialog", { name: "You will be signed out soon" });
    await page.clock.fastForward("00:20");
    await settle(page);
    expect(await warning.count()).toBe(0);
    await page.clock.fastForward("00:15");
    await visible(warning);
    expect(await warning.getByRole("timer").textContent()).toMatch(/^0:(1\d|2\d)$/);
  });

  it("follows a limit lowered on Settings in the same tab: warns at half of it and signs out at it", async () => {
    const practice = await e.createTenant();
    const page = await e.newPage();
    await page.clock.install();
    await signInWithPage(page, practice, practice.adminUsername, practice.adminPassword);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" }).click();
    const idle = page.getByLabel("Idle timeout (minutes)");
    await expect.poll(() => idle.inputValue()).toBe("15");
    await idle.fill("1");
    await page.getByRole("button", { name: "Save All" }).click();
    await hasText(page.getByRole("status"), "Saved 1 change to the security settings.");
    await page.waitForLoadState("networkidle");

    const warning = page.getByRole("dialog", { name: "You will be signed out soon" });
    // The clicks that saved are a use the server may not have counted (within its recording step of
    // the last one it did): the console sends one once a call certainly counts, and counts from it.
    const owed = page.waitForResponse((r) => r.url().endsWith("/api/v1/auth/me") && r.ok());
    await page.clock.fastForward("00:20");
    await owed;
    await settle(page);
    expect(await warning.count()).toBe(0);
    await page.clock.fastForward("00:15");
    await settle(page);
    expect(await warning.count()).toBe(0);
    await page.clock.fastForward("00:20");
    await visible(warning);
    await page.clock.fastForward("00:30");
    await visible(page.getByRole("heading", { name: "Sign in to Staffgate" }));
    await hasText(page.getByRole("status"), "You were signed out after 1 minute without activity.");
    expect((await page.request.get("/api/v1/auth/me")).status()).toBe(401);
  });

  it("with a one-minute limit, does not warn after a page load while the person keeps typing", async () => {
    const page = await signedInWithOneMinuteLimit();
    // A page load: the session found, its last recorded use perhaps a recording step old.
    await page.reload();
    await visible(page.getByRole("heading", { name: "Users" }));
    await page.waitForLoadState("networkidle");
    const warning = page.getByRole("dialog", { name: "You will be signed out soon" });
    // Typing and scrolling for a minute and a half: it warned 13 s after the load (browser audit).
    for (let second = 0; second < 90; second += 2) {
      await page.keyboard.press("Shift");
      await page.mouse.wheel(0, 40);
      await page.clock.runFor(2000);
      await settle(page);
      expect(await warning.count(), `warned ${second + 2} s after the load`).toBe(0);
    }
    // Then quiet: the last use is sent once it certainly counts, and the warning comes half the
    // limit after that call (when exactly depends on the server's answers, in real time), the
    // sign-out at the limit.
    for (let quiet = 0; quiet < 60_000 && (await warning.count()) === 0; quiet += 5000) {
      await page.clock.runFor(5000);
      await settle(page);
    }
    await visible(warning);
    await page.clock.runFor(60_000);
    await visible(page.getByRole("heading", { name: "Sign in to Staffgate" }));
  });

  it("signs out from the warning at once", async () => {
    const page = await signedIn({ form: true, prepare: (p) => p.clock.install() });
    await page.clock.fastForward("14:30");
    const warning = page.getByRole("dialog", { name: "You will be signed out soon" });
    await warning.getByRole("button", { name: "Sign out" }).click();
    await visible(page.getByRole("heading", { name: "Sign in to Staffgate" }));
    expect(await page.getByRole("status").count()).toBe(0);
    expect((await page.request.get("/api/v1/auth/me")).status()).toBe(401);
  });
});
