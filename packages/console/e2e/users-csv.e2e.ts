/**
 * Users as CSV (PRODUCT.md §7) on the Users page: "Export Users as CSV" downloads the users the filters
 * match; "Import Users from CSV" checks a chosen file at once (a dry run, nothing written) and shows what
 * each line will do, and "Import" creates the new users as invited and updates the matched ones.
 * A row with an error keeps Import disabled and nothing is written; a file the API cannot read is
 * said in words. A user without users.manage may export but is not offered the import.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Locator, Page } from "playwright-core";
import { beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { gone, hasText, shot, useE2e, visible } from "./harness.ts";
import { type Seeded, STAFF_PASSWORD, seedClinic } from "./users-seed.ts";

const DIALOG = "Import Users from CSV";

/** The usernames the table shows, sorted. */
async function shownUsernames(page: Page): Promise<string[]> {
  const cells = await page.locator("table.users-table tbody tr td:nth-child(2)").allInnerTexts();
  return cells.map((c) => c.trim()).sort();
}

/** Clicks "Export Users as CSV" and returns the download's file name and its lines. */
async function exportCsv(page: Page): Promise<{ name: string; lines: string[] }> {
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Export Users as CSV" }).click(),
  ]);
  const lines = readFileSync(await download.path(), "utf8")
    .trim()
    .split(/\r?\n/);
  return { name: download.suggestedFilename(), lines };
}

/** Opens the import dialog and chooses a file with this text; waits for the check to end. */
async function chooseFile(page: Page, csv: string, name = "staff.csv"): Promise<Locator> {
  const dialog = page.getByRole("dialog", { name: DIALOG });
  if ((await dialog.count()) === 0) {
    await page.getByRole("button", { name: "Import Users from CSV" }).click();
    await visible(dialog);
  }
  await dialog.getByLabel("CSV file").setInputFiles({ name, mimeType: "text/csv", buffer: Buffer.from(csv) });
  return dialog;
}

/** The check's table as [line, email, what will happen] per row. */
async function reportRows(dialog: Locator): Promise<string[][]> {
  const table = dialog.getByRole("table", { name: "What the import will do, line by line" });
  await visible(table);
  return table
    .locator("tbody tr")
    .evaluateAll((trs) =>
      trs.map((tr) => Array.from(tr.querySelectorAll("td"), (td) => td.textContent?.trim() ?? "")),
    );
}

