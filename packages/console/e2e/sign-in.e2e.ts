/** W1 sign-in: the console is served at `/`, signs in with the cookie session, signs out. */
import { describe, expect, it } from "vitest";
import { hasText, shot, useE2e, visible } from "./harness.ts";

describe("sign-in", () => {
  const { e, tenant, signedIn } = useE2e();

  it("opens the sign-in page for any console path and refuses a wrong password in words", async () => {
    const page = await e.newPage();
    await page.goto("/users");
    await visible(page.getByRole("heading", { name: "Sign in to Staffgate" }));
    expect(await page.getByLabel("Password", { exact: true }).getAttribute("autocomplete")).toBe(
      "current-password",
    );
    await shot(page, "sign-in");
    await page.getByLabel("Tenant").fill(tenant.slug);
    await page.getByLabel("Username or email").fill("admin");
    await page.getByLabel("Password", { exact: true }).fill("not the password at all");
    await page.getByRole("button", { name: "Sign in" }).click();
    await hasText(page.getByRole("alert"), "The tenant, username or password is not right.");
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
});
