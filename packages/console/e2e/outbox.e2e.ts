/**
 * Outbox: an administrator sees the practice's emails with their kind and delivery state; a body
 * only once it was printed to the server log (no mail server), so an email still waiting or sent by
 * SMTP never brings its one-time token to the page, and a printed one shows its link; the State and Recipient filters
 * narrow the list and stay in the address; a practice with no email says so; someone without
 * settings.manage neither sees the page in the navigation nor gets it.
 *
 * The e2e server runs without a mailer (harness.ts passes no `mail`), so every email stays
 * "Waiting to be sent". One invitation is marked sent and one failing in the database, as the
 * mailer would record them, so that each state is shown and each State filter has its own row.
 */
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { ADMIN_PASSWORD, hasText, shot, signInWithPage, useE2e, visible } from "./harness.ts";
import { STAFF_PASSWORD, staff } from "./users-seed.ts";

const FAILURE = "connect ECONNREFUSED 127.0.0.1:587";

/** The outbox rows as the user reads them: [when, to, subject, kind, state]. */
async function rows(page: Page): Promise<string[][]> {
  const table = page.getByRole("table", { name: "Emails, newest first" });
  await visible(table);
  return table
    .locator("tbody tr")
    .evaluateAll((trs) =>
      trs.map((tr) => [
        ...[...tr.querySelectorAll("td")].slice(0, 4).map((td) => td.textContent?.trim() ?? ""),
        tr.querySelector(".outbox-state")?.textContent?.trim() ?? "",
      ]),
    );
}

/** The recipients listed, once the list shows exactly `expected` (in any order). */
async function listsExactly(page: Page, expected: string[]): Promise<void> {
  await expect
    .poll(async () => (await rows(page)).map((r) => r[1]).sort(), { timeout: 10_000 })
    .toEqual([...expected].sort());
}

async function search(page: Page, filters: { state?: string; to?: string }): Promise<void> {
  if (filters.state !== undefined) await page.getByLabel("State").selectOption({ label: filters.state });
  if (filters.to !== undefined) await page.getByLabel("Recipient").fill(filters.to);
  await page.getByRole("button", { name: "Search", exact: true }).click();
}

