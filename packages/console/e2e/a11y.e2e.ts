/**
 * Accessibility, WCAG 2.1 AA as axe-core measures it and as the keyboard meets it: every console
 * page in its main states has no axe violation (at desktop width, and on a phone with the menu
 * open); each dialog starts on its first field, keeps Tab inside, closes on Escape and gives the
 * focus back to what opened it; Tab reaches the navigation; every control Tab reaches shows a
 * focus ring that stands out from what is behind it; every signed-in page starts with a "Skip to
 * content" link; the effective-permissions grid tells its focused cell from its selected one.
 */
import type { Locator, Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { accessible } from "./axe.ts";
import { dialogKeys, focusedStop, pressOn, tabStops } from "./focus.ts";
import { gone, shot, useE2e, visible } from "./harness.ts";
import { openElevation, type Seeded, STAFF_PASSWORD, seedClinic, totpNow } from "./users-seed.ts";

/** Meets the password policy; the reset and invitation pages are sent it. */
const NEW_PASSWORD = "Heron-quarry-6142-saffron";
const PATIENT = "PAT-1001";

/** Goes to `path` and waits for its heading and for what loads to have loaded. */
async function open(page: Page, path: string, heading: string): Promise<void> {
  await page.goto(path);
  await visible(page.getByRole("heading", { name: heading, level: 1 }));
  await gone(page.locator('[aria-busy="true"]'));
}

const dialogNamed = (page: Page, name: string | RegExp) => page.getByRole("dialog", { name });

async function closeDialog(page: Page, dialog: Locator): Promise<void> {
  await page.keyboard.press("Escape");
  await gone(dialog);
}

describe("accessibility", () => {
  const { e, tenant, signedIn } = useE2e({ name: "Riverside Radiotherapy" });
  let s: Seeded;
  beforeAll(async () => {
    s = await seedClinic(e, tenant);
    // Data for every table to have rows: a patient's grants, an open emergency access, a token.
    await tenant.admin.patientAccess.created(PATIENT, { userId: s.user("praman") });
    await tenant.admin.patientAccess.grant(PATIENT, {
      userId: s.user("therrera"),
      workspaceId: s.workspaces.planning,
      reason: "Covering the planning clinic this week",
    });
    await openElevation(e, tenant);
    await tenant.admin.apiTokens.create({ name: "Scheduling system", roleId: s.role("Viewer") });
  });

  it("has no violation on sign-in, its refusals, forgot password and the emailed links", async () => {
    const page = await e.newPage();
    await page.goto("/sign-in");
    await visible(page.getByRole("heading", { name: "Sign in to Staffgate" }));
    await accessible(page, "sign-in");
    await page.getByRole("button", { name: "Sign in" }).click();
    await visible(page.getByText("Enter your practice."));
    await accessible(page, "sign-in, empty fields said");
    await page.getByLabel("Practice").fill(tenant.slug);
    await page.getByLabel("Username or email").fill("admin");
    await page.getByLabel("Password", { exact: true }).fill("not the password at all");
    await page.getByRole("button", { name: "Sign in" }).click();
    await visible(page.getByRole("alert"));
    await accessible(page, "sign-in refused");

    await page.getByRole("link", { name: "Forgot password?" }).click();
    await visible(page.getByRole("heading", { name: "Forgot password" }));
    await accessible(page, "forgot password");
    // The practice came along from the sign-in page; emptied, so that the refusal is said.
    await page.getByLabel("Practice").fill("");
    await page.getByRole("button", { name: "Send reset link" }).click();
    await visible(page.getByText("Enter your practice."));
    await accessible(page, "forgot password, empty fields said");
    await page.getByLabel("Practice").fill(tenant.slug);
    await page.getByLabel("Email").fill("praman@riverside-rt.example");
    await page.getByRole("button", { name: "Send reset link" }).click();
    await visible(page.getByRole("status"));
    await accessible(page, "forgot password, sent");

    await page.goto(await e.emailLink("praman@riverside-rt.example", "auth.password.reset_link"));
    await visible(page.getByRole("heading", { name: "Reset password" }));
    await accessible(page, "reset password");
    await page.getByLabel("New password", { exact: true }).fill("short");
    await page.getByLabel("Confirm password").fill("short");
    await page.getByRole("button", { name: "Reset password" }).click();
    await visible(page.locator(".field-error").first());
    await accessible(page, "reset password, a refused password said");
    await linkRefused(page, "/reset-password", "Reset password");
    await accessible(page, "reset password, link refused");
    await page.goto("/reset-password");
    await visible(page.getByRole("alert"));
    await accessible(page, "reset password without a token");

    await page.goto(await e.emailLink("aokafor@riverside-rt.example", "user.invitation"));
    await visible(page.getByRole("heading", { name: "Accept invitation" }));
    await accessible(page, "accept invitation");
    await linkRefused(page, "/accept-invitation", "Set password");
    await accessible(page, "accept invitation, link refused");
  });

  it("has no violation on the sign-in code step, nor with a wrong code said", async () => {
    const { token } = await e.api.auth.login({
      tenant: tenant.slug,
      login: "jbecker",
      password: STAFF_PASSWORD,
    });
    const own = e.api.withToken(token);
    const { secret } = await own.mfa.startTotp();
    await own.mfa.confirmTotp(totpNow(secret));

    const page = await e.newPage();
    await page.goto("/sign-in");
    await page.getByLabel("Practice").fill(tenant.slug);
    await page.getByLabel("Username or email").fill("jbecker");
    await page.getByLabel("Password", { exact: true }).fill(STAFF_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    const code = await visible(page.getByLabel("Authentication code"));
    await accessible(page, "sign-in code step");
    await code.fill("000000");
    await page.getByRole("button", { name: "Sign in" }).click();
    await visible(page.getByText(/That code is not right/));
    await accessible(page, "sign-in code step, wrong code said");
  });

  it("has no violation on Users: the list, its Actions menu, the user dialogs and permission pages", async () => {
    const page = await signedIn();
    await visible(page.getByRole("table", { name: "Users" }));
    await accessible(page, "users list");

    await page.getByRole("button", { name: "Actions for Priya Raman" }).click();
    await visible(page.getByRole("menu"));
    await accessible(page, "users list, Actions menu open");
    await page.keyboard.press("Escape");
    await gone(page.getByRole("menu"));

    await page.getByRole("button", { name: "Create New User" }).click();
    const create = dialogNamed(page, "Create New User");
    await visible(create.getByRole("tab", { name: "User information" }));
    await accessible(page, "create user, User information");
    await create.getByRole("button", { name: "Save" }).click();
    await visible(create.locator(".field-error").first());
    await accessible(page, "create user, empty fields said");
    await create.getByRole("tab", { name: /^Roles/ }).click();
    await visible(create.getByLabel("Role", { exact: true }));
    await accessible(page, "create user, Roles");
    await closeDialog(page, create);

    await page.getByRole("button", { name: "Actions for Jonas Becker" }).click();
    await page.getByRole("menuitem", { name: "Edit", exact: true }).click();
    const edit = page.getByRole("dialog");
    await visible(edit.getByLabel("Last name"));
    await accessible(page, "edit user");
    await closeDialog(page, edit);

    await page.getByRole("button", { name: "Actions for Priya Raman" }).click();
    await page.getByRole("menuitem", { name: "Deactivate", exact: true }).click();
    await visible(page.getByRole("dialog"));
    await accessible(page, "a confirmation (deactivate)");
    await closeDialog(page, page.getByRole("dialog"));

    await page.getByRole("button", { name: "Import CSV…" }).click();
    await visible(page.getByRole("dialog"));
    await accessible(page, "import CSV");
    await closeDialog(page, page.getByRole("dialog"));

    await page.getByLabel("Search users").fill("no such person");
    await visible(page.getByText("No users match these filters."));
    await accessible(page, "users list, nothing matches");

    await open(page, `/users/${s.user("jbecker")}/permissions`, "Edit Permissions");
    await accessible(page, "a user's permissions");
    await open(page, `/users/${s.user("jbecker")}/effective-permissions`, "Effective permissions");
    await visible(page.getByRole("grid", { name: "Effective permissions by tenant and workspace" }));
    await page.locator(".effective-cell").first().click();
    await visible(page.getByRole("heading", { name: "Explanation" }));
    await accessible(page, "a user's effective permissions, one explained");
  });

  it("has no violation on Roles and the role editor's tabs", async () => {
    const page = await signedIn();
    await open(page, "/roles", "Roles");
    await accessible(page, "roles list");
    for (const opener of ["Create New Role", "Edit Physicist", "View Administrator"]) {
      await page.getByRole("button", { name: opener }).click();
      const dialog = page.getByRole("dialog");
      await visible(dialog.getByRole("tab", { name: "Role Properties" }));
      await accessible(page, `${opener}, Role Properties`);
      await dialog.getByRole("tab", { name: /^Permissions/ }).click();
      await visible(dialog.getByRole("group", { name: "Tenant level" }));
      await accessible(page, `${opener}, Permissions`);
      if (opener === "Create New Role") {
        await dialog.getByLabel("Workspace", { exact: true }).selectOption({ label: "Planning" });
        await dialog.getByRole("button", { name: "Add", exact: true }).click();
        await visible(dialog.getByRole("group", { name: "Planning" }));
        await accessible(page, `${opener}, Permissions with a workspace row`);
        // Changed now: Escape asks before discarding the new role, and is told to.
        page.once("dialog", (d) => void d.accept());
      }
      await closeDialog(page, dialog);
    }
  });

  it("has no violation on Workspaces, Patient access, Emergency access and API tokens", async () => {
    const page = await signedIn();
    await open(page, "/workspaces", "Workspaces");
    await accessible(page, "workspaces");
    await page.getByRole("button", { name: "Create Workspace" }).click();
    await visible(dialogNamed(page, /Workspace/));
    await accessible(page, "create workspace");
    await closeDialog(page, page.getByRole("dialog"));

    await open(page, "/patient-access", "Patient access");
    await accessible(page, "patient access, no patient");
    await open(page, `/patient-access?patient=${PATIENT}`, "Patient access");
    await visible(page.getByRole("heading", { name: `Granted access to patient ${PATIENT}` }));
    await visible(page.getByRole("heading", { name: "Who can read this patient" }));
    await gone(page.locator('[aria-busy="true"]'));
    await accessible(page, "patient access, a patient's grants");
    await page.getByRole("button", { name: "Grant access" }).click();
    await visible(dialogNamed(page, "Grant access").getByRole("radio").first());
    await accessible(page, "grant access");
    await closeDialog(page, page.getByRole("dialog"));

    await open(page, "/emergency-access", "Emergency access");
    await visible(page.getByRole("button", { name: "End now for Cal Clinician" }));
    await accessible(page, "emergency access");
    await page.getByRole("button", { name: "Open emergency access" }).click();
    await visible(dialogNamed(page, "Open emergency access"));
    await accessible(page, "open emergency access");
    await closeDialog(page, page.getByRole("dialog"));
    await page
      .getByRole("button", { name: /^Review/ })
      .first()
      .click();
    await visible(page.getByRole("dialog"));
    await accessible(page, "review emergency access");
    await closeDialog(page, page.getByRole("dialog"));

    await open(page, "/api-tokens", "API tokens");
    await visible(page.getByRole("button", { name: "Revoke Scheduling system" }));
    await accessible(page, "API tokens");
    await page.getByRole("button", { name: "Create API token" }).click();
    await visible(page.getByRole("dialog"));
    await accessible(page, "create API token");
    const form = page.getByRole("dialog");
    await form.getByLabel("Name").fill("Lab interface");
    await form.getByLabel("Role").selectOption({ label: "Viewer" });
    await form.getByRole("button", { name: "Create" }).click();
    await visible(page.getByRole("button", { name: "Copy" }));
    await accessible(page, "API token created, shown once");
    await page.getByRole("button", { name: "Done" }).click();
  });

  it("has no violation on Audit log (a detail open), Settings and Outbox", async () => {
    const page = await signedIn();
    await open(page, "/audit", "Audit log");
    await visible(page.getByRole("table", { name: "Audit events, newest first" }));
    await accessible(page, "audit log");
    await page.locator("details.audit-advanced summary").click();
    await accessible(page, "audit log, every filter shown");
    await page
      .getByRole("button", { name: /^Details of event/ })
      .first()
      .click();
    await visible(dialogNamed(page, /^Audit event/));
    await accessible(page, "audit event detail");
    await closeDialog(page, page.getByRole("dialog"));

    await open(page, "/settings", "Settings");
    await visible(page.getByRole("button", { name: "Save All" }));
    await accessible(page, "settings");

    await open(page, "/outbox", "Outbox");
    await accessible(page, "outbox");
  });

  it("has no violation on Profile: password, two-factor and its set-up, sessions", async () => {
    const page = await signedIn();
    await open(page, "/profile", "Profile");
    await accessible(page, "profile, Password");
    await page.getByRole("button", { name: "Save" }).click();
    await visible(page.locator(".field-error").first());
    await accessible(page, "profile, Password, empty fields said");
    await page.getByRole("tab", { name: "Two-factor" }).click();
    await accessible(page, "profile, Two-factor");
    await page.getByRole("button", { name: "Set up two-factor sign-in" }).click();
    await visible(page.getByRole("img", { name: "QR code for your authenticator app" }));
    await accessible(page, "profile, two-factor set-up");
    await page.getByRole("button", { name: "Cancel" }).click();
    await page.getByRole("tab", { name: "Sessions" }).click();
    await visible(page.getByRole("table", { name: "Your sessions" }));
    await accessible(page, "profile, Sessions");
  });

  it("has no violation on a phone, with the menu open and in the pages whose tables scroll", async () => {
    const page = await signedIn();
    await page.setViewportSize({ width: 390, height: 844 });
    await visible(page.getByRole("table", { name: "Users" }));
    await accessible(page, "phone, users");
    await page.getByRole("button", { name: "Menu" }).click();
    await visible(page.getByRole("navigation", { name: "Main" }));
    await accessible(page, "phone, menu open");
    await shot(page, "a11y-narrow-menu");
    await page.keyboard.press("Escape");
    for (const [path, heading] of [
      ["/audit", "Audit log"],
      ["/outbox", "Outbox"],
      ["/api-tokens", "API tokens"],
      ["/emergency-access", "Emergency access"],
      [`/patient-access?patient=${PATIENT}`, "Patient access"],
      [`/users/${s.user("jbecker")}/effective-permissions`, "Effective permissions"],
    ] as const) {
      await open(page, path, heading);
      await accessible(page, `phone, ${heading}`);
    }
    // A table with nothing to focus in it still scrolls from the keyboard: its box takes the focus.
    await open(page, "/outbox", "Outbox");
    const stops = await tabStops(page, 40);
    expect(stops).toContainEqual({ what: "section Emails, newest first", unseen: null });
    await page.getByRole("region", { name: "Emails, newest first" }).focus();
    await shot(page, "a11y-narrow-outbox-focused");
  });

  /** A signed-in page with the helpers of the dialog walks below. */
  async function dialogWalk() {
    const page = await signedIn();
    const button = (name: string) => page.getByRole("button", { name, exact: true });
    const byButton = (name: string, dialog: Locator) => ({
      open: () => pressOn(page, button(name)),
      dialog,
      returnsTo: button(name),
    });
    return { page, button, byButton };
  }

  // Two walks (Users and Roles; the other pages), each well inside the time a test may take.
  it("opens each dialog of Users and Roles on its first field, keeps Tab inside, and gives the focus back on Escape or Cancel", async () => {
    const { page, button, byButton } = await dialogWalk();
    await visible(page.getByRole("table", { name: "Users" }));
    await dialogKeys(
      page,
      "Create New User",
      byButton("Create New User", dialogNamed(page, "Create New User")),
    );
    await dialogKeys(page, "Import CSV", byButton("Import CSV…", page.getByRole("dialog")));
    // From the Actions menu: the focus goes back to the menu's button, not the item that is gone.
    const actions = button("Actions for Priya Raman");
    for (const item of ["Edit", "Deactivate"]) {
      await dialogKeys(page, `Actions → ${item}`, {
        open: async () => {
          await pressOn(page, actions);
          await pressOn(page, page.getByRole("menuitem", { name: item, exact: true }));
        },
        dialog: page.getByRole("dialog"),
        returnsTo: actions,
      });
    }

    await open(page, "/roles", "Roles");
    await dialogKeys(page, "Create New Role", byButton("Create New Role", page.getByRole("dialog")));
    await dialogKeys(page, "Edit Physicist", byButton("Edit Physicist", page.getByRole("dialog")));
  });

  it("opens each dialog of the other pages on its first field, keeps Tab inside, and gives the focus back", async () => {
    const { page, button, byButton } = await dialogWalk();
    await open(page, "/workspaces", "Workspaces");
    await dialogKeys(page, "Create Workspace", byButton("Create Workspace", page.getByRole("dialog")));
    await open(page, `/patient-access?patient=${PATIENT}`, "Patient access");
    await visible(button("Grant access"));
    await dialogKeys(page, "Grant access", byButton("Grant access", page.getByRole("dialog")));
    await open(page, "/emergency-access", "Emergency access");
    await dialogKeys(
      page,
      "Open emergency access",
      byButton("Open emergency access", page.getByRole("dialog")),
    );
    await dialogKeys(page, "End now", byButton("End now for Cal Clinician", page.getByRole("dialog")));
    await open(page, "/api-tokens", "API tokens");
    await dialogKeys(page, "Create API token", byButton("Create API token", page.getByRole("dialog")));
    await dialogKeys(page, "Revoke", byButton("Revoke Scheduling system", page.getByRole("dialog")));
    await open(page, "/audit", "Audit log");
    const detail = page.getByRole("button", { name: /^Details of event/ }).first();
    await dialogKeys(page, "Audit event", {
      open: () => pressOn(page, detail),
      dialog: page.getByRole("dialog"),
      returnsTo: detail,
    });
  });

  it("reaches the navigation by Tab, and every control Tab reaches shows its focus", async () => {
    const page = await signedIn();
    await visible(page.getByRole("table", { name: "Users" }));
    // From the top of a freshly loaded page, as a keyboard user arrives.
    await page.reload();
    await visible(page.getByRole("table", { name: "Users" }));
    const stops = await tabStops(page, 150);
    const reached = stops.map((t) => t.what);
    expect(reached[0]).toBe("a Skip to content");
    const nav = page.getByRole("navigation", { name: "Main" }).getByRole("link");
    for (const link of await nav.allInnerTexts()) expect(reached).toContain(`a ${link.trim()}`);
    expect(reached).toContain("button Sign out");
    expect(reached).toContain("button Create New User");
    expect(stops.filter((t) => t.unseen !== null)).toEqual([]);
    // An item of an open Actions menu (drawn inside it, where the menu does not clip it).
    await pressOn(page, page.getByRole("button", { name: "Actions for Priya Raman" }));
    await visible(page.getByRole("menu"));
    expect(await focusedStop(page)).toEqual({ what: "button Edit", unseen: null });
    await shot(page, "a11y-focus-menu-item");
    await page.keyboard.press("Escape");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Roles" }).focus();
    await shot(page, "a11y-focus-nav-link");

    // Elsewhere: the roles table's buttons, the profile's tabs, the grid's cells, the settings' fields.
    for (const [path, heading] of [
      ["/roles", "Roles"],
      ["/profile", "Profile"],
      ["/audit", "Audit log"],
      ["/settings", "Settings"],
      [`/users/${s.user("jbecker")}/effective-permissions`, "Effective permissions"],
    ] as const) {
      await open(page, path, heading);
      const unseen = (await tabStops(page, 80)).filter((t) => t.unseen !== null);
      expect(unseen, `focus rings on ${heading}`).toEqual([]);
    }
  });

  it("starts every signed-in page with “Skip to content”, out of sight until focused, landing on the page's heading", async () => {
    const page = await signedIn();
    const skip = page.getByRole("link", { name: "Skip to content" });
    for (const [path, heading] of [
      ["/users", "Users"],
      ["/roles", "Roles"],
      ["/workspaces", "Workspaces"],
      [`/patient-access?patient=${PATIENT}`, "Patient access"],
      ["/emergency-access", "Emergency access"],
      ["/audit", "Audit log"],
      ["/settings", "Settings"],
      ["/outbox", "Outbox"],
      ["/api-tokens", "API tokens"],
      ["/profile", "Profile"],
      [`/users/${s.user("jbecker")}/permissions`, "Edit Permissions"],
      [`/users/${s.user("jbecker")}/effective-permissions`, "Effective permissions"],
    ] as const) {
      await open(page, path, heading);
      expect(await seen(skip), `${heading}: hidden before the focus`).toBe(false);
      await page.keyboard.press("Tab");
      expect(await focusedStop(page), `${heading}: the first Tab stop`).toEqual({
        what: "a Skip to content",
        unseen: null,
      });
      expect(await seen(skip), `${heading}: shown when focused`).toBe(true);
      await page.keyboard.press("Enter");
      expect(await landing(page), `${heading}: where it leads`).toBe(`main h1 ${heading}`);
      expect(await seen(skip), `${heading}: hidden again`).toBe(false);
      // Tab goes on from the heading, into the page rather than the navigation.
      await page.keyboard.press("Tab");
      expect(await landing(page), `${heading}: the next stop`).toMatch(/^main /);
    }
    await open(page, "/users", "Users");
    await page.keyboard.press("Tab");
    await shot(page, "a11y-skip-link");
    // On a phone it comes before the menu button.
    await page.setViewportSize({ width: 390, height: 844 });
    await open(page, "/users", "Users");
    expect((await tabStops(page, 2)).map((t) => t.what)).toEqual(["a Skip to content", "button Menu"]);
    await shot(page, "a11y-skip-link-narrow");
  });

  it("tells the focused cell of the effective-permissions grid from the selected one", async () => {
    const page = await signedIn();
    await open(page, `/users/${s.user("jbecker")}/effective-permissions`, "Effective permissions");
    await visible(page.getByRole("grid", { name: "Effective permissions by tenant and workspace" }));
    const focusColour = await page.evaluate(() => {
      const probe = document.body.appendChild(document.createElement("span"));
      probe.style.color = "var(--focus)";
      const colour = getComputedStyle(probe).color;
      probe.remove();
      return colour;
    });
    // By the keyboard, as a keyboard user moves in the grid: the cell reached is focused and selected.
    await pressOn(page, page.locator(".effective-cell").first(), "ArrowDown");
    const cell = page.locator(".effective-cell:focus");
    await visible(page.getByRole("heading", { name: "Explanation" }));
    const focused = await lookOf(cell);
    expect(await cell.getAttribute("aria-current")).toBe("true");
    expect(focused.outline, "the focused cell's ring is the console's focus colour").toContain(focusColour);
    await shot(page, "a11y-effective-cell-focused");

    // The focus leaves the grid; the cell stays selected (its explanation shown) and says so, unlike focus.
    const selected = page.locator('.effective-cell[aria-current="true"]');
    const handle = await selected.elementHandle();
    await page.getByLabel("Filter permissions").focus();
    expect(await selected.evaluate((el, was) => el === was, handle)).toBe(true);
    const after = await lookOf(selected);
    expect(after.outline, "a selected cell has no focus ring").not.toContain(focusColour);
    expect(after, "a selected cell does not look focused").not.toEqual(focused);
    expect(after, "a selected cell still shows it").not.toEqual({ outline: "none", shadow: "none" });
    await shot(page, "a11y-effective-cell-selected");
  });
});

/** Drawn on screen at a readable size: not clipped to the 1 px of what is only for screen readers. */
const seen = async (locator: Locator) =>
  (await locator.count()) > 0 &&
  locator.evaluate((el) => {
    const r = el.getBoundingClientRect();
    return r.width > 10 && r.height > 10 && getComputedStyle(el).clip === "auto";
  });

/** The focused element as "main h1 Users" (its landmark, tag and text), or "body". */
const landing = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return "body";
    const where = el.closest("main") ? "main" : "outside main";
    return `${where} ${el.tagName.toLowerCase()} ${el.textContent?.trim() ?? ""}`;
  });

/** How a control is drawn round its edge: its outline, and its box shadow (a frame drawn inside). */
const lookOf = (locator: Locator) =>
  locator.evaluate((el) => {
    const s = getComputedStyle(el);
    return {
      outline: s.outlineStyle === "none" ? "none" : `${s.outlineWidth} ${s.outlineStyle} ${s.outlineColor}`,
      shadow: s.boxShadow,
    };
  });

/** An emailed-link page given a token the server does not know: the form, then the refusal. */
async function linkRefused(page: Page, path: string, submit: string): Promise<void> {
  // From elsewhere: a new fragment on the same path would not load the page again.
  await page.goto("about:blank");
  await page.goto(`${path}#token=not-a-real-token-0123456789`);
  await page.getByLabel("New password").fill(NEW_PASSWORD);
  await page.getByLabel("Confirm password").fill(NEW_PASSWORD);
  await page.getByRole("button", { name: submit }).click();
  await visible(page.getByRole("alert"));
}
