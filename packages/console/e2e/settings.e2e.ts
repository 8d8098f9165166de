/**
 * W15 settings ("Security tab → Save All"): every setting with its unit and bounds; Save All sends
 * only what changed, with If-Match; an out-of-bounds value is refused beside its field and
 * nothing is saved. The SCIM default role is chosen by name and saved as its id, or none (null).
 * Leaving with unsaved changes asks first.
 */
import { SETTINGS_FIELDS } from "@staffgate/contract";
import type { Request } from "playwright-core";
import { describe, expect, it } from "vitest";
import { SETTING_GROUPS } from "../src/pages/settings/fields.ts";
import { isFocused } from "./focus.ts";
import { hasText, shot, useE2e, visible } from "./harness.ts";
import { createStaff } from "./users-seed.ts";

describe("settings", () => {
  const { e, tenant, signedIn } = useE2e();

  it("lists every setting of the contract, with the contract's bounds", () => {
    const defs = SETTING_GROUPS.flatMap((g) => g.fields);
    expect(defs.map((d) => d.key).sort()).toEqual(Object.keys(SETTINGS_FIELDS).sort());
    for (const d of defs) {
      const schema = SETTINGS_FIELDS[d.key];
      if (d.kind === "number") {
        expect(schema.type, d.key).toBe("number");
        const bounds = schema as unknown as { minValue: number; maxValue: number };
        expect([d.min, d.max], d.key).toEqual([bounds.minValue, bounds.maxValue]);
      } else if (d.kind === "choice") {
        expect(
          d.options.map((o) => o.value),
          d.key,
        ).toEqual((schema as unknown as { options: string[] }).options);
      } else if (d.kind === "role") {
        // An id or null: the role's id is sent, and the first choice ("None") sends null.
        expect(schema.type, d.key).toBe("nullable");
        expect(schema.safeParse(null).success, d.key).toBe(true);
        expect(schema.safeParse("rol_0123").success, d.key).toBe(true);
        expect(schema.safeParse("").success, d.key).toBe(false);
      } else if (d.kind === "permissions") {
        // null (the default) or a non-empty list of keys.
        expect(schema.safeParse(null).success, d.key).toBe(true);
        expect(schema.safeParse(["patients.read"]).success, d.key).toBe(true);
        expect(schema.safeParse([]).success, d.key).toBe(false);
      } else {
        expect(d.kind, d.key).toBe("boolean");
        expect(schema.type, d.key).toBe("boolean");
      }
    }
  });

  it("saves two changed settings with Save All, and refuses an out-of-bounds value beside its field", async () => {
    const before = await tenant.admin.settings.get();
    const page = await signedIn({ path: "/settings" });
    for (const legend of [
      "Passwords",
      "Lockout",
      "Sessions",
      "Two-factor sign-in (MFA)",
      "Emergency access",
      "Audit",
      "Provisioning (SCIM)",
    ]) {
      await visible(page.getByRole("group", { name: legend }));
    }
    // Each found by its words alone: one Save button, one "Minimum password length", a tick box's
    // label starting with its words.
    expect(await page.getByRole("button", { name: "Save" }).count()).toBe(1);
    expect(await page.getByLabel("Minimum password length").count()).toBe(1);
    expect(await page.getByLabel(/^Record every patient-permission decision/).count()).toBe(1);
    const threshold = page.getByLabel("Lockout threshold (failed sign-ins)");
    const duration = page.getByLabel("Lockout duration (minutes)");
    const retention = page.getByLabel("Audit retention (days)");
    expect(await threshold.inputValue()).toBe(String(before.lockoutThreshold));
    await visible(page.getByText("2,192–36,500 days. At least six years (HIPAA)."));

    const patches: Request[] = [];
    page.on("request", (r) => {
      if (r.method() === "PATCH" && r.url().endsWith("/api/v1/settings")) patches.push(r);
    });
    const errorOf = (input: typeof threshold) =>
      page.locator(".field", { has: input }).locator(".field-error");
    // Every value at fault is named in one round: out of bounds as well as not a whole number.
    await threshold.fill("0");
    await duration.fill("1.5");
    await retention.fill("100");
    await page.getByRole("button", { name: "Save All" }).click();
    await hasText(page.getByRole("alert"), "Nothing was saved. Correct the settings marked below.");
    await hasText(errorOf(threshold), "Lockout threshold must be at least 1");
    await hasText(errorOf(duration), "Enter a whole number of minutes.");
    // The contract's words, the floor's reason included.
    await hasText(
      errorOf(retention),
      /^Audit retention must be at least 2,192: six years, the least HIPAA allows/,
    );
    await expect.poll(() => isFocused(threshold)).toBe(true);

    await threshold.fill("8");
    await duration.fill("30");
    await page.getByRole("button", { name: "Save All" }).click();
    await hasText(page.getByRole("alert"), "Nothing was saved. Correct the settings marked below.");
    await hasText(errorOf(retention), /^Audit retention must be at least 2,192: six years/);
    expect(await errorOf(threshold).count()).toBe(0);
    // Refused before anything was sent.
    expect(patches).toHaveLength(0);
    expect(await retention.getAttribute("aria-invalid")).toBe("true");
    // Said at the top, where the settings begin, and the focus goes to the setting to correct.
    const above = await page
      .getByRole("alert")
      .evaluate(
        (alert) =>
          (alert.compareDocumentPosition(alert.closest("form")?.querySelector("fieldset") as Node) &
            Node.DOCUMENT_POSITION_FOLLOWING) !==
          0,
      );
    expect(above).toBe(true);
    await expect.poll(() => isFocused(retention)).toBe(true);
    expect(await tenant.admin.settings.get()).toEqual(before);

    await retention.fill(String(before.auditRetentionDays));
    await page.getByRole("button", { name: "Save All" }).click();
    await hasText(page.getByRole("status"), "Saved 2 changes to the security settings.");
    await visible(page.getByText("No unsaved changes."));
    expect(await tenant.admin.settings.get()).toEqual({
      ...before,
      lockoutThreshold: 8,
      lockoutMinutes: 30,
      version: before.version + 1,
    });
    // Only what changed travelled, against the version the page had read.
    const last = patches.at(-1);
    expect(last?.postDataJSON()).toEqual({ lockoutThreshold: 8, lockoutMinutes: 30 });
    expect(last?.headers()["if-match"]).toContain(String(before.version));
    await shot(page, "settings");
  });

  it("offers a security officer without users.view the roles to choose from, and asks nothing refused", async () => {
    const officerRole = await tenant.admin.roles.create({
      name: "Security officer",
      permissions: ["settings.manage"],
    });
    const officer = await createStaff(tenant, "sol", "quartz-heron-lattice-8831", { roleId: officerRole.id });
    const page = await signedIn({ path: "/settings", login: "sol", password: "quartz-heron-lattice-8831" });
    const select = page.getByLabel("Role for users provisioned without a group");
    await expect.poll(() => select.locator("option", { hasText: "Viewer" }).count()).toBe(1);
    const refused = await tenant.admin.audit.list({ action: "authz.failed", limit: 200 });
    expect(refused.items.filter((x) => x.actor.id === officer.id)).toEqual([]);
  });

  it("sets the role for users provisioned over SCIM without a group, and sets it back to none", async () => {
    const viewer = (await tenant.admin.roles.list({ limit: 200 })).items.find((r) => r.name === "Viewer");
    if (!viewer) throw new Error("the tenant has no Viewer role");
    expect((await tenant.admin.settings.get()).scimDefaultRoleId).toBeNull();
    const page = await signedIn({ path: "/settings" });
    const group = await visible(page.getByRole("group", { name: "Provisioning (SCIM)" }));
    const select = group.getByLabel("Role for users provisioned without a group");
    const chosen = () => select.evaluate((s: HTMLSelectElement) => s.selectedOptions[0]?.text ?? "");
    await visible(
      group.getByText(
        `The SCIM base URL is ${e.url}/scim/v2. A SCIM client authenticates with an API token (the “API tokens” page) whose role holds users.view and users.manage (and roles.manage to create groups).`,
      ),
    );
    // The select is enabled once the roles have loaded; it starts on none.
    await expect.poll(() => select.isEnabled()).toBe(true);
    expect(await chosen()).toBe("None: refuse users that name no group");
    expect(await select.locator("option").first().getAttribute("value")).toBe("");

    const patches: Request[] = [];
    page.on("request", (r) => {
      if (r.method() === "PATCH" && r.url().endsWith("/api/v1/settings")) patches.push(r);
    });
    await select.selectOption({ label: "Viewer" });
    await visible(page.getByText("1 unsaved change."));
    await page.getByRole("button", { name: "Save All" }).click();
    await hasText(page.getByRole("status"), "Saved 1 change to the security settings.");
    expect(patches.at(-1)?.postDataJSON()).toEqual({ scimDefaultRoleId: viewer.id });
    expect((await tenant.admin.settings.get()).scimDefaultRoleId).toBe(viewer.id);

    await page.reload();
    await expect.poll(() => select.isEnabled(), { timeout: 10_000 }).toBe(true);
    await expect.poll(chosen).toBe("Viewer");
    expect(await select.inputValue()).toBe(viewer.id);
    await shot(page, "settings-scim");

    await select.selectOption({ label: "None: refuse users that name no group" });
    await page.getByRole("button", { name: "Save All" }).click();
    await hasText(page.getByRole("status"), "Saved 1 change to the security settings.");
    expect(patches.at(-1)?.postDataJSON()).toEqual({ scimDefaultRoleId: null });
    expect((await tenant.admin.settings.get()).scimDefaultRoleId).toBeNull();
  });

  it("says a save refused by the API for a stale version in words, saves nothing, and keeps what was typed over their change", async () => {
    const page = await signedIn({ path: "/settings" });
    const duration = page.getByLabel("Lockout duration (minutes)");
    const before = await tenant.admin.settings.get();
    await expect.poll(() => duration.inputValue()).toBe(String(before.lockoutMinutes));
    // Another administrator saves after this page read the settings.
    const theirs = await tenant.admin.settings.update(
      { lockoutThreshold: before.lockoutThreshold === 9 ? 8 : 9 },
      { ifMatch: before.version },
    );
    await duration.fill(String(before.lockoutMinutes + 2));
    await page.getByRole("button", { name: "Save All" }).click();
    await hasText(
      page.getByRole("alert"),
      "Nothing was saved: someone else changed the settings since this page opened (Lockout threshold). Their values are shown now, with your changes kept. Check them and save again.",
    );
    expect(await tenant.admin.settings.get()).toEqual(theirs);
    // Their threshold is shown, and the duration typed here is still there: Save All saves both.
    await expect
      .poll(() => page.getByLabel("Lockout threshold").inputValue())
      .toBe(String(theirs.lockoutThreshold));
    expect(await duration.inputValue()).toBe(String(before.lockoutMinutes + 2));
    await page.getByRole("button", { name: "Save All" }).click();
    await hasText(page.getByRole("status"), "Saved 1 change to the security settings.");
    expect(await tenant.admin.settings.get()).toMatchObject({
      lockoutThreshold: theirs.lockoutThreshold,
      lockoutMinutes: before.lockoutMinutes + 2,
    });
  });

  it("narrows what emergency access grants, and goes back to the default", async () => {
    expect((await tenant.admin.settings.get()).emergencyPermissions).toBeNull();
    const page = await signedIn({ path: "/settings" });
    const set = await visible(page.getByRole("group", { name: "Emergency access grants" }));
    const all = set.getByLabel("Every patient permission a collaborator may hold (the default)");
    await expect.poll(() => all.isEnabled()).toBe(true);
    expect(await all.isChecked()).toBe(true);
    await all.uncheck();
    // Unticking the default starts from everything it stood for; one is then taken away.
    const boxes = set.locator('input[name="emergencyPermissions"]');
    const keys = await boxes.evaluateAll((els) => els.map((el) => (el as HTMLInputElement).value));
    expect(keys.length).toBeGreaterThan(1);
    await set.locator(`input[value="${keys[0]}"]`).uncheck();
    await page.getByRole("button", { name: "Save All" }).click();
    await hasText(page.getByRole("status"), "Saved 1 change to the security settings.");
    expect((await tenant.admin.settings.get()).emergencyPermissions).toEqual(keys.slice(1).sort());

    await all.check();
    await page.getByRole("button", { name: "Save All" }).click();
    await hasText(page.getByRole("status"), "Saved 1 change to the security settings.");
    expect((await tenant.admin.settings.get()).emergencyPermissions).toBeNull();
  });

  it("asks before a link or Back leaves unsaved changes, and stays on Cancel", async () => {
    const before = await tenant.admin.settings.get();
    const page = await signedIn({ path: "/settings" });
    const duration = page.getByLabel("Lockout duration (minutes)");
    await expect.poll(() => duration.inputValue()).toBe(String(before.lockoutMinutes));
    const asked: string[] = [];
    let answer = false;
    page.on("dialog", (d) => {
      asked.push(`${d.type()}: ${d.message()}`);
      void (answer ? d.accept() : d.dismiss());
    });
    const nav = page.getByRole("navigation", { name: "Main" });

    // Nothing changed: leaving asks nothing.
    await nav.getByRole("link", { name: "Audit log" }).click();
    await visible(page.getByRole("heading", { name: "Audit log", level: 1 }));
    expect(asked).toEqual([]);
    await nav.getByRole("link", { name: "Settings" }).click();
    await expect.poll(() => duration.inputValue()).toBe(String(before.lockoutMinutes));

    // A value that is not a whole number is an unsaved change too: leaving would lose it unsaid.
    await duration.fill("2.5");
    await visible(page.getByText("1 unsaved change."));
    await duration.fill(String(before.lockoutMinutes + 5));
    await visible(page.getByText("1 unsaved change."));
    // Cancel: the page and the typed value stay.
    await nav.getByRole("link", { name: "Audit log" }).click();
    await expect.poll(() => asked).toEqual(["confirm: Discard unsaved changes to the security settings?"]);
    expect(new URL(page.url()).pathname).toBe("/settings");
    expect(await duration.inputValue()).toBe(String(before.lockoutMinutes + 5));
    // Back asks too, and Cancel keeps the page.
    await page.goBack();
    await expect.poll(() => asked.length).toBe(2);
    await expect.poll(() => new URL(page.url()).pathname).toBe("/settings");
    expect(await duration.inputValue()).toBe(String(before.lockoutMinutes + 5));

    // OK: the changes are discarded, nothing was saved.
    answer = true;
    await nav.getByRole("link", { name: "Audit log" }).click();
    await visible(page.getByRole("heading", { name: "Audit log", level: 1 }));
    expect(asked).toHaveLength(3);
    expect(await tenant.admin.settings.get()).toEqual(before);
  });

  it("says which API tokens a stricter MFA requirement holds back, as soon as it is saved", async () => {
    // Sam manages settings and holds no patient permission (not confined by the new rule); Mona
    // holds the Administrator role, has not enrolled, and made the clinical application's token.
    const samRole = await tenant.admin.roles.create({
      name: "Settings keeper",
      permissions: ["settings.manage", "api_tokens.manage", "users.view"],
    });
    const admin = (await tenant.admin.roles.list({ limit: 200 })).items.find(
      (r) => r.name === "Administrator",
    )!;
    const viewer = (await tenant.admin.roles.list({ limit: 200 })).items.find((r) => r.name === "Viewer")!;
    const sam = await createStaff(tenant, "sam", "Quill-harbour-3318-dune", { roleId: samRole.id });
    const mona = await createStaff(tenant, "mona", "Fennel-orbit-2207-slate", { roleId: admin.id });
    const session = async (login: string, password: string) =>
      e.api.withToken((await e.api.auth.login({ tenant: tenant.slug, login, password })).token);
    const monaApi = await session(mona.username, "Fennel-orbit-2207-slate");
    const made = await monaApi.apiTokens.create({ name: "Lab app", roleId: viewer.id });
    const samApi = await session(sam.username, "Quill-harbour-3318-dune");
    const page = await signedIn({
      path: "/settings",
      login: sam.username,
      password: "Quill-harbour-3318-dune",
    });
    try {
      await page
        .getByLabel("MFA requirement")
        .selectOption({ label: "People whose role holds patient permissions" });
      await page.getByRole("button", { name: "Save All" }).click();
      await hasText(
        page.getByRole("status"),
        "Saved 1 change to the security settings. The API token “Lab app” is held back: its requests are refused until the person who made it enrols in two-factor sign-in (or it is replaced, on API tokens).",
      );
      await expect(e.api.withToken(made.token).auth.me()).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    } finally {
      await samApi.settings.update({ mfaRequired: "off" });
    }
    // Back to no requirement: the token answers again.
    expect((await e.api.withToken(made.token).auth.me()).user.id).toBe(made.userId);
  });
});
