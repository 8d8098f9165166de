/**
 * Emergency access: a clinician opens it with a reason and the password (a wrong one refused in
 * words), sees it open with its end time, ends it; an administrator reviews it.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { gone, hasText, shot, useE2e, visible } from "./harness.ts";

const PASSWORD = "copper-lagoon-thistle-4409";
const REASON = "Patient collapsed in the waiting room; the chart is needed now";

describe("emergency access", () => {
  const { tenant, signedIn } = useE2e();
  let clinicianId: string;
  beforeAll(async () => {
    const role = await tenant.admin.roles.create({
      name: "On-call clinician",
      permissions: ["emergency_access.use"],
    });
    const user = await tenant.admin.users.create({
      firstName: "Cal",
      lastName: "Clinician",
      username: "cal",
      email: `cal@${tenant.slug}.example`,
      roleId: role.id,
      password: PASSWORD,
      mustChangePassword: false,
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

    await open.getByRole("button", { name: "End now" }).click();
    await hasText(page.getByRole("status"), "Your emergency access has ended.");
    await visible(page.getByText("You have no emergency access open."));
    expect((await elevations())[0]).toMatchObject({ status: "ended", endedBy: clinicianId });
  });

  it("lets an administrator review the ended emergency access with a note", async () => {
    const page = await signedIn({ path: "/emergency-access" });
    await visible(page.getByRole("heading", { name: "All emergency access" }));
    const row = page.getByRole("row", { name: /Cal Clinician/ });
    await hasText(row.getByRole("cell").nth(1), "Patient PAT-2002");
    await hasText(row.getByRole("cell").nth(2), REASON);
    await row.getByRole("button", { name: /^Review/ }).click();
    const dialog = page.getByRole("dialog", { name: "Review emergency access" });
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

  it("says, where Review would be, that the opener's own access needs someone else to review it", async () => {
    // A practice's one administrator opens emergency access: nobody else may review it yet.
    await tenant.admin.emergencyAccess.open({
      patientRef: "PAT-3003",
      reason: "Night shift: the on-call vet is unreachable",
      password: tenant.adminPassword,
    });
    const page = await signedIn({ path: "/emergency-access" });
    const row = page.getByRole("row", { name: /Ada Admin/ });
    const review = row.getByRole("cell").nth(6);
    await hasText(
      review,
      "Not reviewed yet\nA review needs someone other than you: another person with “View audit log” (audit.view) or “Manage users” (users.manage).",
    );
    expect(await row.getByRole("button", { name: /^Review/ }).count()).toBe(0);
    // Someone else's access still shows its review (Cal's, reviewed above).
    await hasText(
      page
        .getByRole("row", { name: /Cal Clinician/ })
        .getByRole("cell")
        .nth(6),
      /^Reviewed /,
    );
    await shot(page, "emergency-access-own-review");
  });
});
