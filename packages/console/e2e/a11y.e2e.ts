/**
 * Accessibility, WCAG 2.1 AA as axe-core measures it: every console page in its main states has
 * no axe violation, at desktop width and on a phone with the menu open. The keyboard's half is
 * a11y-keyboard.e2e.ts; both walk the clinic of a11y-clinic.ts.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { closeDialog, dialogNamed, linkRefused, open, PATIENT, seedA11yClinic } from "./a11y-clinic.ts";
import { accessible } from "./axe.ts";
import { tabStops } from "./focus.ts";
import { gone, shot, useE2e, visible } from "./harness.ts";
import { type Seeded, STAFF_PASSWORD, totpNow } from "./users-seed.ts";

describe("accessibility: axe on every page", () => {
  const { e, tenant, signedIn } = useE2e({ name: "Riverside Radiotherapy" });
  let s: Seeded;
  beforeAll(async () => {
    s = await seedA11yClinic(e, tenant);
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

    await page.getByRole("link", { name: "Forgot Password" }).click();
    await visible(page.getByRole("heading", { name: "Forgot Password" }));
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
    // The other tab's fields are out of the page: "Role" finds the role, not "Work role" as well.
    expect(await create.getByLabel("Role").count()).toBe(1);
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

    await page.getByRole("button", { name: "Import Users from CSV" }).click();
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
      await visible(dialog.getByRole("group", { name: "Organization permissions (tenant level)" }));
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

    await open(page, "/patient-access", "Manage Patient Access");
    await accessible(page, "patient access, no patient");
    await open(page, `/patient-access?patient=${PATIENT}`, "Manage Patient Access");
    await visible(page.getByRole("heading", { name: `Granted access to patient ${PATIENT}` }));
    await visible(page.getByRole("heading", { name: "Who can read this patient" }));
    await gone(page.locator('[aria-busy="true"]'));
    await accessible(page, "patient access, a patient's grants");
    await page.getByRole("button", { name: "Grant access" }).click();
    await visible(dialogNamed(page, "Grant access").getByRole("radio").first());
    await accessible(page, "grant access");
    await closeDialog(page, page.getByRole("dialog"));

    await open(page, "/emergency-access", "Emergency access");
    await visible(page.getByRole("button", { name: "End access of Cal Clinician" }));
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

  it("has no violation on Audit Logs (a detail open), Settings and Outbox", async () => {
    const page = await signedIn();
    await open(page, "/audit", "Audit Logs");
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
    await visible(page.getByRole("img", { name: "QR image for your authenticator app" }));
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
      ["/audit", "Audit Logs"],
      ["/outbox", "Outbox"],
      ["/api-tokens", "API tokens"],
      ["/emergency-access", "Emergency access"],
      [`/patient-access?patient=${PATIENT}`, "Manage Patient Access"],
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
});
