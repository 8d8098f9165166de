/**
 * W14 audit review: events made through the SDK appear with their actor and action; each filter
 * narrows the list and stays in the address across a reload; the detail shows every field and a
 * markup display name as text; exports download the filter's rows; verify says the chain is
 * intact; someone without audit.view neither sees the page in the navigation nor gets its data.
 */
import { readFileSync } from "node:fs";
import type { Locator, Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { gone, hasText, shot, useE2e, visible } from "./harness.ts";

const MARKUP_NAME = "<img src=x onerror=alert(1)>";
const NURSE_PASSWORD = "e2e-heron-Pa55word-7781";

/** The audit table's rows as the user reads them: [time, user, action, target, outcome, ip, emergency]. */
async function rows(page: Page): Promise<string[][]> {
  const table = page.getByRole("table", { name: "Audit events, newest first" });
  await visible(table);
  return table
    .locator("tbody tr")
    .evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll("td")].slice(0, 7).map((td) => td.textContent?.trim() ?? "")),
    );
}

/** Sets the filters (empty string clears one) and presses Search. */
async function search(page: Page, filters: Record<string, string>): Promise<void> {
  for (const [label, value] of Object.entries(filters))
    await page.getByLabel(label, { exact: true }).fill(value);
  await page.getByRole("button", { name: "Search", exact: true }).click();
}

const localDay = (offsetDays: number) => {
  const d = new Date();
  d.setDate(d.getDate() + offsetDays);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
};

