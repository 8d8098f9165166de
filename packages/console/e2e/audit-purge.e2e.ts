/**
 * Purging the audit events past the retention period: the dialog names the tenant's retention and
 * the cut-off date, Cancel purges nothing, a purge of a young tenant deletes nothing and says so,
 * the purge is on record in the list; with events made on a clock set back past the retention the
 * purge deletes exactly those, and a broken chain among them is refused in words with nothing
 * deleted. Someone with audit.view but not settings.manage is not offered the action.
 */
import type { Staffgate } from "@staffgate/sdk";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN_PASSWORD,
  type E2e,
  type E2eTenant,
  gone,
  hasText,
  shot,
  signInWithPage,
  useE2e,
  visible,
} from "./harness.ts";

const DAY_MS = 86_400_000;
const DEFAULT_RETENTION_DAYS = 2196;
const AUDITOR_PASSWORD = "e2e-Pa55word-kestrel-5120";
const DIALOG = "Purge old audit events";
const BROKEN = /^The audit chain is broken among the events to delete, so nothing was deleted: /;

/** The actions in the audit table, newest first, as the user reads them. */
async function actions(page: Page): Promise<string[]> {
  const table = page.getByRole("table", { name: "Audit events, newest first" });
  await visible(table);
  return table
    .locator("tbody tr")
    .evaluateAll((trs) => trs.map((tr) => tr.querySelectorAll("td")[2]?.textContent?.trim() ?? ""));
}

/** Opens the purge dialog from the Audit log page. */
async function openPurge(page: Page) {
  await page.getByRole("button", { name: "Purge old events…" }).click();
  const dialog = page.getByRole("dialog", { name: DIALOG });
  await visible(dialog.getByRole("button", { name: "Purge", exact: true }));
  return dialog;
}

/** The status message above the list that says how a purge went. */
const outcome = (page: Page, text: string) => page.getByRole("status").filter({ hasText: text });

/**
 * A second tenant made on the server's clock set `days` back, so every event of its creation is
 * that old; later events (signing in) are stamped with the real time again.
 */
async function tenantMadeDaysAgo(e: E2e, days: number): Promise<E2eTenant> {
  const deps = e.app.core.deps as { clock: { now(): Date } };
  const real = deps.clock;
  deps.clock = { now: () => new Date(real.now().getTime() - days * DAY_MS) };
  try {
    return await e.createTenant();
  } finally {
    deps.clock = real;
  }
}

/** The administrator of `tenant` through the SDK, signed in now (the tenant's own token is old). */
async function adminNow(e: E2e, tenant: E2eTenant): Promise<Staffgate> {
  const { token } = await e.api.auth.login({ tenant: tenant.slug, login: "admin", password: ADMIN_PASSWORD });
  return e.api.withToken(token);
}

const horizonNow = () => Date.now() - DEFAULT_RETENTION_DAYS * DAY_MS;

