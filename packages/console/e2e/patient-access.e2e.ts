/**
 * W13 "Manage patient access": the access granted on a patient, grant (user found by search, never
 * oneself), revoke; and who can read the patient at all (roles included), with why, from who-can,
 * tenant-wide or in one workspace. Refusals name permissions and workspaces as people know them.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { gone, hasText, shot, useE2e, visible } from "./harness.ts";

/** The "Who can read this patient" table as read: [user, why]. */
async function whoCan(page: Page): Promise<string[][]> {
  const table = page.getByRole("table", { name: /^Who can use \S+ on patient/ });
  if ((await table.count()) === 0) return [];
  return table
    .locator("tbody tr")
    .evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent?.trim() ?? "")),
    );
}

describe("patient access", () => {
  const { tenant, signedIn } = useE2e();

  it("lists who has access, grants access to a user found by search, and revokes it", async () => {
    const roles = (await tenant.admin.roles.list({ limit: 200 })).items;
    const viewerRole = roles.find((r) => r.name === "Viewer")?.id ?? "";
    // A collaborator may create patients (Write Patients, View PHI), and then reads those only.
    const collaboratorRole = roles.find((r) => r.name === "Collaborator")?.id ?? "";
    const person = (username: string, firstName: string, lastName: string, roleId = viewerRole) =>
      tenant.admin.users.create({
        firstName,
        lastName,
        username,
        email: `${username}@${tenant.slug}.example`,
        roleId,
        password: "amber-kestrel-meadow-5820",
        mustChangePassword: false,
      });
    const nora = await person("nora", "Nora", "Nightingale");
    const carl = await person("carl", "Carl", "Creator", collaboratorRole);
    const oncology = await tenant.admin.workspaces.create({ slug: "oncology", name: "Oncology" });
    // The application reported that Carl created the patient: an entry of its own kind.
    await tenant.admin.patientAccess.created("PAT-1001", { userId: carl.id });

    const page = await signedIn({ path: "/patient-access" });
    await visible(page.getByText("Enter a patient reference to see who has access."));
    await page.getByLabel("Patient reference").fill("PAT-1001");
    await page.getByRole("button", { name: "Show access" }).click();
    await visible(page.getByRole("heading", { name: "Granted access to patient PAT-1001" }));
    expect(new URL(page.url()).search).toBe("?patient=PAT-1001");
    const carlRow = page.getByRole("row", { name: /Carl Creator/ });
    await hasText(carlRow.getByRole("cell").nth(1), "All workspaces");
    await hasText(carlRow.getByRole("cell").nth(2), "Created the patient");
    await hasText(carlRow.getByRole("cell").nth(4), "Ada Admin");

    await page.getByRole("button", { name: "Grant access" }).click();
    const dialog = page.getByRole("dialog", { name: "Grant access" });
    // The administrator is not offered: the server refuses a grant to oneself.
    await visible(dialog.getByRole("radio", { name: "Nora Nightingale (nora)" }));
    expect(await dialog.getByRole("radio", { name: /Ada Admin/ }).count()).toBe(0);
    await dialog.getByLabel("Find a user").fill("Ada");
    await visible(dialog.getByText("No active or invited user matches “Ada”."));
    await dialog.getByLabel("Find a user").fill("nightin");
    await dialog.getByRole("radio", { name: "Nora Nightingale (nora)" }).check();
    // Who-can's filters are not drawn behind the dialog: "Workspace" names one control, page-wide.
    expect(await page.getByLabel("Workspace", { exact: true }).count()).toBe(1);
    await dialog.getByLabel("Workspace").selectOption({ label: "Oncology" });
    // Optional, as the API has it: said in its label, with where it is kept.
    const reason = dialog.getByLabel("Reason (optional)");
    await visible(dialog.getByText("Recorded with the grant and in the audit log."));
    await reason.fill("Covering the oncology clinic this week");
    await dialog.getByLabel("Expires (optional)").fill("2099-06-30T17:00");
    // The page's own "Grant access" is hidden behind the open dialog: the name finds one button.
    expect(await page.getByRole("button", { name: "Grant access" }).count()).toBe(1);
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

  it("offers an invited user, saying that access starts when they accept the invitation", async () => {
    const roles = (await tenant.admin.roles.list({ limit: 200 })).items;
    // No password: an outside collaborator invited by email, not yet signed in.
    const ines = await tenant.admin.users.create({
      firstName: "Ines",
      lastName: "Invitee",
      username: "ines",
      email: `ines@${tenant.slug}.example`,
      roleId: roles.find((r) => r.name === "Viewer")?.id ?? "",
    });
    expect(ines.status).toBe("invited");
    const page = await signedIn({ path: "/patient-access?patient=PAT-6106" });
    await page.getByRole("button", { name: "Grant access" }).click();
    const dialog = page.getByRole("dialog", { name: "Grant access" });
    await dialog.getByLabel("Find a user").fill("invitee");
    const option = dialog.getByRole("radio", { name: /^Ines Invitee \(ines\)/ });
    await visible(option);
    await hasText(
      dialog.locator("label").filter({ hasText: "Ines Invitee" }),
      "Ines Invitee (ines) — Invited: access starts when they accept the invitation",
    );
    await option.check();
    await dialog.getByRole("button", { name: "Grant access" }).click();
    await hasText(page.getByRole("status"), "Ines Invitee was granted access to patient PAT-6106.");
    const granted = (await tenant.admin.patientAccess.list("PAT-6106")).items.map((g) => g.userId);
    expect(granted).toEqual([ines.id]);
  });

  it("grants access without a reason: a blank reason is not sent", async () => {
    const roles = (await tenant.admin.roles.list({ limit: 200 })).items;
    const olga = await tenant.admin.users.create({
      firstName: "Olga",
      lastName: "Oakes",
      username: "olga",
      email: `olga@${tenant.slug}.example`,
      roleId: roles.find((r) => r.name === "Viewer")?.id ?? "",
      password: "amber-kestrel-meadow-5820",
      mustChangePassword: false,
    });
    const page = await signedIn({ path: "/patient-access?patient=PAT-5005" });
    const sent: unknown[] = [];
    page.on("request", (r) => {
      if (r.method() === "POST" && r.url().endsWith("/patients/PAT-5005/access")) sent.push(r.postDataJSON());
    });
    await page.getByRole("button", { name: "Grant access" }).click();
    const dialog = page.getByRole("dialog", { name: "Grant access" });
    await dialog.getByLabel("Find a user").fill("olga");
    await dialog.getByRole("radio", { name: "Olga Oakes (olga)" }).check();
    // Spaces alone are no reason: sent as none, not as an empty string the API would refuse.
    await dialog.getByLabel("Reason (optional)").fill("   ");
    await dialog.getByRole("button", { name: "Grant access" }).click();
    await hasText(page.getByRole("status"), "Olga Oakes was granted access to patient PAT-5005.");
    await hasText(
      page
        .getByRole("row", { name: /Olga Oakes/ })
        .getByRole("cell")
        .nth(2),
      "No reason given",
    );
    expect(sent).toEqual([{ userId: olga.id, workspaceId: null, expiresAt: null }]);
    const granted = (await tenant.admin.patientAccess.list("PAT-5005")).items;
    expect(granted.map((g) => [g.userId, g.reason])).toEqual([[olga.id, null]]);
  });

  it("lists who can read the patient through a role, a grant or nothing at all, per permission", async () => {
    // A collaborator reads only the patients shared with them: Lou has PAT-2002, Cora has none.
    const locum = await tenant.admin.roles.create({
      name: "Locum",
      permissions: ["patients.read"],
      collaborator: true,
    });
    const collaborator = (username: string, firstName: string) =>
      tenant.admin.users.create({
        firstName,
        lastName: "Locum",
        username,
        email: `${username}@${tenant.slug}.example`,
        roleId: locum.id,
        password: "amber-kestrel-meadow-5820",
        mustChangePassword: false,
      });
    const lou = await collaborator("lou", "Lou");
    await collaborator("cora", "Cora");
    await tenant.admin.patientAccess.grant("PAT-2002", { userId: lou.id, reason: "Locum cover" });

    const page = await signedIn({ path: "/patient-access?patient=PAT-2002" });
    await visible(page.getByRole("heading", { name: "Granted access to patient PAT-2002" }));
    await visible(page.getByRole("heading", { name: "Who can read this patient" }));
    // The first patient-scoped permission ending in .read is asked about first.
    expect(await page.getByLabel("Permission", { exact: true }).inputValue()).toBe("patients.read");
    const server = await tenant.admin.access.whoCan({ permission: "patients.read", patientRef: "PAT-2002" });
    const names = server.items.map((i) => i.username);
    expect(names).toContain("admin");
    expect(names).toContain("lou");
    expect(names).not.toContain("cora");
    await expect.poll(async () => (await whoCan(page)).map((r) => r[0])).toEqual(names);
    const rows = await whoCan(page);
    expect(rows.find((r) => r[0] === "admin")?.[1]).toMatch(
      /^Allowed: granted at tenant level by the role “Administrator”\./,
    );
    expect(rows.find((r) => r[0] === "nora")?.[1]).toMatch(
      /^Allowed: granted at tenant level by the role “Viewer”\./,
    );
    expect(rows.find((r) => r[0] === "lou")?.[1]).toBe(
      "Allowed for this patient only: the role “Locum” makes the user a collaborator at tenant level, and the patient is shared with them.",
    );
    await shot(page, "patient-access-who-can");

    // Another permission: only those who hold it.
    await page.getByLabel("Permission", { exact: true }).selectOption("patients.delete");
    const deleters = await tenant.admin.access.whoCan({
      permission: "patients.delete",
      patientRef: "PAT-2002",
    });
    await expect
      .poll(async () => (await whoCan(page)).map((r) => r[0]))
      .toEqual(deleters.items.map((i) => i.username));
    expect(deleters.items.map((i) => i.username)).not.toContain("lou");
    // The table says which permission it lists (it said "read" whatever was chosen).
    await visible(page.getByRole("table", { name: /^Who can use patients\.delete on patient PAT-2002/ }));

    // Revoking Lou's grant takes Lou off the list.
    await page.getByLabel("Permission", { exact: true }).selectOption("patients.read");
    await visible(page.getByRole("cell", { name: "lou", exact: true }));
    await page
      .getByRole("row", { name: /Lou Locum/ })
      .getByRole("button", { name: /^Revoke/ })
      .click();
    await page.getByRole("dialog", { name: "Revoke access" }).getByRole("button", { name: "Revoke" }).click();
    await expect.poll(async () => (await whoCan(page)).map((r) => r[0])).not.toContain("lou");
  });

  it("lists a collaborator granted access in one workspace once that workspace is chosen, at once after the grant", async () => {
    const east = await tenant.admin.workspaces.create({ slug: "oncology-east", name: "Oncology East" });
    const locum = await tenant.admin.roles.create({
      name: "Ward locum",
      permissions: ["patients.read"],
      collaborator: true,
    });
    await tenant.admin.users.create({
      firstName: "Wes",
      lastName: "Ward",
      username: "wes",
      email: `wes@${tenant.slug}.example`,
      roleId: locum.id,
      password: "amber-kestrel-meadow-5820",
      mustChangePassword: false,
    });
    const page = await signedIn({ path: "/patient-access?patient=PAT-3003" });
    const who = page.getByRole("region", { name: "Who can read this patient" });
    const workspace = who.getByLabel("Workspace", { exact: true });
    await visible(workspace);
    expect(await workspace.inputValue()).toBe("");
    await hasText(workspace.locator("option").first(), "No workspace (tenant-wide)");
    await visible(who.getByText(/Access limited to a workspace shows when that workspace is chosen/));
    await visible(who.getByRole("cell", { name: "admin", exact: true }));
    expect((await whoCan(page)).map((r) => r[0])).not.toContain("wes");

    await page.getByRole("button", { name: "Grant access" }).click();
    const dialog = page.getByRole("dialog", { name: "Grant access" });
    await dialog.getByLabel("Find a user").fill("wes");
    await dialog.getByRole("radio", { name: "Wes Ward (wes)" }).check();
    await dialog.getByLabel("Workspace").selectOption({ label: "Oncology East" });
    await dialog.getByLabel("Reason (optional)").fill("Covering the east clinic");
    await dialog.getByRole("button", { name: "Grant access" }).click();
    await hasText(page.getByRole("status"), "Wes Ward was granted access to patient PAT-3003.");
    // The list follows the grant's workspace, so the grantee shows without another step.
    await expect.poll(() => workspace.inputValue()).toBe(east.id);
    await expect.poll(async () => (await whoCan(page)).map((r) => r[0])).toContain("wes");
    const server = await tenant.admin.access.whoCan({
      permission: "patients.read",
      patientRef: "PAT-3003",
      workspaceId: east.id,
    });
    await expect
      .poll(async () => (await whoCan(page)).map((r) => r[0]))
      .toEqual(server.items.map((i) => i.username));
    await shot(page, "patient-access-who-can-workspace");

    // Tenant-wide, the grant limited to Oncology East does not reach the patient.
    await workspace.selectOption({ label: "No workspace (tenant-wide)" });
    await visible(who.getByRole("cell", { name: "admin", exact: true }));
    expect((await whoCan(page)).map((r) => r[0])).not.toContain("wes");
  });

  it("lets a clerk holding Manage patient access alone grant a collaborator in one workspace", async () => {
    // The clerk decides who sees a patient without seeing patients themselves (docs/decisions.md).
    const east =
      (await tenant.admin.workspaces.list({ limit: 200 })).items.find((w) => w.slug === "oncology-east") ??
      (await tenant.admin.workspaces.create({ slug: "oncology-east", name: "Oncology East" }));
    const clerkRole = await tenant.admin.roles.create({
      name: "Access clerk",
      permissions: ["patient_access.manage", "users.view"],
    });
    const writer = await tenant.admin.roles.create({
      name: "Visiting writer",
      permissions: ["patients.read", "patients.write"],
      collaborator: true,
    });
    const password = "amber-kestrel-meadow-5820";
    const made: Record<string, string> = {};
    for (const [username, firstName, roleId] of [
      ["clerk", "Clara", clerkRole.id],
      ["vince", "Vince", writer.id],
    ] as const) {
      made[username] = (
        await tenant.admin.users.create({
          firstName,
          lastName: "Staff",
          username,
          email: `${username}@${tenant.slug}.example`,
          roleId,
          password,
          mustChangePassword: false,
        })
      ).id;
    }
    const page = await signedIn({ path: "/patient-access?patient=PAT-4004", login: "clerk", password });
    await page.getByRole("button", { name: "Grant access" }).click();
    const dialog = page.getByRole("dialog", { name: "Grant access" });
    await dialog.getByLabel("Find a user").fill("vince");
    await dialog.getByRole("radio", { name: "Vince Staff (vince)" }).check();
    await dialog.getByLabel("Workspace").selectOption({ label: "Oncology East" });
    await dialog.getByLabel("Reason (optional)").fill("Second opinion");
    await dialog.getByRole("button", { name: "Grant access" }).click();
    await hasText(page.getByRole("status"), "Vince Staff was granted access to patient PAT-4004.");
    await hasText(
      page
        .getByRole("row", { name: /Vince Staff/ })
        .getByRole("cell")
        .nth(1),
      "Oncology East",
    );
    const write = (workspaceId: string) =>
      tenant.admin.access.check({
        userId: made.vince!,
        permission: "patients.write",
        patientRef: "PAT-4004",
        workspaceId,
      });
    expect((await write(east.id)).allowed).toBe(true);
    await shot(page, "patient-access-clerk-grant");
  });

  it("says when more users match than the picker shows, and how to find the others", async () => {
    const viewer = (await tenant.admin.roles.list({ limit: 200 })).items.find((r) => r.name === "Viewer");
    const firstNames = ["Abel", "Bea", "Cyd", "Dov", "Edie", "Fay", "Gus", "Hal", "Ira", "Jodie"];
    for (const firstName of firstNames) {
      const username = `${firstName.toLowerCase()}.marchbank`;
      await tenant.admin.users.create({
        firstName,
        lastName: "Marchbank",
        username,
        email: `${username}@${tenant.slug}.example`,
        roleId: viewer?.id ?? "",
        password: "amber-kestrel-meadow-5820",
        mustChangePassword: false,
      });
    }
    // Everyone the picker may offer: active or invited, not virtual, not oneself (the administrator).
    const offered = (await tenant.admin.users.list({ status: "active,invited", virtual: false, limit: 200 }))
      .items.length;
    const page = await signedIn({ path: "/patient-access?patient=PAT-6006" });
    await page.getByRole("button", { name: "Grant access" }).click();
    const dialog = page.getByRole("dialog", { name: "Grant access" });
    const users = dialog.getByRole("group", { name: "User" });
    const note = async () => dialog.locator(`[id="${await users.getAttribute("aria-describedby")}"]`);
    await visible(users.getByRole("radio").first());
    expect(await users.getByRole("radio").count()).toBe(8);
    await hasText(await note(), `Showing 8 of ${offered - 1} users: type a name to find others.`);

    await dialog.getByLabel("Find a user").fill("marchbank");
    await hasText(await note(), "Showing 8 of 10 matches: type more of the name to find others.");
    expect(await users.getByRole("radio").count()).toBe(8);
    // Read without scrolling the list: what is at the note's place on screen is the note.
    const onScreen = (await note()).evaluate((el) => {
      const r = el.getBoundingClientRect();
      return el.contains(document.elementFromPoint(r.left + 5, r.top + r.height / 2));
    });
    expect(await onScreen).toBe(true);
    await shot(page, "patient-access-picker-more");

    // All shown: nothing more to say.
    await dialog.getByLabel("Find a user").fill("jodie.march");
    await visible(users.getByRole("radio", { name: "Jodie Marchbank (jodie.marchbank)" }));
    expect(await users.getByRole("radio").count()).toBe(1);
    expect(await users.getAttribute("aria-describedby")).toBeNull();
    expect(await dialog.getByText(/^Showing \d+ of/).count()).toBe(0);
  });
});
