/** W13 "Manage patient access": who has access to a patient, grant (user found by search), revoke. */
import { describe, expect, it } from "vitest";
import { gone, hasText, shot, useE2e, visible } from "./harness.ts";

describe("patient access", () => {
  const { tenant, signedIn } = useE2e();

  it("lists who has access, grants access to a user found by search, and revokes it", async () => {
    const roles = (await tenant.admin.roles.list({ limit: 200 })).items;
    const viewerRole = roles.find((r) => r.name === "Viewer")?.id ?? "";
    const person = (username: string, firstName: string, lastName: string) =>
      tenant.admin.users.create({
        firstName,
        lastName,
        username,
        email: `${username}@${tenant.slug}.example`,
        roleId: viewerRole,
        password: "amber-kestrel-meadow-5820",
        mustChangePassword: false,
      });
    const nora = await person("nora", "Nora", "Nightingale");
    const carl = await person("carl", "Carl", "Creator");
    const oncology = await tenant.admin.workspaces.create({ slug: "oncology", name: "Oncology" });
    // The application reported that Carl created the patient: an entry of its own kind.
    await tenant.admin.patientAccess.created("PAT-1001", { userId: carl.id });

    const page = await signedIn({ path: "/patient-access" });
    await visible(page.getByText("Enter a patient reference to see who has access."));
    await page.getByLabel("Patient reference").fill("PAT-1001");
    await page.getByRole("button", { name: "Show access" }).click();
    await visible(page.getByRole("heading", { name: "Who has access to patient PAT-1001" }));
    expect(new URL(page.url()).search).toBe("?patient=PAT-1001");
    const carlRow = page.getByRole("row", { name: /Carl Creator/ });
    await hasText(carlRow.getByRole("cell").nth(1), "All workspaces");
    await hasText(carlRow.getByRole("cell").nth(2), "Created the patient");
    await hasText(carlRow.getByRole("cell").nth(4), "Ada Admin");

    await page.getByRole("button", { name: "Grant access" }).click();
    const dialog = page.getByRole("dialog", { name: "Grant access" });
    await dialog.getByLabel("Find a user").fill("nightin");
    await dialog.getByRole("radio", { name: "Nora Nightingale (nora)" }).check();
    await dialog.getByLabel("Workspace").selectOption({ label: "Oncology" });
    await dialog.getByLabel("Reason").fill("Covering the oncology clinic this week");
    await dialog.getByLabel("Expires (optional)").fill("2099-06-30T17:00");
    await dialog.getByRole("button", { name: "Grant access" }).click();
    await hasText(page.getByRole("status"), "Nora Nightingale was granted access to patient PAT-1001.");
    const noraRow = page.getByRole("row", { name: /Nora Nightingale/ });
    await hasText(noraRow.getByRole("cell").nth(1), "Oncology");
    await hasText(noraRow.getByRole("cell").nth(2), "Covering the oncology clinic this week");
    await hasText(noraRow.getByRole("cell").nth(3), /2099/);
    const granted = (await tenant.admin.patientAccess.list("PAT-1001")).items.find(
      (g) => g.userId === nora.id,
    );
    expect(granted).toMatchObject({
      workspaceId: oncology.id,
      reason: "Covering the oncology clinic this week",
      expiresAt: new Date("2099-06-30T17:00").toISOString(),
    });
    await shot(page, "patient-access");

    await noraRow.getByRole("button", { name: /^Revoke/ }).click();
    const confirm = page.getByRole("dialog", { name: "Revoke access" });
    await visible(confirm.getByText("Nora Nightingale", { exact: true }));
    await confirm.getByRole("button", { name: "Revoke" }).click();
    await hasText(
      page.getByRole("status"),
      "Access of Nora Nightingale to patient PAT-1001 (Oncology) was revoked.",
    );
    await gone(noraRow);
    const left = (await tenant.admin.patientAccess.list("PAT-1001")).items;
    expect(left.map((g) => g.userId)).toEqual([carl.id]);
  });
});