describe("audit log", () => {
  const { e, tenant, signedIn } = useE2e();
  let nurseId: string;
  beforeAll(async () => {
    const roles = await tenant.admin.roles.list();
    const viewer = roles.items.find((r) => r.name === "Viewer");
    if (!viewer) throw new Error("no Viewer role in the preset");
    const nurse = await tenant.admin.users.create({
      username: "nurse",
      email: "nurse@example.test",
      firstName: MARKUP_NAME,
      lastName: "Nightingale",
      roleId: viewer.id,
      password: NURSE_PASSWORD,
      mustChangePassword: false,
    });
    nurseId = nurse.id;
    await expect(
      e.api.auth.login({ tenant: tenant.slug, login: "nurse", password: "not the password at all" }),
    ).rejects.toThrow();
  });

  it("lists events newest first with actor and action; each filter narrows it and survives a reload", async () => {
    const page = await signedIn();
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit log" }).click();
    await visible(page.getByRole("heading", { name: "Audit log" }));
    const all = await rows(page);
    const server = await tenant.admin.audit.list({ limit: 50 });
    expect(all.map((r) => r[2])).toEqual(server.items.map((ev) => ev.action));
    expect(all.find((r) => r[2] === "user.created")?.slice(1, 5)).toEqual([
      "admin",
      "user.created",
      "nurse",
      "Success",
    ]);
    expect(all.find((r) => r[2] === "auth.login.failed")?.slice(1, 5)).toEqual([
      "nurse",
      "auth.login.failed",
      "nurse",
      "Failure",
    ]);
    await shot(page, "audit-log");

    // Each filter's label finds its one field by the default (substring) match: the date range's
    // end is not also found in "Actor", which is "Username" (issue 6: "user"; PRODUCT.md: "actor
    // username"), still sent as the API's `actor`.
    for (const label of ["From", "To", "Username", "Action", "Patient", "Text", "Target", "IP address"]) {
      expect(await page.getByLabel(label).count(), label).toBe(1);
    }
    // Every filter PRODUCT.md §6 lists is in view, none behind "Advanced filters".
    expect(await page.getByLabel("Target ID").isVisible()).toBe(true);
    expect(await page.getByLabel("IP address").isVisible()).toBe(true);
    expect(await page.getByLabel("To").getAttribute("type")).toBe("date");

    // User (actor): only what nurse did.
    await search(page, { Username: "nurse" });
    await expect.poll(() => new URL(page.url()).search).toBe("?actor=nurse");
    const byNurse = (await tenant.admin.audit.list({ actor: "nurse" })).items.map((ev) => ev.action);
    await expect.poll(async () => (await rows(page)).map((r) => r[2])).toEqual(byNurse);
    expect(byNurse).toEqual(["auth.login.failed"]);

    // Action, with the User filter cleared.
    await search(page, { Username: "", Action: "user.*" });
    await expect.poll(() => new URL(page.url()).search).toBe("?action=user.*");
    // The tenant's administrator (created with the tenant) and the nurse.
    await expect
      .poll(async () => (await rows(page)).map((r) => `${r[2]} ${r[3]}`))
      .toEqual(["user.created nurse", "user.created admin"]);

    // Free text finds the changed fields (the last name is only in the nurse's user.created).
    await search(page, { Action: "", Text: "nightingale" });
    await expect
      .poll(async () => (await rows(page)).map((r) => `${r[2]} ${r[3]}`))
      .toEqual(["user.created nurse"]);

    // Patient: the events about one patient, exactly (PAT-7 is not PAT-70).
    await tenant.admin.patientAccess.grant("PAT-7", { userId: nurseId });
    await tenant.admin.patientAccess.grant("PAT-70", { userId: nurseId });
    await search(page, { Text: "", Patient: "PAT-7" });
    await expect.poll(() => new URL(page.url()).search).toBe("?patientRef=PAT-7");
    await expect
      .poll(async () => (await rows(page)).map((r) => `${r[2]} ${r[3]}`))
      .toEqual(["patient_access.granted nurse"]);

    // Target: the events about the nurse.
    await search(page, { Patient: "", "Target ID": nurseId });
    await expect.poll(() => new URL(page.url()).search).toBe(`?targetId=${nurseId}`);
    await expect.poll(async () => (await rows(page)).every((r) => r[3] === "nurse")).toBe(true);
    await search(page, { "Target ID": "" });

    // Date range: up to yesterday is empty; from today is everything again.
    await search(page, { To: localDay(-1) });
    await visible(page.getByText("No audit events match these filters."));
    await search(page, { To: "", From: localDay(0) });
    await expect.poll(async () => (await rows(page)).length).toBeGreaterThanOrEqual(all.length);

    // A shared or reloaded address opens the same filtered view, form included.
    await page.goto("/audit?actor=nurse&action=auth.login.failed");
    await expect.poll(async () => (await rows(page)).map((r) => r[1])).toEqual(["nurse"]);
    await page.reload();
    await expect.poll(() => page.getByLabel("Username").inputValue()).toBe("nurse");
    expect(await page.getByLabel("Action", { exact: true }).inputValue()).toBe("auth.login.failed");
    expect((await rows(page)).map((r) => r[2])).toEqual(["auth.login.failed"]);
  });

  it("shows the filters the address holds after Back, as the list does", async () => {
    const page = await signedIn({ path: "/audit" });
    const username = page.getByLabel("Username");
    const action = page.getByLabel("Action", { exact: true });
    await search(page, { Username: "nurse" });
    await expect.poll(() => new URL(page.url()).search).toBe("?actor=nurse");
    await search(page, { Username: "", Action: "user.*" });
    await expect.poll(() => new URL(page.url()).search).toBe("?action=user.*");

    // Back to the nurse's events: the form says so too, not the search that was undone.
    await page.goBack();
    await expect.poll(() => new URL(page.url()).search).toBe("?actor=nurse");
    await expect.poll(async () => [...new Set((await rows(page)).map((r) => r[1]))]).toEqual(["nurse"]);
    await expect.poll(() => username.inputValue()).toBe("nurse");
    expect(await action.inputValue()).toBe("");
  });

  it("shows one event's every field, with a markup display name as plain text", async () => {
    const page = await signedIn({
      path: "/audit?action=user.created",
      prepare: (p) =>
        p.on("dialog", (d) => {
          throw new Error(`a script ran and opened a ${d.type()} dialog`);
        }),
    });
    const [event] = (await tenant.admin.audit.list({ action: "user.created" })).items;
    if (!event) throw new Error("no user.created event");
    await page.getByRole("button", { name: `Details of event ${event.seq}` }).click();
    const dialog = page.getByRole("dialog", { name: `Audit event ${event.seq}` });
    await visible(dialog);
    const field = (name: string) => dialog.locator(`dt:text-is("${name}") + dd`);
    await hasText(field("Action"), "user.created");
    await hasText(field("Outcome"), "Success");
    await hasText(field("User"), "admin (User)");
    await hasText(field("Target"), "nurse (user)");
    await hasText(field("Target ID"), nurseId);
    await hasText(field("IP address"), event.ip ?? "—");
    await hasText(field("Chain hash"), event.hash);
    await hasText(field("Event ID"), event.id);
    const firstName = dialog.getByRole("row", { name: /^firstName/ });
    await hasText(firstName.getByRole("cell").last(), MARKUP_NAME);
    expect(await dialog.locator("img").count()).toBe(0);
    await shot(page, "audit-detail");
    await page.keyboard.press("Escape");
    await expect.poll(() => dialog.count()).toBe(0);
  });

  it("exports the current filter as CSV and JSON Lines downloads, and verifies the chain", async () => {
    const page = await signedIn({ path: "/audit?actor=nurse" });
    await visible(page.getByRole("table", { name: "Audit events, newest first" }));

    const [csv] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Export CSV" }).click(),
    ]);
    expect(csv.suggestedFilename()).toMatch(
      new RegExp(`^staffgate-audit-${tenant.slug}-\\d{4}-\\d{2}-\\d{2}-filtered\\.csv$`),
    );
    const csvLines = readFileSync(await csv.path(), "utf8")
      .trim()
      .split("\r\n");
    expect(csvLines[0]).toBe(
      "seq,at,actorType,actorId,actorUsername,action,targetType,targetId,targetLabel,changes,ip,userAgent,requestId,outcome,hash,tenantId",
    );
    expect(csvLines.slice(1).map((l) => l.split(",")[5])).toEqual(["auth.login.failed"]);

    const [jsonl] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Export JSON Lines" }).click(),
    ]);
    expect(jsonl.suggestedFilename()).toMatch(/-filtered\.jsonl$/);
    const events = readFileSync(await jsonl.path(), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { action: string; actor: { username: string } });
    expect(events.map((ev) => [ev.actor.username, ev.action])).toEqual([["nurse", "auth.login.failed"]]);
    // Each export is itself on record, with the filter it used.
    const exported = (await tenant.admin.audit.list({ action: "audit.exported" })).items;
    expect(exported.map((ev) => ev.changes?.actor?.after)).toEqual(["nurse", "nurse"]);

    await page.getByRole("button", { name: "Verify chain" }).click();
    const verdict = await tenant.admin.audit.verify();
    expect(verdict.ok).toBe(true);
    await visible(
      page.getByText(/^The audit chain is intact: \d+ events checked, none altered or missing\.$/),
    );
  });

  it("is not offered to a user without audit.view, and says access is denied", async () => {
    const page = await signedIn({ login: "nurse", password: NURSE_PASSWORD });
    const nav = page.getByRole("navigation", { name: "Main" });
    await visible(nav.getByRole("link", { name: "Profile" }));
    expect(await nav.getByRole("link", { name: "Audit log" }).count()).toBe(0);
    await page.goto("/audit");
    await hasText(page.getByRole("alert"), /^Access denied: viewing the audit log needs/);
    expect(await page.getByRole("table").count()).toBe(0);
  });

  it("names the roles, workspaces and users whose ids an event's changes carry, keeping each id", async () => {
    const roles = (await tenant.admin.roles.list()).items;
    const viewer = roles.find((r) => r.name === "Viewer");
    if (!viewer) throw new Error("no Viewer role in the preset");
    const desk = await tenant.admin.roles.create({ name: "Front desk", permissions: [] });
    const surgery = await tenant.admin.workspaces.create({ slug: "surgery", name: "Surgery" });
    const vera = await tenant.admin.users.create({
      username: "vera",
      email: "vera@example.test",
      firstName: "Vera",
      lastName: "Vet",
      roleId: viewer.id,
      password: NURSE_PASSWORD,
      mustChangePassword: false,
    });
    await tenant.admin.users.update(vera.id, { roleId: desk.id }, { ifMatch: vera.version });
    await tenant.admin.patientAccess.grant("PAT-4242", {
      userId: vera.id,
      workspaceId: surgery.id,
      reason: "Covering surgery",
    });
    await tenant.admin.apiTokens.create({ name: "Lab sync", roleId: desk.id });
    const [tokenEvent] = (await tenant.admin.audit.list({ action: "api_token.created" })).items;
    const integrationId = String(tokenEvent?.changes?.userId?.after ?? "");
    const [integration] = (await tenant.admin.audit.list({ action: "user.created", targetId: integrationId }))
      .items;

    const page = await signedIn({ path: "/audit" });
    const open = async (action: string) => {
      const [event] = (await tenant.admin.audit.list({ action })).items;
      if (!event) throw new Error(`no ${action} event`);
      await page.getByRole("button", { name: `Details of event ${event.seq}` }).click();
      const dialog = page.getByRole("dialog", { name: `Audit event ${event.seq}` });
      await visible(dialog);
      return dialog;
    };
    /** A changed field's cells as read, and the ids its names stand for. */
    const change = async (dialog: Locator, field: string) => {
      const cells = dialog.getByRole("row", { name: new RegExp(`^${field}\\b`) }).getByRole("cell");
      return cells.evaluateAll((tds) =>
        tds.map((td) => ({
          text: td.textContent?.trim() ?? "",
          ids: [...td.querySelectorAll("data")].map((d) => `${d.value} ${d.title}`),
        })),
      );
    };
    const close = async (dialog: Locator) => {
      await page.keyboard.press("Escape");
      await gone(dialog);
    };

    // A user's role, before and after.
    let dialog = await open("user.updated");
    await expect
      .poll(() => change(dialog, "roleId"))
      .toEqual([
        { text: "Viewer", ids: [`${viewer.id} Role ${viewer.id}`] },
        { text: "Front desk", ids: [`${desk.id} Role ${desk.id}`] },
      ]);
    await shot(page, "audit-detail-names");
    await close(dialog);

    // A patient grant's workspace.
    dialog = await open("patient_access.granted");
    await expect
      .poll(() => change(dialog, "workspaceId"))
      .toEqual([{ text: "Surgery", ids: [`${surgery.id} Workspace surgery ${surgery.id}`] }]);
    await close(dialog);

    // An API token's role and its integration user (named by the user.created event on the page).
    dialog = await open("api_token.created");
    await expect
      .poll(() => change(dialog, "roleId"))
      .toEqual([{ text: "Front desk", ids: [`${desk.id} Role ${desk.id}`] }]);
    await expect
      .poll(() => change(dialog, "userId"))
      .toEqual([{ text: integration?.target?.label, ids: [`${integrationId} User ${integrationId}`] }]);
    await close(dialog);
  });
});