describe("outbox", () => {
  const { e, tenant, signedIn } = useE2e();
  const invited = { waiting: "", sent: "", failing: "" };
  let token = "";
  let sentAt = "";

  beforeAll(async () => {
    const roles = await tenant.admin.roles.list({ limit: 200 });
    const viewer = roles.items.find((r) => r.name === "Viewer");
    if (!viewer) throw new Error("no Viewer role in the preset");
    // Invited (no password): each is sent an invitation with a one-time link.
    invited.waiting = (await staff(tenant, "Odile", "Marchand", { roleId: viewer.id, invite: true })).email;
    invited.sent = (await staff(tenant, "Piet", "Janssen", { roleId: viewer.id, invite: true })).email;
    invited.failing = (await staff(tenant, "Rosa", "Lindqvist", { roleId: viewer.id, invite: true })).email;
    // A Viewer signs in with a password: no settings.manage.
    await staff(tenant, "Vera", "Stone", { roleId: viewer.id, username: "vstone" });

    const link = await e.emailLink(invited.waiting, "user.invitation");
    token = link.split("#token=")[1] ?? "";
    expect(token.length).toBeGreaterThan(10);

    // What the mailer records after a delivery, and after three refused ones.
    const db = e.app.core.deps.db.allTenants;
    sentAt = new Date().toISOString();
    await db
      .updateTable("outbox")
      .set({ sent_at: sentAt, sent_via: "smtp", attempts: 1 })
      .where("to_address", "=", invited.sent)
      .execute();
    await db
      .updateTable("outbox")
      .set({ attempts: 3, last_error: FAILURE, next_attempt_at: "2999-01-01T00:00:00.000Z" })
      .where("to_address", "=", invited.failing)
      .execute();
  });

  it("lists the invitations with their kind and state, and no body or token of one not printed", async () => {
    const page = await signedIn();
    const nav = page.getByRole("navigation", { name: "Main" });
    const links = await nav.getByRole("link").allInnerTexts();
    expect(links.indexOf("Outbox")).toBe(links.indexOf("Settings") + 1);
    const answered = page.waitForResponse((r) => new URL(r.url()).pathname === "/api/v1/outbox");
    await nav.getByRole("link", { name: "Outbox" }).click();
    const answer = await (await answered).text();
    await visible(page.getByRole("heading", { name: "Outbox" }));
    expect(page.url()).toBe(`${e.url}/outbox`);
    await visible(
      page.getByText(
        "Delivery status of the emails Staffgate sent for this practice. While no mail server is set up, the emails are printed to the server log, and their links are shown here for you and for the people whose password you could set; other contents stay hidden, as they can hold one-time sign-in links.",
      ),
    );

    const all = await rows(page);
    const server = await tenant.admin.outbox.list({ limit: 50 });
    expect(all.map((r) => r[1])).toEqual(server.items.map((m) => m.to));
    const row = (to: string) => all.find((r) => r[1] === to)?.slice(1);
    const subject = "You are invited to Riverside Veterinary Clinic";
    expect(row(invited.waiting)).toEqual([invited.waiting, subject, "Invitation", "Waiting to be sent"]);
    const sentWhen = await page.evaluate(
      (iso) =>
        new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" }).format(
          new Date(iso),
        ),
      sentAt,
    );
    expect(row(invited.sent)).toEqual([invited.sent, subject, "Invitation", `Sent ${sentWhen} via smtp`]);
    expect(row(invited.failing)).toEqual([
      invited.failing,
      subject,
      "Invitation",
      `Failing: 3 attempts — ${FAILURE}`,
    ]);
    const created = server.items.find((m) => m.to === invited.waiting)?.createdAt ?? "";
    const createdAt = await page.evaluate(
      (iso) =>
        new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" }).format(
          new Date(iso),
        ),
      created,
    );
    expect(all.find((r) => r[1] === invited.waiting)?.[0]).toBe(createdAt);

    // The invitation's one-time token is nowhere: not in the page (text or markup), not in what the
    // API answered.
    expect(await page.content()).not.toContain(token);
    expect(answer).toContain(invited.waiting);
    expect(answer).not.toContain(token);
    expect(answer).not.toContain("accept-invitation");
    await shot(page, "outbox");
  });

  it("narrows the list by state and by recipient (any case), and keeps the filter in the address", async () => {
    const page = await signedIn({ path: "/outbox" });
    await listsExactly(page, [invited.waiting, invited.sent, invited.failing]);

    await search(page, { state: "Waiting" });
    await listsExactly(page, [invited.waiting]);
    expect(new URL(page.url()).search).toBe("?state=pending");
    await search(page, { state: "Sent" });
    await listsExactly(page, [invited.sent]);
    await search(page, { state: "Failing" });
    await listsExactly(page, [invited.failing]);
    expect((await rows(page))[0]?.[4]).toBe(`Failing: 3 attempts — ${FAILURE}`);

    // A reload shows the same filtered view, the form included.
    await page.reload();
    await listsExactly(page, [invited.failing]);
    expect(await page.getByLabel("State").inputValue()).toBe("failing");

    await search(page, { state: "All", to: invited.sent.toUpperCase() });
    await listsExactly(page, [invited.sent]);
    await search(page, { state: "Waiting" });
    await hasText(page.locator("p.empty"), "No emails match these filters.");
    expect(await page.getByRole("table").count()).toBe(0);

    await page.getByRole("button", { name: "Clear filters" }).click();
    await listsExactly(page, [invited.waiting, invited.sent, invited.failing]);
    expect(new URL(page.url()).search).toBe("");
    expect(await page.getByLabel("Recipient").inputValue()).toBe("");
  });

  it("shows the link of an email printed to the server log, and its full text", async () => {
    const other = await e.createTenant({ name: "Printing Clinic" });
    const viewer = (await other.admin.roles.list({ limit: 200 })).items.find((r) => r.name === "Viewer");
    const printed = await staff(other, "Lena", "Berg", { roleId: viewer!.id, invite: true });
    const link = await e.emailLink(printed.email, "user.invitation");
    // What the mailer records when it prints a message to the log (no SMTP server).
    await e.app.core.deps.db.allTenants
      .updateTable("outbox")
      .set({ sent_at: new Date().toISOString(), sent_via: "log", attempts: 1 })
      .where("to_address", "=", printed.email)
      .execute();
    const page = await e.newPage();
    await signInWithPage(page, other, "admin", ADMIN_PASSWORD);
    await page.goto("/outbox");
    const links = page.getByRole("list", { name: "Links in “You are invited to Printing Clinic”" });
    const anchor = links.getByRole("link");
    await visible(anchor);
    const href = (await anchor.getAttribute("href")) ?? "";
    expect(new URL(href).pathname + new URL(href).hash).toBe(link);
    await page.getByText("Full message").click();
    await visible(page.locator(".outbox-body pre"));
    expect(await page.locator(".outbox-body pre").textContent()).toContain("Hello Lena");
    // The link's address is the configured public URL (the harness's is not this server's).
    await page.goto(link);
    await visible(page.getByRole("heading", { name: "Accept invitation" }));
  });

  it("shows the link of an email printed while the page is open, without a reload", async () => {
    const other = await e.createTenant({ name: "Waiting Clinic" });
    const viewer = (await other.admin.roles.list({ limit: 200 })).items.find((r) => r.name === "Viewer");
    const printed = await staff(other, "Mia", "Kask", { roleId: viewer!.id, invite: true });
    const page = await e.newPage();
    await signInWithPage(page, other, "admin", ADMIN_PASSWORD);
    await page.goto("/outbox");
    await visible(page.getByRole("table", { name: "Emails, newest first" }));
    const links = page.getByRole("list", { name: "Links in “You are invited to Waiting Clinic”" });
    expect(await links.count()).toBe(0);
    // The mailer prints it to the log (no SMTP server) now, with the page open.
    await e.app.core.deps.db.allTenants
      .updateTable("outbox")
      .set({ sent_at: new Date().toISOString(), sent_via: "log", attempts: 1 })
      .where("to_address", "=", printed.email)
      .execute();
    await visible(links.getByRole("link"));
  });

  it("says so when the practice has no email", async () => {
    const other = await e.createTenant({ name: "Quiet Clinic" });
    const page = await e.newPage();
    await signInWithPage(page, other, "admin", ADMIN_PASSWORD);
    await page.goto("/outbox");
    await hasText(page.locator("p.empty"), "Staffgate has not sent any email for this practice yet.");
    expect(await page.getByRole("table").count()).toBe(0);
  });

  it("is not offered to a user without settings.manage, and says so at /outbox", async () => {
    const page = await signedIn({ login: "vstone", password: STAFF_PASSWORD });
    const nav = page.getByRole("navigation", { name: "Main" });
    await visible(nav.getByRole("link", { name: "Profile" }));
    expect(await nav.getByRole("link", { name: "Outbox" }).count()).toBe(0);
    await page.goto("/outbox");
    await visible(page.getByRole("heading", { name: "Outbox" }));
    await hasText(
      page.getByRole("alert"),
      "Access denied: the outbox needs the “Manage security settings” permission (settings.manage).",
    );
    expect(await page.getByRole("table").count()).toBe(0);
    expect(await page.locator("body").textContent()).not.toContain(invited.waiting);
  });
});
