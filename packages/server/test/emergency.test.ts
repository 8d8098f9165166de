/** Emergency (break-glass) access, SECURITY.md K-3: open, notify, expire, end, list, review, isolation. */

import type { Permission, User } from "@staffgate/contract";
import { archiveExpiredUsers } from "@staffgate/core";
import type { Staffgate, StaffgateError } from "@staffgate/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadOpenEmergencies } from "../../core/src/access/emergency.store.ts";
import { loadCatalogs } from "../../core/src/catalog/catalogs.ts";
import { CANARY_PASSWORD, problemOf, startTestApp, type TestApp, type TestTenant } from "./harness.ts";
import { createRole, createUser, type Made } from "./lifecycle-fixtures.ts";

/** The catalogue the test tenants use (the default). */
const radiotherapy = () => loadCatalogs().get("radiotherapy")!;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const WRONG_PASSWORD = "wrong-Pa55word-heron-4410";
const REASON = "Patient collapsed in ward, on-call physicist unreachable";

const shape = (p: StaffgateError) => ({
  status: p.status,
  code: p.code,
  detail: p.problem.detail,
  errors: p.errors,
});

describe(`emergency access (${process.env.STAFFGATE_TEST_DB ?? "sqlite"})`, () => {
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;
  let admin2: Made;
  let inactiveAdmin: User;
  let clinician: Made;
  let clinician2: Made;
  let auditor: Made;
  let plain: Made;
  let ws: string;
  let wsB: string;
  let expectedSet: string[];

  const open = (who: Staffgate, body: Record<string, unknown>) =>
    who.emergencyAccess.open({ reason: REASON, password: CANARY_PASSWORD, ...body } as never);

  const outboxOf = (tenantId: string) =>
    t.db.kysely
      .selectFrom("outbox")
      .selectAll()
      .where("tenant_id", "=", tenantId)
      .orderBy("to_address")
      .execute();

  const auditRows = (tenantId: string, action: string) =>
    t.db.kysely
      .selectFrom("audit_events")
      .selectAll()
      .where("tenant_id", "=", tenantId)
      .where("action", "=", action)
      .orderBy("seq")
      .execute();

  beforeAll(async () => {
    t = await startTestApp();
    a = await t.createTenant();
    // These tests move the fake clock by hours and keep using sessions: allow the longest idle limit.
    await a.admin.settings.update({ idleTimeoutMinutes: 480 });
    b = await t.createTenant();
    const useRole = await createRole(a, ["emergency_access.use"]);
    const auditRole = await createRole(a, ["audit.view"]);
    const viewRole = await createRole(a, ["users.view"]);
    admin2 = await createUser(t, a);
    inactiveAdmin = (await createUser(t, a)).user;
    await a.admin.userActions.deactivate(inactiveAdmin.id);
    clinician = await createUser(t, a, { roleId: useRole });
    clinician2 = await createUser(t, a, { roleId: useRole });
    auditor = await createUser(t, a, { roleId: auditRole });
    plain = await createUser(t, a, { roleId: viewRole });
    ws = (await a.admin.workspaces.create({ slug: "icu", name: "ICU" })).id;
    wsB = (await b.admin.workspaces.create({ slug: "icu", name: "ICU" })).id;
    const catalogue = (await a.admin.permissions.list()) as { items: Permission[] };
    expectedSet = catalogue.items
      .filter((p) => p.patientScoped && p.collaborator !== "forbidden")
      .map((p) => p.key)
      .sort();
  });
  afterAll(() => t.close());

  it("opens for a workspace (201) for the tenant's emergencyAccessHours (default 4 h) with the emergency permission set", async () => {
    const res = await clinician.client.transport.raw("POST", "/api/v1/emergency-access", {
      body: { reason: REASON, password: CANARY_PASSWORD, workspaceId: ws },
    });
    expect(res.status).toBe(201);
    const opened = (await res.json()) as { id: string; expiresAt: string };
    expect(Object.keys(opened).sort()).toEqual(["expiresAt", "id"]);
    expect(opened.expiresAt).toBe(new Date(t.clock.now().getTime() + 4 * HOUR).toISOString());
    const row = await t.db.kysely
      .selectFrom("emergency_access")
      .selectAll()
      .where("tenant_id", "=", a.id)
      .where("id", "=", opened.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      user_id: clinician.user.id,
      workspace_id: ws,
      patient_ref: null,
      reason: REASON,
    });
    const perms = (JSON.parse(row.permissions) as string[]).sort();
    expect(expectedSet.length).toBeGreaterThan(0);
    expect(perms).toEqual(expectedSet);
    expect(perms).not.toContain("collections.read"); // forbidden for collaborators
    expect(perms).not.toContain("users.manage"); // not patient-scoped
    await clinician.client.emergencyAccess.end(opened.id);
  });

  it("writes one outbox message per active administrator in the same transaction, never the password", async () => {
    const before = (await outboxOf(a.id)).length;
    const beforeB = (await outboxOf(b.id)).length;
    const opened = await open(clinician.client, { patientRef: "mrn-7" });
    const rows = (await outboxOf(a.id)).filter((r) => r.body.includes(opened.id));
    expect(rows).toHaveLength((await outboxOf(a.id)).length - before);
    const adminEmail = (await a.admin.users.get(a.adminUserId)).email;
    expect(rows.map((r) => r.to_address).sort()).toEqual([adminEmail, admin2.user.email].sort());
    expect(rows.map((r) => r.to_address)).not.toContain(inactiveAdmin.email);
    const [recorded] = (await a.admin.audit.list({ action: "emergency_access.opened", limit: 1 })).items;
    const notified = recorded?.changes?.notifiedUserIds as { after: string[] } | undefined;
    expect([...(notified?.after ?? [])].sort()).toEqual([a.adminUserId, admin2.user.id].sort());
    for (const r of rows) {
      expect(r).toMatchObject({ kind: "emergency_access.opened", sent_at: null, attempts: 0 });
      expect(r.body).toContain(REASON);
      expect(r.body).toContain(clinician.user.username);
      expect(r.body).toContain("mrn-7");
      expect(`${r.subject}${r.body}`).not.toContain(CANARY_PASSWORD);
    }
    expect((await outboxOf(b.id)).length).toBe(beforeB);
    await clinician.client.emergencyAccess.end(opened.id);
  });

  it("quotes a reason of several lines last in the notice, so that it cannot pass for the notice's own lines", async () => {
    const forged =
      "Urgent\n\nEnds: already ended\r\nReference: emg_fake\rNo review needed: https://review.example/login";
    const opened = await open(clinician.client, { patientRef: "mrn-8", reason: forged });
    const row = (await outboxOf(a.id)).find((r) => r.body.includes(opened.id))!;
    const lines = row.body.split("\n");
    const quoted = lines.indexOf("The reason they typed:");
    expect(lines.slice(quoted)).toEqual([
      "The reason they typed:",
      "> Urgent",
      "> ",
      "> Ends: already ended",
      "> Reference: emg_fake",
      "> No review needed: https://review.example/login",
    ]);
    // The notice's own lines come first, each once, and no line of the reason stands unquoted.
    expect(lines.filter((l) => l.startsWith("Ends: "))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith("Reference: "))).toEqual([`Reference: ${opened.id}`]);
    expect(lines.findIndex((l) => l.startsWith("Ends: "))).toBeLessThan(quoted);
    await clinician.client.emergencyAccess.end(opened.id);
  });

  it("tells the administrators where by the workspace's name and when in the practice's time zone", async () => {
    const oslo = await t.createTenant({ timeZone: "Europe/Oslo" });
    const where = await oslo.admin.workspaces.create({ slug: "radiology", name: "Radiology North" });
    const now = t.clock.now();
    const opened = await open(oslo.admin, { workspaceId: where.id });
    const [mail] = (await outboxOf(oslo.id)).filter((r) => r.body.includes(opened.id));
    expect(mail!.body).toContain(`workspace "Radiology North" (${where.id})`);
    // Oslo's wall clock, then the UTC instant for the record (the format: mail-time.test.ts).
    const osloTime = new Intl.DateTimeFormat("en-GB", {
      timeZone: "Europe/Oslo",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    }).format(now);
    const utc = now.toISOString().slice(0, 16).replace("T", " ");
    expect(osloTime).not.toBe(utc.slice(11));
    expect(mail!.body).toMatch(new RegExp(`Opened: \\w{3}, .+, ${osloTime} Europe/Oslo \\(${utc} UTC\\)`));
    expect(mail!.body).toMatch(/Ends: .+ Europe\/Oslo \(.+ UTC\) at the latest/);
    await oslo.admin.emergencyAccess.end(opened.id);
  });

  it("audits the opening with the reason in changes.after; the password is in no audit event or message", async () => {
    const opened = await open(clinician.client, { workspaceId: ws });
    const event = (await auditRows(a.id, "emergency_access.opened")).find((e) => e.target_id === opened.id);
    expect(event).toMatchObject({
      actor_id: clinician.user.id,
      outcome: "success",
      target_type: "emergency_access",
    });
    expect(JSON.parse(event!.changes!)).toMatchObject({
      reason: { after: REASON },
      workspaceId: { after: ws },
      patientRef: { after: null },
      expiresAt: { after: opened.expiresAt },
    });
    await clinician.client.emergencyAccess.end(opened.id);
    await problemOf(() => open(clinician.client, { workspaceId: ws, password: WRONG_PASSWORD }));
    const everything = JSON.stringify([
      await t.db.allTenants.selectFrom("audit_events").selectAll().execute(),
      await t.db.allTenants.selectFrom("outbox").selectAll().execute(),
      await t.db.allTenants.selectFrom("emergency_access").selectAll().execute(),
    ]);
    expect(everything).not.toContain(CANARY_PASSWORD);
    expect(everything).not.toContain(WRONG_PASSWORD);
  });

  it("refuses a wrong password with 403 naming password (not 401: the session is fine), opens nothing, notifies nobody, audits a failure", async () => {
    const rowsBefore = await t.db.allTenants.selectFrom("emergency_access").select("id").execute();
    const mailBefore = (await outboxOf(a.id)).length;
    const p = await problemOf(() => open(clinician.client, { workspaceId: ws, password: WRONG_PASSWORD }));
    expect([p.status, p.code, p.errors.map((e) => e.path)]).toEqual([
      403,
      "REAUTHENTICATION_FAILED",
      ["password"],
    ]);
    expect(await t.db.allTenants.selectFrom("emergency_access").select("id").execute()).toHaveLength(
      rowsBefore.length,
    );
    expect((await outboxOf(a.id)).length).toBe(mailBefore);
    const failure = (await auditRows(a.id, "emergency_access.opened")).at(-1);
    expect(failure).toMatchObject({ actor_id: clinician.user.id, outcome: "failure", target_id: null });
    expect(JSON.parse(failure!.changes!)).toMatchObject({ reason: { after: REASON } });
  });

  it("10 opens at once with the right password: those refused (429) take nothing, and the next one opens", async () => {
    const role = await createRole(a, ["emergency_access.use"]);
    const { client } = await createUser(t, a, { roleId: role });
    const statuses = await Promise.all(
      Array.from({ length: 10 }, () =>
        open(client, { workspaceId: ws }).then(
          () => 201,
          (e: StaffgateError) => e.status,
        ),
      ),
    );
    // Counted before the password is checked (parallel guesses cannot slip past), so some of the
    // burst may be refused; none may count against the person afterwards.
    expect(statuses.filter((s) => s !== 201 && s !== 429)).toEqual([]);
    expect(statuses).toContain(201);
    expect(await open(client, { workspaceId: ws })).toMatchObject({ id: expect.any(String) });
  });

  it("validates the request: a reason that is not blank, exactly one of workspaceId and patientRef", async () => {
    const blank = await problemOf(() => open(clinician.client, { workspaceId: ws, reason: " \n " }));
    expect(blank.status).toBe(400);
    expect(blank.errors.map((e) => e.path)).toEqual(["reason"]);
    // A short reason is a reason: the documents ask for "a typed reason", no length.
    const short = await open(clinician.client, { workspaceId: ws, reason: "arrest" });
    await clinician.client.emergencyAccess.end(short.id);
    const both = await problemOf(() => open(clinician.client, { workspaceId: ws, patientRef: "mrn-1" }));
    expect(both.status).toBe(400);
    expect(both.errors.map((e) => e.path)).toEqual(["patientRef"]);
    const neither = await problemOf(() => open(clinician.client, {}));
    expect(neither.status).toBe(400);
    expect(neither.errors.map((e) => e.path)).toEqual(["workspaceId"]);
    // The reference goes into every administrator's email: a bidi override would reverse the line.
    const reversed = await problemOf(() => open(clinician.client, { patientRef: "\u202eMRN-1" }));
    expect([reversed.status, reversed.errors.map((e) => e.path)]).toEqual([400, ["patientRef"]]);
    const noPassword = await problemOf(() =>
      clinician.client.transport.request("POST", "/api/v1/emergency-access", {
        body: { reason: REASON, workspaceId: ws },
      }),
    );
    expect(noPassword.errors.map((e) => e.path)).toEqual(["password"]);
  });

  it("refuses another tenant's workspace exactly like a missing one (400)", async () => {
    const missing = await problemOf(() => open(clinician.client, { workspaceId: "wsp_missing" }));
    const foreign = await problemOf(() => open(clinician.client, { workspaceId: wsB }));
    expect(missing.status).toBe(400);
    expect(missing.errors.map((e) => e.path)).toEqual(["workspaceId"]);
    expect(shape(foreign)).toEqual(shape(missing));
  });

  it("needs emergency_access.use (403), even for an auditor", async () => {
    for (const who of [plain, auditor]) {
      const p = await problemOf(() => open(who.client, { workspaceId: ws }));
      expect(p.status).toBe(403);
    }
  });

  it("grants through the decision until T+3:59 and no longer at T+4:01 (fake clock)", async () => {
    const start = t.clock.now().toISOString();
    const check = async (query: Record<string, unknown>) => {
      const res = await clinician.client.transport.request<{
        allowed: boolean;
        reason: { viaEmergency?: string };
      }>("POST", "/api/v1/check", {
        body: { userId: clinician.user.id, permission: "patients.read", ...query },
      });
      return res;
    };
    expect((await check({ workspaceId: ws })).allowed).toBe(false);
    const opened = await open(clinician.client, { workspaceId: ws });
    const patient = await open(clinician.client, { patientRef: "mrn-42" });
    try {
      t.clock.advance(3 * HOUR + 59 * MINUTE);
      const during = await check({ workspaceId: ws });
      expect(during).toMatchObject({ allowed: true, reason: { viaEmergency: opened.id } });
      expect(await check({ patientRef: "mrn-42" })).toMatchObject({
        allowed: true,
        reason: { viaEmergency: patient.id },
      });
      expect((await check({ patientRef: "mrn-43" })).allowed).toBe(false);
      t.clock.advance(2 * MINUTE);
      expect((await check({ workspaceId: ws })).allowed).toBe(false);
      expect((await check({ patientRef: "mrn-42" })).allowed).toBe(false);
      const listed = await a.admin.emergencyAccess.list({ status: "ended" });
      expect(listed.items.map((e) => e.id)).toEqual(expect.arrayContaining([opened.id, patient.id]));
    } finally {
      t.clock.set(start);
    }
  });

  it("the open elevations decisions read hold the elevation at T+3:59, not at T+4:01", async () => {
    const start = t.clock.now();
    const opened = await open(clinician.client, { workspaceId: ws });
    const openOf = async (tenantId: string, now: string) =>
      (await loadOpenEmergencies(t.db.kysely, tenantId, now, radiotherapy(), null)).get(clinician.user.id) ??
      [];
    const at = (ms: number) => new Date(start.getTime() + ms).toISOString();
    const ids = async (ms: number) => (await openOf(a.id, at(ms))).map((e) => e.id);
    expect(await ids(3 * HOUR + 59 * MINUTE)).toContain(opened.id);
    expect(await ids(4 * HOUR + MINUTE)).not.toContain(opened.id);
    const [fact] = (await openOf(a.id, at(0))).filter((e) => e.id === opened.id);
    expect([...fact!.permissions].sort()).toEqual(expectedSet);
    expect(await openOf(b.id, at(0))).toEqual([]);
    await clinician.client.emergencyAccess.end(opened.id);
    expect(await ids(MINUTE)).not.toContain(opened.id);
  });

  it("ends by hand: the opener or a users.manage holder (200); others 403, or 404 when they cannot see it", async () => {
    const mine = await open(clinician.client, { workspaceId: ws });
    expect((await problemOf(() => clinician2.client.emergencyAccess.end(mine.id))).status).toBe(404);
    expect((await problemOf(() => auditor.client.emergencyAccess.end(mine.id))).status).toBe(403);
    // The refusal names what would end it: audit.view reads every elevation but ends none.
    const refused = await problemOf(() => plain.client.emergencyAccess.end(mine.id));
    expect(refused.status).toBe(403);
    expect(refused.problem.detail).toContain("users.manage");
    expect(refused.problem.detail).not.toContain("audit.view");
    const res = await clinician.client.transport.raw("POST", `/api/v1/emergency-access/${mine.id}/end`);
    expect(res.status).toBe(200);
    const ended = (await res.json()) as { status: string; endedBy: string; endedAt: string };
    expect(ended).toMatchObject({
      status: "ended",
      endedBy: clinician.user.id,
      endedAt: t.clock.now().toISOString(),
    });
    // Ending again changes nothing and audits nothing.
    const again = await clinician.client.emergencyAccess.end(mine.id);
    expect(again.endedAt).toBe(ended.endedAt);
    expect(
      (await auditRows(a.id, "emergency_access.ended")).filter((e) => e.target_id === mine.id),
    ).toHaveLength(1);

    const other = await open(clinician.client, { patientRef: "mrn-9" });
    expect(await admin2.client.emergencyAccess.end(other.id)).toMatchObject({
      status: "ended",
      endedBy: admin2.user.id,
    });
    const open_ =
      (await loadOpenEmergencies(t.db.kysely, a.id, t.clock.now().toISOString(), radiotherapy(), null)).get(
        clinician.user.id,
      ) ?? [];
    expect(open_.map((e) => e.id)).not.toContain(other.id);
  });

  it("ends with the user's active status: a deactivated user's elevation does not come back on reactivation", async () => {
    const user = await createUser(t, a, { roleId: await createRole(a, ["emergency_access.use"]) });
    const opened = await open(user.client, { patientRef: "mrn-cutoff" });
    const ask = () =>
      a.admin.access.check({ userId: user.user.id, permission: expectedSet[0]!, patientRef: "mrn-cutoff" });
    expect((await ask()).reason.code).toBe("EMERGENCY_ACCESS");
    await a.admin.userActions.deactivate(user.user.id);
    const listed = await a.admin.emergencyAccess.list({ status: "open" } as never);
    expect(listed.items.map((e) => e.id)).not.toContain(opened.id);
    await a.admin.userActions.reactivate(user.user.id);
    const after = await ask();
    expect(after.allowed).toBe(false);
    expect(after.reason.code).not.toBe("EMERGENCY_ACCESS");
    const ended = (await auditRows(a.id, "emergency_access.ended")).filter((e) => e.target_id === opened.id);
    expect(ended).toHaveLength(1);
    expect(JSON.parse(ended[0]!.changes ?? "{}")).toMatchObject({ cause: { after: "user inactive" } });
  });

  it("ends with its workspace: deleting the workspace ends the elevation naming it, audited with the cause", async () => {
    const user = await createUser(t, a, { roleId: await createRole(a, ["emergency_access.use"]) });
    const doomed = (await a.admin.workspaces.create({ slug: "doomed", name: "Doomed", protected: false })).id;
    const opened = await open(user.client, { workspaceId: doomed });
    const ask = () =>
      a.admin.access.check({ userId: user.user.id, permission: expectedSet[0]!, workspaceId: doomed });
    expect((await ask()).reason.code).toBe("EMERGENCY_ACCESS");
    await a.admin.workspaces.delete(doomed);
    expect((await ask()).reason.code).toBe("WORKSPACE_NOT_FOUND");
    const who = await a.admin.access.whoCan({ permission: expectedSet[0]!, workspaceId: doomed });
    expect(who.items.map((i) => i.userId)).not.toContain(user.user.id);
    const listed = await a.admin.emergencyAccess.list({ status: "open" } as never);
    expect(listed.items.map((e) => e.id)).not.toContain(opened.id);
    const ended = (await auditRows(a.id, "emergency_access.ended")).filter((e) => e.target_id === opened.id);
    expect(ended).toHaveLength(1);
    expect(JSON.parse(ended[0]!.changes ?? "{}")).toMatchObject({
      cause: { after: "workspace doomed was deleted" },
    });
    const deleted = (await auditRows(a.id, "workspace.deleted")).at(-1);
    expect(JSON.parse(deleted?.changes ?? "{}")).toMatchObject({ endedEmergencyAccess: { after: 1 } });
  });

  it("stops granting when its user loses emergency_access.use, at the very next decision", async () => {
    const useRole = await createRole(a, ["emergency_access.use"]);
    const user = await createUser(t, a, { roleId: useRole });
    await open(user.client, { patientRef: "mrn-taken-away" });
    const ask = () =>
      a.admin.access.check({
        userId: user.user.id,
        permission: expectedSet[0]!,
        patientRef: "mrn-taken-away",
      });
    expect((await ask()).reason.code).toBe("EMERGENCY_ACCESS");
    await a.admin.users.update(user.user.id, { roleId: await createRole(a, ["users.view"]) });
    const after = await ask();
    expect(after).toMatchObject({ allowed: false, reason: { code: "NOT_GRANTED" } });
    const explained = await a.admin.access.explain({
      userId: user.user.id,
      permission: expectedSet[0]!,
      patientRef: "mrn-taken-away",
    });
    expect(explained.steps.join("\n")).toContain('no longer holds "emergency_access.use"');
  });

  it("narrows an open elevation at the next decision when the tenant narrows its set; widening does not widen it", async () => {
    const user = await createUser(t, a, { roleId: await createRole(a, ["emergency_access.use"]) });
    await a.admin.settings.update({ emergencyPermissions: ["patients.read", "patients.write"] });
    try {
      await open(user.client, { patientRef: "mrn-narrowed" });
      const ask = async (permission: string) =>
        (await a.admin.access.check({ userId: user.user.id, permission, patientRef: "mrn-narrowed" }))
          .allowed;
      expect([await ask("patients.read"), await ask("patients.write")]).toEqual([true, true]);
      await a.admin.settings.update({ emergencyPermissions: ["patients.read"] });
      expect([await ask("patients.read"), await ask("patients.write")]).toEqual([true, false]);
      const explained = await a.admin.access.explain({
        userId: user.user.id,
        permission: "patients.write",
        patientRef: "mrn-narrowed",
      });
      expect(explained.steps.join("\n")).toContain('no open emergency access covers "patients.write" here');
      await a.admin.settings.update({ emergencyPermissions: null });
      expect([await ask("patients.read"), await ask("patients.write"), await ask("patients.phi")]).toEqual([
        true,
        true,
        false,
      ]);
    } finally {
      await a.admin.settings.update({ emergencyPermissions: null });
    }
  });

  it("grants what its set implies: a setting of patients.phi alone also reads the patient", async () => {
    const catalogue = (await a.admin.permissions.list()) as { items: Permission[] };
    const phi = catalogue.items.find((p) => p.key === "patients.phi");
    expect(phi?.implies).toContain("patients.read");
    await a.admin.settings.update({ emergencyPermissions: ["patients.phi"] });
    try {
      const user = await createUser(t, a, { roleId: await createRole(a, ["emergency_access.use"]) });
      await open(user.client, { patientRef: "mrn-implied" });
      const ask = (permission: string) =>
        a.admin.access.check({ userId: user.user.id, permission, patientRef: "mrn-implied" });
      expect((await ask("patients.phi")).reason.code).toBe("EMERGENCY_ACCESS");
      expect((await ask("patients.read")).reason.code).toBe("EMERGENCY_ACCESS");
      expect((await ask("patients.write")).allowed).toBe(false);
    } finally {
      await a.admin.settings.update({ emergencyPermissions: null });
    }
  });

  it("lists for review: administrators and auditors see all, emergency_access.use alone only its own; filters", async () => {
    const c1 = await open(clinician.client, { workspaceId: ws });
    const c2 = await open(clinician2.client, { workspaceId: ws });
    await clinician2.client.emergencyAccess.end(c2.id);
    for (const who of [a.admin, auditor.client]) {
      const all = await who.emergencyAccess.list({ limit: 200 });
      expect(all.items.map((e) => e.id)).toEqual(expect.arrayContaining([c1.id, c2.id]));
    }
    const own = await clinician.client.emergencyAccess.list({ limit: 200 });
    expect(own.items.length).toBeGreaterThan(0);
    expect(own.items.every((e) => e.userId === clinician.user.id)).toBe(true);
    const openOnes = await a.admin.emergencyAccess.list({ status: "open", limit: 200 });
    expect(openOnes.items.map((e) => e.id)).toContain(c1.id);
    expect(openOnes.items.map((e) => e.id)).not.toContain(c2.id);
    expect(openOnes.items.every((e) => e.status === "open")).toBe(true);
    const endedOnes = await a.admin.emergencyAccess.list({ status: "ended", limit: 200 });
    expect(endedOnes.items.map((e) => e.id)).toContain(c2.id);
    expect(endedOnes.items.map((e) => e.id)).not.toContain(c1.id);
    const item = openOnes.items.find((e) => e.id === c1.id);
    expect(item).toMatchObject({
      userId: clinician.user.id,
      username: clinician.user.username,
      workspaceId: ws,
      patientRef: null,
      reason: REASON,
      reviewedAt: null,
    });
    expect((await problemOf(() => plain.client.emergencyAccess.list())).status).toBe(403);
    // Paging, newest first.
    const page1 = await a.admin.emergencyAccess.list({ limit: 1 });
    expect(page1.nextCursor).not.toBeNull();
    const page2 = await a.admin.emergencyAccess.list({ limit: 1, cursor: page1.nextCursor! });
    expect(page2.items[0]!.openedAt <= page1.items[0]!.openedAt).toBe(true);
    expect(page2.items[0]!.id).not.toBe(page1.items[0]!.id);
    await clinician.client.emergencyAccess.end(c1.id);
  });

  it("reviews: audit.view or users.manage, the opener too when it holds them (said); the reviewed filter follows", async () => {
    const mine = await open(clinician.client, { workspaceId: ws });
    await clinician.client.emergencyAccess.end(mine.id);
    expect((await problemOf(() => clinician.client.emergencyAccess.review(mine.id, "fine"))).status).toBe(
      403,
    );
    expect((await problemOf(() => plain.client.emergencyAccess.review(mine.id, "fine"))).status).toBe(403);
    const empty = await problemOf(() => auditor.client.emergencyAccess.review(mine.id, "  "));
    expect(empty.errors.map((e) => e.path)).toEqual(["note"]);
    const res = await auditor.client.transport.raw("POST", `/api/v1/emergency-access/${mine.id}/review`, {
      body: { note: "Justified: documented in incident 118" },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      reviewedBy: auditor.user.id,
      reviewedAt: t.clock.now().toISOString(),
      reviewNote: "Justified: documented in incident 118",
    });
    const reviewed = await a.admin.emergencyAccess.list({ reviewed: true, limit: 200 });
    expect(reviewed.items.map((e) => e.id)).toContain(mine.id);
    const unreviewed = await a.admin.emergencyAccess.list({ reviewed: false, limit: 200 });
    expect(unreviewed.items.map((e) => e.id)).not.toContain(mine.id);
    const event = (await auditRows(a.id, "emergency_access.reviewed")).find((e) => e.target_id === mine.id);
    expect(event).toMatchObject({ actor_id: auditor.user.id });
    expect(JSON.parse(event!.changes!)).toMatchObject({
      reviewNote: { after: "Justified: documented in incident 118" },
      reviewedBy: { after: auditor.user.id },
    });
    // The first review stands: a second one is a conflict and changes nothing.
    const again = await problemOf(() => a.admin.emergencyAccess.review(mine.id, "Overwriting the sign-off"));
    expect([again.status, again.code]).toEqual([409, "EMERGENCY_ALREADY_REVIEWED"]);
    expect(
      (await a.admin.emergencyAccess.list({ reviewed: true, limit: 200 })).items.find(
        (e) => e.id === mine.id,
      ),
    ).toMatchObject({ reviewedBy: auditor.user.id, reviewNote: "Justified: documented in incident 118" });

    // An administrator who opened one may review it (nobody else may be there), and it is said:
    // the reviewer is the opener, and the audit event carries selfReview.
    const adminsOwn = await open(admin2.client, { workspaceId: ws });
    const self = await admin2.client.emergencyAccess.review(adminsOwn.id, "Alone on the night shift");
    expect([self.userId, self.reviewedBy]).toEqual([admin2.user.id, admin2.user.id]);
    const selfEvent = (await auditRows(a.id, "emergency_access.reviewed")).find(
      (e) => e.target_id === adminsOwn.id,
    );
    expect(JSON.parse(selfEvent!.changes!)).toMatchObject({ selfReview: { after: true } });
    expect(JSON.parse(event!.changes!).selfReview).toBeUndefined();
    const second = await problemOf(() => a.admin.emergencyAccess.review(adminsOwn.id, "ok"));
    expect(second.code).toBe("EMERGENCY_ALREADY_REVIEWED");
    await admin2.client.emergencyAccess.end(adminsOwn.id);
  });

  it("another tenant's elevation is 404, identical to a missing one, and never listed", async () => {
    const mine = await open(clinician.client, { workspaceId: ws });
    const missingEnd = await problemOf(() => b.admin.emergencyAccess.end("emg_missing"));
    const foreignEnd = await problemOf(() => b.admin.emergencyAccess.end(mine.id));
    expect(missingEnd.status).toBe(404);
    expect(shape(foreignEnd)).toEqual(shape(missingEnd));
    const missingReview = await problemOf(() => b.admin.emergencyAccess.review("emg_missing", "x"));
    const foreignReview = await problemOf(() => b.admin.emergencyAccess.review(mine.id, "x"));
    expect(missingReview.status).toBe(404);
    expect(shape(foreignReview)).toEqual(shape(missingReview));
    const listed = await b.admin.emergencyAccess.list({ limit: 200 });
    expect(listed.items.map((e) => e.id)).not.toContain(mine.id);
    const row = await t.db.allTenants
      .selectFrom("emergency_access")
      .select(["ended_at", "reviewed_at"])
      .where("id", "=", mine.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ ended_at: null, reviewed_at: null });
    await clinician.client.emergencyAccess.end(mine.id);
  });

  // Last: it moves the clock past an elevation's time box, which idles out every session above.
  it("puts its end and its review in the patient's trail, whether ended by hand or by its time running out", async () => {
    const trail = async (ref: string) =>
      (await a.admin.audit.list({ patientRef: ref })).items.map((e) => e.action).reverse();
    const byHand = await open(clinician.client, { patientRef: "mrn-trail-1" });
    await clinician.client.emergencyAccess.end(byHand.id);
    await a.admin.emergencyAccess.review(byHand.id, "seen");
    expect(await trail("mrn-trail-1")).toEqual([
      "emergency_access.opened",
      "emergency_access.ended",
      "emergency_access.reviewed",
    ]);
    const runOut = await open(clinician.client, { patientRef: "mrn-trail-2" });
    t.clock.advance(Date.parse(runOut.expiresAt) - t.clock.now().getTime() + 60_000);
    await archiveExpiredUsers(t.app.core.deps); // the pass also records elevations that ran out
    const ended = (await a.admin.audit.list({ patientRef: "mrn-trail-2", action: "emergency_access.ended" }))
      .items;
    expect(ended.map((e) => e.changes?.cause)).toEqual([{ before: null, after: "its time ran out" }]);
  });
});