describe("users CSV import and export", () => {
  const { e, tenant, signedIn } = useE2e({ name: "Riverside Radiotherapy" });
  let s: Seeded;
  beforeAll(async () => {
    s = await seedClinic(e, tenant);
  });

  it("exports the users the filters match as users-<date>.csv", async () => {
    const page = await signedIn();
    await visible(page.getByRole("heading", { name: "Users" }));
    // The default view (active and invited), exported as shown.
    const current = [...s.active, "aokafor"].sort();
    await expect.poll(() => shownUsernames(page)).toEqual(current);

    const all = await exportCsv(page);
    expect(all.name).toMatch(/^users-\d{4}-\d{2}-\d{2}\.csv$/);
    expect(all.lines[0]?.startsWith("username,email,")).toBe(true);
    const usernames = all.lines.slice(1).map((l) => l.split(",")[0]);
    expect(usernames.sort()).toEqual(current);
    expect(all.lines.some((l) => l.startsWith("praman,praman@riverside-rt.example,Priya,Raman,"))).toBe(true);
    await visible(page.getByRole("status").filter({ hasText: all.name }));

    // The search narrows the export as it narrows the list.
    await page.getByLabel("Search users").fill("herrera");
    await expect.poll(() => shownUsernames(page)).toEqual(["therrera"]);
    const one = await exportCsv(page);
    expect(one.lines.slice(1).map((l) => l.split(",")[0])).toEqual(["therrera"]);
  });

  it("checks a file at once, then imports it: a new user invited, a matched user updated", async () => {
    const page = await signedIn();
    const csv = [
      "username,email,firstName,lastName,title,role,workRole",
      "nokoye,nia.okoye@example.test,Nia,Okoye,,Viewer,Nurse",
      ",THERRERA@riverside-rt.example,,,Chief Physicist,,",
    ].join("\n");
    const dialog = await chooseFile(page, csv);
    expect(await reportRows(dialog)).toEqual([
      ["2", "nia.okoye@example.test", "Create"],
      ["3", "THERRERA@riverside-rt.example", "Update"],
    ]);
    await hasText(
      dialog.getByRole("status"),
      "staff.csv: 1 to create, 1 to update, 0 unchanged, 0 with errors.",
    );
    await shot(page, "users-import-check");
    // The check wrote nothing.
    expect((await tenant.admin.users.list({ q: "nokoye", status: "all" })).items).toEqual([]);
    expect((await tenant.admin.users.get(s.user("therrera"))).title).toBeNull();

    const importButton = dialog.getByRole("button", { name: "Import", exact: true });
    expect(await importButton.isEnabled()).toBe(true);
    await importButton.click();
    await gone(dialog);
    await visible(page.getByRole("status").filter({ hasText: "Imported: 1 created (invited), 1 updated." }));

    const [nia] = (await tenant.admin.users.list({ q: "nokoye", status: "all" })).items;
    expect(nia).toMatchObject({
      username: "nokoye",
      email: "nia.okoye@example.test",
      status: "invited",
      roleId: s.role("Viewer"),
      workRole: "Nurse",
    });
    await e.lastEmail("nia.okoye@example.test");
    // Blank cells kept the values: only the title changed.
    expect(await tenant.admin.users.get(s.user("therrera"))).toMatchObject({
      firstName: "Tomás",
      lastName: "Herrera",
      title: "Chief Physicist",
      roleId: s.role("Physicist"),
      workRole: "Medical Physicist",
    });
    // The list was reloaded: the invited user is among the invited.
    await page.getByLabel("Status").selectOption({ label: "Invited" });
    await expect.poll(() => shownUsernames(page)).toEqual(["aokafor", "nokoye"]);
  });

  it("keeps Import disabled when a row has an error, writes nothing, and says what is wrong with a file", async () => {
    const page = await signedIn();
    const csv = [
      "username,email,firstName,lastName,role",
      "bvance,bea.vance@example.test,Bea,Vance,Viewer",
      "cmoss,cal.moss@example.test,Cal,Moss,Head Chef",
    ].join("\n");
    const dialog = await chooseFile(page, csv);
    expect(await reportRows(dialog)).toEqual([
      ["2", "bea.vance@example.test", "Create"],
      ["3", "cal.moss@example.test", 'Error: role: no role named "Head Chef"'],
    ]);
    await hasText(
      dialog.getByRole("status"),
      "staff.csv: 1 to create, 0 to update, 0 unchanged, 1 with errors. Correct the rows with errors in the file and choose it again: nothing has been written.",
    );
    await shot(page, "users-import-errors");
    const importButton = dialog.getByRole("button", { name: "Import", exact: true });
    expect(await importButton.isDisabled()).toBe(true);
    for (const q of ["bvance", "cmoss"]) {
      expect((await tenant.admin.users.list({ q, status: "all" })).items).toEqual([]);
    }

    // A file the API cannot read (an unknown column) is said in words; the old check is gone.
    await chooseFile(page, "email,nickname\nbea.vance@example.test,Bea\n", "other.csv");
    await hasText(
      dialog.getByRole("alert"),
      /^This file cannot be imported: it has an unknown column "nickname" \(columns: username, email, .*\)\. Nothing was written\.$/,
    );
    expect(await dialog.getByRole("table").count()).toBe(0);
    expect(await importButton.isDisabled()).toBe(true);

    await dialog.getByRole("button", { name: "Cancel" }).click();
    await gone(dialog);
    expect((await tenant.admin.users.list({ q: "bvance", status: "all" })).items).toEqual([]);
  });

  it("checks the same file again when it is chosen again after being corrected", async () => {
    const page = await signedIn();
    // A file on disk, chosen by its path as a person's file picker does: choosing the same path
    // again is no change to the input unless the dialog cleared it after reading.
    const dir = mkdtempSync(path.join(tmpdir(), "sg-csv-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, "staff.csv");
    writeFileSync(
      file,
      "username,email,firstName,lastName,role\ndfox,dana.fox@example.test,Dana,Fox,Head Chef\n",
    );
    await page.getByRole("button", { name: "Import Users from CSV" }).click();
    const dialog = await visible(page.getByRole("dialog", { name: DIALOG }));
    const input = dialog.getByLabel("CSV file");
    await input.setInputFiles(file, { timeout: 5_000 });
    expect(await reportRows(dialog)).toEqual([
      ["2", "dana.fox@example.test", 'Error: role: no role named "Head Chef"'],
    ]);

    writeFileSync(
      file,
      "username,email,firstName,lastName,role\ndfox,dana.fox@example.test,Dana,Fox,Viewer\n",
    );
    await input.setInputFiles(file, { timeout: 5_000 });
    await expect.poll(() => reportRows(dialog)).toEqual([["2", "dana.fox@example.test", "Create"]]);
    expect(await dialog.getByRole("button", { name: "Import", exact: true }).isEnabled()).toBe(true);
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await gone(dialog);
  });

  it("shows every problem of a row at once, each with its column", async () => {
    const page = await signedIn();
    const csv = [
      "username,email,firstName,lastName,role,phone,workspaceRoles,status",
      "zed,zed.quinn@example.test,Zed,,Head Chef,12,ward-x=Viewer,archived",
    ].join("\n");
    const dialog = await chooseFile(page, csv);
    expect(await reportRows(dialog)).toEqual([
      [
        "2",
        "zed.quinn@example.test",
        'Error: lastName: is required for a new user; phone: must be empty or an E.164 number: + and 7 to 15 digits; role: no role named "Head Chef"; workspaceRoles: no workspace "ward-x"; status: a new user cannot be created archived; leave it out of the file',
      ],
    ]);
    expect(await dialog.getByRole("button", { name: "Import", exact: true }).isDisabled()).toBe(true);
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await gone(dialog);
  });

  it("says the server's row limit and gives examples from the practice's own workspaces and roles", async () => {
    const page = await signedIn();
    await visible(page.getByRole("heading", { name: "Users" }));
    await page.getByRole("button", { name: "Import Users from CSV" }).click();
    const dialog = page.getByRole("dialog", { name: DIALOG });
    await visible(dialog);
    // The contract's MAX_IMPORT_ROWS (it said 5,000, and the server refused more than 1,000).
    await visible(dialog.getByText(/Up to 1,000 rows\.$/));
    expect(await dialog.getByText(/5,000/).count()).toBe(0);
    const slugs = (await tenant.admin.workspaces.list({ limit: 200 })).items.map((w) => w.slug);
    const roles = (await tenant.admin.roles.list({ limit: 200 })).items.map((r) => r.name);
    const example = dialog.locator("code", { hasText: "=" });
    // Neutral while the practice's workspaces and roles load, then theirs.
    await expect.poll(() => example.textContent()).not.toMatch(/^ward-a=/);
    const said = (await example.textContent()) ?? "";
    const pairs = said.split(";").map((pair) => pair.split("="));
    expect(pairs.length).toBe(2);
    for (const [slug, role] of pairs) {
      expect(slugs).toContain(slug);
      expect(roles).toContain(role);
    }
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await gone(dialog);
  });

  it("offers a user without users.manage Export but not Import", async () => {
    const page = await signedIn({ login: "frontdesk", password: STAFF_PASSWORD });
    await visible(page.getByRole("heading", { name: "Users" }));
    await visible(page.getByRole("button", { name: "Export Users as CSV" }));
    expect(await page.getByRole("button", { name: "Import Users from CSV" }).count()).toBe(0);
    const { lines } = await exportCsv(page);
    expect(lines[0]?.startsWith("username,email,")).toBe(true);
    expect(lines.some((l) => l.startsWith("frontdesk,"))).toBe(true);
  });
});
