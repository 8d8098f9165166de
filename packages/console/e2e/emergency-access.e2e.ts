/**
 * Emergency access: a clinician opens it with a reason and the password (empty fields and a short
 * reason said before sending, a wrong password refused in words), sees it open with its end time,
 * ends it after a confirmation; an administrator reviews it, seeing what was done under it (and
 * told when it is still open), and ends someone else's only after a confirmation naming whose and
 * what.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { axeViolations } from "./axe.ts";
import { gone, hasText, shot, useE2e, visible } from "./harness.ts";
import { createStaff } from "./users-seed.ts";

const PASSWORD = "copper-lagoon-thistle-4409";
const REASON = "Patient collapsed in the waiting room; the chart is needed now";

describe("emergency access", () => {
  const { e, tenant, signedIn } = useE2e();
  let clinicianId: string;
  beforeAll(async () => {
    const role = await tenant.admin.roles.create({
      name: "On-call clinician",
      permissions: ["emergency_access.use"],
    });
    const user = await createStaff(tenant, "cal", PASSWORD, {
      firstName: "Cal",
      lastName: "Clinician",
      roleId: role.id,
    });
    clinicianId = user.id;
  });

  const elevations = async () =>
    (await tenant.admin.emergencyAccess.list({ limit: 50 })).items.filter((x) => x.userId === clinicianId);

  it("opens emergency access with a reason and the password, shows it open, and ends it", async () => {
    const page = await signedIn({ path: "/emergency-access", login: "cal", password: PASSWORD });
    await visible(page.getByText("You have no emergency access open."));
    await page.getByRole("button", { name: "Open emergency access" }).click();
    const dialog = page.getByRole("dialog", { name: "Open emergency access" });
    await visible(dialog.getByText(/It ends by itself after/));
    // The page's own "Open emergency access" is hidden behind the dialog: the name finds one button.
    await expect.poll(() => page.getByRole("button", { name: "Open emergency access" }).count()).toBe(1);
    // Empty, every field says what it needs before anything is sent: a blank reason too.
    await dialog.getByRole("button", { name: "Open emergency access" }).click();
    const errorOf = (label: string) =>
      dialog.locator(".field", { has: page.getByLabel(label, { exact: true }) }).locator(".field-error");
    await hasText(errorOf("Patient reference"), "Enter the patient reference, or choose a workspace.");
    await hasText(errorOf("Reason"), "Enter why you need this access now.");
    await hasText(errorOf("Your password"), "Enter your password to confirm it is you.");
    await dialog.getByLabel("Reason").fill("   ");
    await dialog.getByRole("button", { name: "Open emergency access" }).click();
    await hasText(errorOf("Reason"), "Enter why you need this access now.");
    expect(await elevations()).toEqual([]);
    await dialog.getByLabel("Patient reference").fill("PAT-2002");
    await dialog.getByLabel("Reason").fill(REASON);
    const password = dialog.getByLabel("Your password");
    expect(await password.getAttribute("autocomplete")).toBe("current-password");
    await password.fill("not my password at all");
    await dialog.getByRole("button", { name: "Open emergency access" }).click();
    await hasText(
      dialog.locator(".field", { has: page.getByLabel("Your password") }).locator(".field-error"),
      "That password is not correct. Emergency access was not opened.",
    );
    expect(await elevations()).toEqual([]);

    await password.fill(PASSWORD);
    await dialog.getByRole("button", { name: "Open emergency access" }).click();
    await gone(dialog);
    const [opened] = await elevations();
    expect(opened).toMatchObject({ status: "open", patientRef: "PAT-2002", reason: REASON });
    const until = await page.evaluate(
      (iso) =>
        new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso)),
      opened?.expiresAt ?? "",
    );
    const open = page.getByRole("region", { name: "Your open emergency access" });
    await hasText(open.locator("p").first(), `Emergency access is open for patient PAT-2002 until ${until}.`);
    // Four hours by default: the time box the tenant sets.
    const hours = (Date.parse(opened?.expiresAt ?? "") - Date.parse(opened?.openedAt ?? "")) / 3_600_000;
    expect(hours).toBe(4);
    await visible(page.getByRole("row", { name: /Cal Clinician/ }).getByText("Not reviewed yet"));
    await shot(page, "emergency-access");
    // The clinical application asks about Cal's access meanwhile: allowed by the elevation, audited.
    const read = await tenant.admin.access.check({
      userId: clinicianId,
      permission: "patients.read",
      patientRef: "PAT-2002",
    });
    expect(read.allowed).toBe(true);

    // Ending asks first, naming what ends; Cancel leaves it open.
    await open.getByRole("button", { name: "End now" }).click();
    const ending = page.getByRole("dialog", { name: "End your emergency access?" });
    await hasText(
      ending.locator(".dialog-body p").first(),
      `Your emergency access to Patient PAT-2002, open until ${until}, ends now. You would need to open emergency access again, with a new reason, to use it.`,
    );
    await ending.getByRole("button", { name: "Cancel" }).click();
    await gone(ending);
    expect((await elevations())[0]).toMatchObject({ status: "open" });
    await open.getByRole("button", { name: "End now" }).click();
    await ending.getByRole("button", { name: "End access" }).click();
    await gone(ending);
    await hasText(page.getByRole("status"), "Your emergency access has ended.");
    await visible(page.getByText("You have no emergency access open."));
    expect((await elevations())[0]).toMatchObject({ status: "ended", endedBy: clinicianId });
  });

  it("names the record's scroll box apart from its section on a phone (landmark-unique)", async () => {
    const page = await signedIn({ path: "/emergency-access" });
    await page.setViewportSize({ width: 390, height: 844 });
    await visible(page.getByRole("table", { name: "All emergency access" }));
    // The table scrolls sideways in its own box, a region the keyboard reaches, named apart from
    // the section "All emergency access" around it.
    const box = page.getByRole("region", { name: "All emergency access (table)" });
    await visible(box);
    expect(await page.getByRole("region", { name: "All emergency access", exact: true }).count()).toBe(1);
    expect(await axeViolations(page, { rules: ["landmark-unique", "scrollable-region-focusable"] })).toEqual(
      [],
    );
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it("lets an administrator review the ended emergency access with a note", async () => {
    const page = await signedIn({ path: "/emergency-access" });
    await visible(page.getByRole("heading", { name: "All emergency access" }));
    const row = page.getByRole("row", { name: /Cal Clinician/ });
    await hasText(row.getByRole("cell").nth(1), "Patient PAT-2002");
    await hasText(row.getByRole("cell").nth(2), REASON);
    await row.getByRole("button", { name: /^Review/ }).click();
    const dialog = page.getByRole("dialog", { name: "Review emergency access" });
    // What was done under the elevation, newest first: its end, the decision it allowed, its opening.
    const done = dialog.getByRole("table", { name: "Emergency events of cal during this access" });
    await visible(done);
    const rows = async () =>
      done
        .locator("tbody tr")
        .evaluateAll((trs) =>
          trs.map((tr) => [...tr.querySelectorAll("td")].slice(1).map((td) => td.textContent?.trim() ?? "")),
        );
    expect(await rows()).toEqual([
      ["emergency_access.ended", "cal"],
      ["access.decision", "patients.read on patient PAT-2002"],
      ["emergency_access.opened", "cal"],
    ]);
    expect(await dialog.getByText("still open").count()).toBe(0);
    const [ended] = await elevations();
    const day = (iso: string) =>
      page.evaluate((i) => {
        const d = new Date(i);
        const pad = (n: number) => String(n).padStart(2, "0");
        return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
      }, iso);
    const link = dialog.getByRole("link", { name: "Open these events in the Audit log" });
    expect(await link.getAttribute("href")).toBe(
      `/audit?from=${await day(ended?.openedAt ?? "")}&to=${await day(ended?.endedAt ?? "")}&q=cal`,
    );
    await shot(page, "emergency-access-review");
    await dialog.getByLabel("Review note").fill("Checked with the ward: a genuine emergency.");
    await dialog.getByRole("button", { name: "Mark reviewed" }).click();
    await hasText(page.getByRole("status"), "The emergency access of Cal Clinician was marked reviewed.");
    await hasText(
      row.getByRole("cell").nth(6),
      /^Reviewed .* by Ada Admin: Checked with the ward: a genuine emergency\.$/,
    );
    const [reviewed] = await elevations();
    expect(reviewed?.reviewNote).toBe("Checked with the ward: a genuine emergency.");
    expect(reviewed?.reviewedBy).toBe((await tenant.admin.auth.me()).user.id);
  });

  it("lets a practice's one administrator review their own access, saying whose it is", async () => {
    const own = await tenant.admin.emergencyAccess.open({
      patientRef: "PAT-3003",
      reason: "Night shift: the on-call vet is unreachable",
      password: tenant.adminPassword,
    });
    await tenant.admin.emergencyAccess.end(own.id);
    const page = await signedIn({ path: "/emergency-access" });
    const row = page.getByRole("row", { name: /Ada Admin/ });
    await row.getByRole("button", { name: /^Review/ }).click();
    const dialog = page.getByRole("dialog", { name: "Review emergency access" });
    await hasText(dialog.locator(".warning").first(), /^This is your own emergency access\./);
    await shot(page, "emergency-access-own-review");
    await dialog.getByLabel("Review note").fill("Checked the chart afterwards: the patient was seen.");
    await dialog.getByRole("button", { name: "Mark reviewed" }).click();
    await expect.poll(() => dialog.count()).toBe(0);
    await hasText(row.getByRole("cell").nth(6), /^Reviewed .* by Ada Admin: Checked the chart afterwards/);
  });

  it("asks an administrator before ending someone else's emergency access, naming whose and what", async () => {
    const cal = e.api.withToken(
      (await e.api.auth.login({ tenant: tenant.slug, login: "cal", password: PASSWORD })).token,
    );
    const opened = await cal.emergencyAccess.open({
      patientRef: "PAT-4004",
      reason: REASON,
      password: PASSWORD,
    });
    const page = await signedIn({ path: "/emergency-access" });
    const row = page.getByRole("row", { name: /PAT-4004/ });
    // One person may hold several at once: each row's buttons name theirs, by what and when.
    await visible(
      row.getByRole("button", { name: /^End access of Cal Clinician to Patient PAT-4004, opened \S/ }),
    );
    await visible(
      row.getByRole("button", { name: /^Review the access of Cal Clinician to Patient PAT-4004, opened \S/ }),
    );
    // Reviewing it now is allowed, but the dialog says the access is still open.
    await row.getByRole("button", { name: /^Review/ }).click();
    const review = page.getByRole("dialog", { name: "Review emergency access" });
    await visible(
      review.getByText(
        "This emergency access is still open: what is done under it is not all recorded yet. Review it once it has ended.",
      ),
    );
    await review.getByRole("button", { name: "Cancel" }).click();
    await gone(review);
    await row.getByRole("button", { name: "End access of Cal Clinician" }).click();
    const confirm = page.getByRole("dialog", { name: "End the emergency access of Cal Clinician?" });
    const until = await page.evaluate(
      (iso) =>
        new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso)),
      opened.expiresAt,
    );
    await hasText(
      confirm.locator(".dialog-body p").first(),
      `Cal Clinician’s (cal) emergency access to Patient PAT-4004, open until ${until}, ends now. They would need to open emergency access again, with a new reason, to use it.`,
    );
    await hasText(confirm.locator(".dialog-body p").nth(1), `Reason given: ${REASON}`);
    await shot(page, "emergency-access-end-confirm");
    await confirm.getByRole("button", { name: "Cancel" }).click();
    await gone(confirm);
    const status = async () => (await elevations()).find((x) => x.id === opened.id)?.status;
    expect(await status()).toBe("open");
    await row.getByRole("button", { name: "End access of Cal Clinician" }).click();
    await confirm.getByRole("button", { name: "End access" }).click();
    await gone(confirm);
    await hasText(page.getByRole("status"), "The emergency access of Cal Clinician was ended.");
    expect(await status()).toBe("ended");
  });

  it("opens it for a workspace, each label naming one field, and not for a patient and a workspace at once", async () => {
    const ward = await tenant.admin.workspaces.create({ slug: "night-ward", name: "Night Ward" });
    const page = await signedIn({ path: "/emergency-access", login: "cal", password: PASSWORD });
    await page.getByRole("button", { name: "Open emergency access" }).click();
    const dialog = page.getByRole("dialog", { name: "Open emergency access" });
    // Strict locators: "Workspace" and "Patient" each find one control (the choice they replaced,
    // "One workspace" / "One patient", was found by both).
    await dialog.getByLabel("Workspace").selectOption({ label: "Night Ward" });
    await dialog.getByLabel("Patient").fill("PAT-5005");
    await dialog.getByLabel("Reason").fill(REASON);
    await dialog.getByLabel("Your password").fill(PASSWORD);
    await dialog.getByRole("button", { name: "Open emergency access" }).click();
    await hasText(
      dialog.locator(".field", { has: page.getByLabel("Workspace") }).locator(".field-error"),
      "Choose a workspace or enter a patient reference, not both.",
    );
    const before = (await elevations()).length;
    await dialog.getByLabel("Patient").fill("");
    await dialog.getByRole("button", { name: "Open emergency access" }).click();
    await gone(dialog);
    const [opened] = await elevations();
    expect(await elevations()).toHaveLength(before + 1);
    expect(opened).toMatchObject({ status: "open", workspaceId: ward.id, patientRef: null });
    await tenant.admin.emergencyAccess.end(opened!.id);
  });
});