describe("audit purge", () => {
  const { e, tenant, signedIn } = useE2e();
  beforeAll(async () => {
    const auditor = await tenant.admin.roles.create({ name: "Auditor", permissions: ["audit.view"] });
    await tenant.admin.users.create({
      username: "auditor",
      email: "auditor@example.test",
      firstName: "Aud",
      lastName: "Itor",
      roleId: auditor.id,
      password: AUDITOR_PASSWORD,
      mustChangePassword: false,
    });
  });

  it("says what a purge deletes, purges nothing on Cancel, and on Purge says none were old enough", async () => {
    const page = await signedIn({ path: "/audit" });
    await visible(page.getByRole("table", { name: "Audit events, newest first" }));
    let dialog = await openPurge(page);
    const body = dialog.locator(".dialog-body");
    await hasText(
      body,
      new RegExp(`^Events older than the retention period of ${DEFAULT_RETENTION_DAYS} days `),
    );
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText is the rendered text a person reads.
    const text = await body.innerText();
    expect(text).toContain("will be deleted permanently. This cannot be undone.");
    expect(text).toContain("The events that remain stay verifiable");
    expect(text).toContain("The purge itself is recorded in the audit log");
    // The cut-off: now minus the retention, as a date in the viewer's own words.
    const time = body.locator("time");
    const at = Date.parse((await time.getAttribute("datetime")) ?? "");
    expect(Math.abs(at - horizonNow())).toBeLessThan(120_000);
    const day = await page.evaluate(
      (ms) => new Date(ms).toLocaleDateString(undefined, { dateStyle: "long" }),
      at,
    );
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText is the rendered text a person reads.
    const cutOff = await time.innerText();
    expect(cutOff).toContain(day);
    expect(text).toContain(`(recorded before ${cutOff})`);
    await shot(page, "audit-purge-dialog");

    await dialog.getByRole("button", { name: "Cancel" }).click();
    await gone(dialog);
    expect((await tenant.admin.audit.list({ action: "audit.purged" })).items).toEqual([]);

    dialog = await openPurge(page);
    await dialog.getByRole("button", { name: "Purge", exact: true }).click();
    await gone(dialog);
    await hasText(outcome(page, "No events are older"), "No events are older than the retention period.");
    const [purged] = (await tenant.admin.audit.list({ action: "audit.purged" })).items;
    expect(purged?.changes?.purged?.after).toBe(0);
    expect(purged?.changes?.retentionDays?.after).toBe(DEFAULT_RETENTION_DAYS);
    // The list is read again: the purge is its newest event, done by the administrator.
    await expect.poll(async () => (await actions(page))[0]).toBe("audit.purged");
    const row = page.getByRole("table", { name: "Audit events, newest first" }).locator("tbody tr").first();
    await hasText(row.locator("td").nth(1), "admin");
    // The focus is back on the button that opened the dialog.
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.textContent))
      .toBe("Purge old events…");
  });

  it("names the tenant's own retention period", async () => {
    const settings = await tenant.admin.settings.get();
    await tenant.admin.settings.update({ auditRetentionDays: 3650 }, { ifMatch: settings.version });
    try {
      const page = await signedIn({ path: "/audit" });
      const dialog = await openPurge(page);
      await hasText(dialog.locator(".dialog-body strong").first(), "3650 days");
      const at = Date.parse((await dialog.locator("time").getAttribute("datetime")) ?? "");
      expect(Math.abs(at - (Date.now() - 3650 * DAY_MS))).toBeLessThan(120_000);
    } finally {
      const now = await tenant.admin.settings.get();
      await tenant.admin.settings.update(
        { auditRetentionDays: DEFAULT_RETENTION_DAYS },
        { ifMatch: now.version },
      );
    }
  });

  it("is not offered to a user who may view the log but not manage settings", async () => {
    const page = await signedIn({ path: "/audit", login: "auditor", password: AUDITOR_PASSWORD });
    await visible(page.getByRole("table", { name: "Audit events, newest first" }));
    await visible(page.getByRole("button", { name: "Verify chain" }));
    expect(await page.getByRole("button", { name: /^Purge/ }).count()).toBe(0);
  });

  it("deletes the events older than the retention period; the rest still verifies", async () => {
    const old = await tenantMadeDaysAgo(e, DEFAULT_RETENTION_DAYS + 5);
    const page = await e.newPage();
    await signInWithPage(page, old, "admin", ADMIN_PASSWORD);
    const admin = await adminNow(e, old);
    const before = (await admin.audit.list({ limit: 200 })).items;
    const aged = before.filter((ev) => Date.parse(ev.at) < horizonNow());
    expect(aged.length).toBeGreaterThan(0);
    expect(aged.length).toBeLessThan(before.length);

    await page.goto("/audit");
    await expect.poll(() => actions(page)).toEqual(before.map((ev) => ev.action));
    const intact = page.getByText(
      /^The audit chain is intact: \d+ events checked, none altered or missing\.$/,
    );
    await page.getByRole("button", { name: "Verify chain" }).click();
    await hasText(
      intact,
      `The audit chain is intact: ${before.length} events checked, none altered or missing.`,
    );
    const dialog = await openPurge(page);
    await dialog.getByRole("button", { name: "Purge", exact: true }).click();
    await gone(dialog);
    const said = `Purged ${aged.length} event${aged.length === 1 ? "" : "s"}.`;
    await hasText(outcome(page, said), said);
    // The verdict from before the purge counted events that are gone: it is not shown any more.
    expect(await intact.count()).toBe(0);
    await shot(page, "audit-purge-done");

    const after = (await admin.audit.list({ limit: 200 })).items;
    expect(after.map((ev) => ev.seq).sort((a, b) => a - b)[0]).toBeGreaterThan(
      Math.max(...aged.map((ev) => ev.seq)),
    );
    expect(after[0]?.action).toBe("audit.purged");
    expect(after[0]?.changes?.purged?.after).toBe(aged.length);
    await expect.poll(() => actions(page)).toEqual(after.map((ev) => ev.action));

    await page.getByRole("button", { name: "Verify chain" }).click();
    await hasText(
      intact,
      `The audit chain is intact: ${after.length} events checked, none altered or missing.`,
    );
  });

  it("refuses in words, deleting nothing, when the chain is broken among the events to delete", async () => {
    const old = await tenantMadeDaysAgo(e, DEFAULT_RETENTION_DAYS + 5);
    const page = await e.newPage();
    await signInWithPage(page, old, "admin", ADMIN_PASSWORD);
    const admin = await adminNow(e, old);
    const aged = async () =>
      (await admin.audit.list({ limit: 200 })).items.filter((ev) => Date.parse(ev.at) < horizonNow()).length;
    // A forged anchor: the first event no longer links to the hash the chain starts from.
    const db = e.app.core.deps.db.kysely;
    const forge = (hash: string) =>
      db
        .updateTable("audit_heads")
        .set({ purged_through_hash: hash })
        .where("tenant_id", "=", old.id)
        .execute();
    await forge("f".repeat(64));
    try {
      const total = await aged();
      expect(total).toBeGreaterThan(0);
      await page.goto("/audit");
      const dialog = await openPurge(page);
      await dialog.getByRole("button", { name: "Purge", exact: true }).click();
      await hasText(dialog.getByRole("alert"), BROKEN);
      await shot(page, "audit-purge-broken");
      expect(await aged()).toBe(total);
      await dialog.getByRole("button", { name: "Cancel" }).click();
      await gone(dialog);
      expect(await outcome(page, "Purged").count()).toBe(0);
    } finally {
      await forge("0".repeat(64));
    }
  });
});
