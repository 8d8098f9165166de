/**
 * A patient-access manager without users.view (separation of duties, decisions.md): the server
 * lets them grant, but the staff list is closed to them, so Grant access says which permission
 * the list needs and takes the user's ID typed instead, a refusal said beside that field.
 */
import { describe, expect, it } from "vitest";
import { gone, hasText, useE2e } from "./harness.ts";
import { STAFF_PASSWORD, staff } from "./users-seed.ts";

const PATIENT = "PAT-4242";

describe("patient access, granted by someone who cannot list the staff", () => {
  const { tenant, signedIn } = useE2e();

  it("grants to a user by ID, after saying what the staff list needs, and says a wrong ID beside it", async () => {
    const manager = await tenant.admin.roles.create({
      name: "Access desk",
      permissions: ["patient_access.manage", "patients.read"],
    });
    const viewer = (await tenant.admin.roles.list({ limit: 200 })).items.find((r) => r.name === "Viewer");
    await staff(tenant, "Pat", "Porter", { roleId: manager.id });
    const nell = await staff(tenant, "Nell", "Nurse", { roleId: viewer?.id ?? "" });
    const page = await signedIn({
      login: "pporter",
      password: STAFF_PASSWORD,
      path: `/patient-access?patient=${PATIENT}`,
    });
    // Neither the staff list nor a user is asked for: each refusal would be an `authz.failed` in
    // the audit (the grants' list names who granted them).
    const listed: string[] = [];
    page.on("request", (r) => {
      if (new URL(r.url()).pathname.startsWith("/api/v1/users")) listed.push(r.url());
    });

    await page.getByRole("button", { name: "Grant access" }).click();
    const dialog = page.getByRole("dialog", { name: "Grant access" });
    const id = dialog.getByLabel("User ID");
    await hasText(
      dialog.locator(`[id="${await id.getAttribute("aria-describedby")}"]`),
      /^Choosing from the staff list needs the “View users” permission \(users\.view\), which you do not hold: enter the user’s ID/,
    );
    expect(await dialog.getByText("You do not have permission to do that.").count()).toBe(0);

    await id.fill("usr_nobody");
    await dialog.getByRole("button", { name: "Grant access" }).click();
    await expect.poll(() => id.getAttribute("aria-invalid")).toBe("true");
    const said = (await id.getAttribute("aria-describedby"))?.split(" ")[0];
    await hasText(dialog.locator(`[id="${said}"]`), "User ID: no such user");
    await expect.poll(() => id.evaluate((el) => el === document.activeElement)).toBe(true);

    await id.fill(nell.id);
    await dialog.getByRole("button", { name: "Grant access" }).click();
    await gone(dialog);
    await hasText(page.getByRole("status"), `Nell Nurse was granted access to patient ${PATIENT}.`);
    const grants = (await tenant.admin.patientAccess.list(PATIENT)).items;
    expect(grants.map((g) => g.userId)).toEqual([nell.id]);

    // A grant by someone else is listed with its grantor not shown, unasked; one's own by name.
    const other = await staff(tenant, "Otto", "Other", { roleId: viewer?.id ?? "" });
    await tenant.admin.patientAccess.grant(PATIENT, { userId: other.id });
    await page.reload();
    const rows = page.getByRole("row");
    await hasText(rows.filter({ hasText: "Otto Other" }), /a user not shown to you/);
    await hasText(rows.filter({ hasText: "Nell Nurse" }), /Pat Porter/);
    expect(listed).toEqual([]);
  });
});
