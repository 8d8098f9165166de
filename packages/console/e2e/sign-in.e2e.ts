/** W1 sign-in: the console is served at `/`, signs in with the cookie session, signs out. */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { hasText, shot, useE2e, visible } from "./harness.ts";

/** Every `GET /api/v1/auth/me` the page sends, and every error it logs (a failed load included). */
function watch(page: Page): { me: () => number; errors: string[] } {
  let me = 0;
  const errors: string[] = [];
  page.on("request", (r) => {
    if (new URL(r.url()).pathname === "/api/v1/auth/me") me += 1;
  });
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  return { me: () => me, errors };
}

/** What has the keyboard focus: its accessible label or name attribute, or the tag ("body"). */
const focused = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    return el?.getAttribute("name") ?? el?.getAttribute("role") ?? el?.tagName.toLowerCase() ?? null;
  });

/** The refusal keeps one text for every wrong credential, and says what repeated ones lead to. */
const REFUSED =
  "The tenant, username or password is not right. After several wrong attempts an account is locked for a while; Forgot Password sets a new password and unlocks it.";

describe("sign-in", () => {
  const { e, tenant, signedIn } = useE2e();

  it("starts in the Practice field, and keeps the focus in the form after a refused password and Enter", async () => {
    const page = await e.newPage();
    await page.goto("/sign-in");
    await visible(page.getByRole("heading", { name: "Sign in to Staffgate" }));
    await expect.poll(() => focused(page)).toBe("tenant");
    // Typed straight away: the first keys land in Practice, whose hint says which name it wants.
    await page.keyboard.type(tenant.slug);
    const practice = page.getByLabel("Tenant/Practice Name", { exact: true });
    expect(await practice.inputValue()).toBe(tenant.slug);
    const hint = (await practice.getAttribute("aria-describedby")) ?? "";
    await hasText(page.locator(`[id="${hint}"]`), "Your practice’s short name, as in your invitation email");
    // The words of PRODUCT.md and of Prevounce's form find it too.
    expect(await page.getByLabel("Tenant").getAttribute("name")).toBe("tenant");

    // Enter on the focused Sign in button: the busy button must not drop the focus to the page.
    await page.getByLabel("Username or email").fill("admin");
    await page.getByLabel("Password", { exact: true }).fill("not the password at all");
    await page.getByRole("button", { name: "Sign in" }).focus();
    await page.keyboard.press("Enter");
    await hasText(page.getByRole("alert"), REFUSED);
    await expect.poll(() => focused(page)).toBe("password");

    // Enter in the password field: the same (the refused password is cleared, so it is typed anew).
    await page.getByLabel("Password", { exact: true }).fill("still not the password");
    await page.keyboard.press("Enter");
    await hasText(page.getByRole("alert"), REFUSED);
    await expect.poll(() => focused(page)).toBe("password");
    expect(await page.evaluate(() => document.activeElement?.closest("form") !== null)).toBe(true);

    // An empty field is said beside it, and the focus goes there.
    await page.getByLabel("Username or email").fill("");
    await page.keyboard.press("Enter");
    await expect.poll(() => focused(page)).toBe("login");
  });

  it("clears a refused password but keeps practice and username, and carries the practice to Forgot password", async () => {
    const page = await e.newPage();
    await page.goto("/sign-in");
    await page.getByLabel("Tenant/Practice Name", { exact: true }).fill(tenant.slug);
    await page.getByLabel("Username or email").fill("admin");
    const password = page.getByLabel("Password", { exact: true });
    await password.fill("not the password at all");
    await page.getByRole("button", { name: "Sign in" }).click();
    await hasText(page.getByRole("alert"), REFUSED);
    await expect.poll(() => password.inputValue()).toBe("");
    expect(await page.getByLabel("Tenant/Practice Name", { exact: true }).inputValue()).toBe(tenant.slug);
    expect(await page.getByLabel("Username or email").inputValue()).toBe("admin");

    await page.getByRole("link", { name: "Forgot Password" }).click();
    await visible(page.getByRole("heading", { name: "Forgot Password" }));
    expect(await page.getByLabel("Tenant/Practice Name", { exact: true }).inputValue()).toBe(tenant.slug);
  });

  it("puts the focus on the page's main heading after signing in", async () => {
    const page = await signedIn({ form: true });
    await visible(page.getByRole("heading", { name: "Users", level: 1 }));
    await expect
      .poll(() =>
        page.evaluate(() => `${document.activeElement?.tagName} ${document.activeElement?.textContent}`),
      )
      .toBe("H1 Users");
  });

  it("names each page in the browser's title", async () => {
    const page = await e.newPage();
    await page.goto("/sign-in");
    await visible(page.getByRole("heading", { name: "Sign in to Staffgate" }));
    await expect.poll(() => page.title()).toBe("Sign in — Staffgate");
    await page.getByRole("link", { name: "Forgot Password" }).click();
    await expect.poll(() => page.title()).toBe("Forgot Password — Staffgate");

    const admin = await signedIn();
    await expect.poll(() => admin.title()).toBe("Users — Staffgate");
    const nav = admin.getByRole("navigation", { name: "Main" });
    for (const name of ["Roles", "Audit Logs", "Settings", "Profile"]) {
      await nav.getByRole("link", { name, exact: true }).click();
      await expect.poll(() => admin.title()).toBe(`${name} — Staffgate`);
    }
    await admin.goto("/no-such-page");
    await visible(admin.getByRole("heading", { name: "Page not found" }));
    await expect.poll(() => admin.title()).toBe("Not found — Staffgate");
  });

  it("opens the sign-in page for any console path and refuses a wrong password in words", async () => {
    const page = await e.newPage();
    await page.goto("/users");
    await visible(page.getByRole("heading", { name: "Sign in to Staffgate" }));
    expect(await page.getByLabel("Password", { exact: true }).getAttribute("autocomplete")).toBe(
      "current-password",
    );
    await shot(page, "sign-in");
    await page.getByLabel("Practice").fill(tenant.slug);
    await page.getByLabel("Username or email").fill("admin");
    await page.getByLabel("Password", { exact: true }).fill("not the password at all");
    await page.getByRole("button", { name: "Sign in" }).click();
    await hasText(page.getByRole("alert"), REFUSED);
  });

  it("signs in with the cookie session, keeps no token in script storage, and signs out", async () => {
    const page = await signedIn();
    await visible(page.getByRole("heading", { name: "Users" }));
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));
    expect(stored).toBe("{}");
    // The session cookie is HttpOnly: script cannot read it.
    const readable = await page.evaluate(() => document.cookie);
    expect(readable).not.toContain("__Host-staffgate_session");
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === "__Host-staffgate_session");
    expect(session?.httpOnly).toBe(true);
    await page.reload();
    await visible(page.getByRole("heading", { name: "Users" }));
    await page.getByRole("button", { name: "Sign out" }).click();
    await visible(page.getByRole("heading", { name: "Sign in to Staffgate" }));
    await page.goto("/users");
    await visible(page.getByRole("heading", { name: "Sign in to Staffgate" }));
  });

  it("does not ask for a session the browser cannot have, and asks at most once for one it may", async () => {
    // No session cookie: the sign-in page (and any page that leads to it) sends no /auth/me.
    const page = await e.newPage();
    const seen = watch(page);
    for (const path of ["/sign-in", "/users", "/"]) {
      await page.goto(path);
      await visible(page.getByRole("heading", { name: "Sign in to Staffgate" }));
    }
    await page.waitForTimeout(300);
    expect(seen.me()).toBe(0);
    expect(seen.errors).toEqual([]);

    // A stale CSRF cookie (its session gone): one request, answered 401, then the sign-in page.
    await page.evaluate(() => {
      // biome-ignore lint/suspicious/noDocumentCookie: a fixed test value, set as a page's script would.
      document.cookie = "__Host-staffgate_csrf=stale-token; Path=/; Secure; SameSite=Strict";
    });
    await page.reload();
    await visible(page.getByRole("heading", { name: "Sign in to Staffgate" }));
    await page.waitForTimeout(300);
    expect(seen.me()).toBe(1);

    // Signed in and out again: the sign-out clears the cookies, so the next load does not ask.
    const out = await signedIn();
    const after = watch(out);
    await out.getByRole("button", { name: "Sign out" }).click();
    await visible(out.getByRole("heading", { name: "Sign in to Staffgate" }));
    await out.reload();
    await visible(out.getByRole("heading", { name: "Sign in to Staffgate" }));
    await out.waitForTimeout(300);
    expect(after.me()).toBe(0);
    expect(after.errors).toEqual([]);
  });
});
