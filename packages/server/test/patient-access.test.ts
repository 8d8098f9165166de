/** Patient access grants: list, grant, refresh, revoke, "created the patient", tenant isolation, audit. */
import type { User } from "@staffgate/contract";
import type { StaffgateError } from "@staffgate/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBatchFactsStore } from "../../core/src/access/facts.store.ts";
import { problemOf, startTestApp, type TestApp, type TestTenant } from "./harness.ts";
import { auditOf, createRole, createUser, type Made } from "./lifecycle-fixtures.ts";

const HOUR = 3_600_000;
let refCounter = 0;
const newRef = () => `pat-${++refCounter}-${Date.now().toString(36)}`;

/** What a client can tell apart: two refusals must agree on all of it. */
const shape = (p: StaffgateError) => ({
  status: p.status,
  code: p.code,
  detail: p.problem.detail,
  errors: p.errors,
});

describe(`patient access (${process.env.STAFFGATE_TEST_DB ?? "sqlite"})`, () => {
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;
  let nurse: User;
  let manager: Made;
  let plain: Made;
  let wsA: string;
  let wsA2: string;
  let wsB: string;
  let userB: User;
  let creatorRole: string;
  let creator: User;

  beforeAll(async () => {
    t = await startTestApp();
    a = await t.createTenant();
    // These tests move the fake clock by hours and keep using sessions: allow the longest idle limit.
    await a.admin.settings.update({ idleTimeoutMinutes: 480 });
    b = await t.createTenant();
    const managerRole = await createRole(a, ["patient_access.manage"]);
    const nothingRole = await createRole(a, ["users.view"]);
    manager = await createUser(t, a, { roleId: managerRole });
    plain = await createUser(t, a, { roleId: nothingRole });
    nurse = (await createUser(t, a, { roleId: nothingRole })).user;
    wsA = (await a.admin.workspaces.create({ slug: "ward-a", name: "Ward A" })).id;
    wsA2 = (await a.admin.workspaces.create({ slug: "ward-a2", name: "Ward A2" })).id;
    wsB = (await b.admin.workspaces.create({ slug: "ward-b", name: "Ward B" })).id;
    // A collaborator in Ward A who may create patients there (DOMAIN.md §3.5 rule 3).
    creatorRole = await createRole(a, {
      workspaces: [{ workspaceId: wsA, permissions: ["patients.write", "patients.phi"], collaborator: true }],
    });
    creator = (await createUser(t, a, { roleId: creatorRole })).user;
    userB = (await createUser(t, b)).user;
  });
  afterAll(() => t.close());

  it("grants access (201) and lists who has access with user, grantor, reason and expiry", async () => {
    const ref = newRef();
    const expiresAt = new Date(t.clock.now().getTime() + 48 * HOUR).toISOString();
    const res = await manager.client.transport.raw("POST", `/api/v1/patients/${ref}/access`, {
      body: { userId: nurse.id, workspaceId: wsA, reason: "second opinion", expiresAt },
    });
    expect(res.status).toBe(201);
    const grant = (await res.json()) as { id: string };
    expect(grant).toMatchObject({
      patientRef: ref,
      userId: nurse.id,
      username: nurse.username,
      displayName: nurse.displayName,
      userStatus: "active",
      workspaceId: wsA,
      grantedBy: manager.user.id,
      reason: "second opinion",
      expiresAt,
      createdAt: t.clock.now().toISOString(),
    });
    const list = await manager.client.patientAccess.list(ref);
    expect(list).toEqual({ items: [grant], nextCursor: null });
  });

  it("audits the grant against the user with the patient, workspace, reason and expiry", async () => {
    const ref = newRef();
    await a.admin.patientAccess.grant(ref, { userId: nurse.id, reason: "consult" });
    const events = (await auditOf(t, a, nurse.id)).filter((e) => e.action === "patient_access.granted");
    expect(events.at(-1)).toMatchObject({
      actor_id: a.adminUserId,
      target_label: nurse.username,
      outcome: "success",
      changes: {
        patientRef: { after: ref },
        workspaceId: { after: null },
        reason: { after: "consult" },
        expiresAt: { after: null },
      },
    });
  });

  it("keeps one grant per (user, patient, workspace): granting again refreshes reason and expiry", async () => {
    const ref = newRef();
    const first = await a.admin.patientAccess.grant(ref, {
      userId: nurse.id,
      workspaceId: wsA,
      reason: "one",
    });
    const later = new Date(t.clock.now().getTime() + 5 * HOUR).toISOString();
    const again = await a.admin.patientAccess.grant(ref, {
      userId: nurse.id,
      workspaceId: wsA,
      reason: "two",
      expiresAt: later,
    });
    expect(again.id).toBe(first.id);
    expect(again).toMatchObject({ reason: "two", expiresAt: later, createdAt: first.createdAt });
    // Another workspace, or every workspace, is another grant.
    const other = await a.admin.patientAccess.grant(ref, { userId: nurse.id, workspaceId: wsA2 });
    const everywhere = await a.admin.patientAccess.grant(ref, { userId: nurse.id });
    const everywhereAgain = await a.admin.patientAccess.grant(ref, { userId: nurse.id, reason: "x" });
    expect(everywhereAgain.id).toBe(everywhere.id);
    const list = await a.admin.patientAccess.list(ref);
    expect(list.items.map((g) => g.id).sort()).toEqual([first.id, other.id, everywhere.id].sort());
    const events = (await auditOf(t, a, nurse.id)).filter((e) => e.action === "patient_access.granted");
    expect(events.at(-1)?.changes).toMatchObject({ reason: { before: null, after: "x" } });
  });

  it("refuses an unknown user or workspace with 400, and another tenant's exactly the same way", async () => {
    const ref = newRef();
    const missingUser = await problemOf(() => a.admin.patientAccess.grant(ref, { userId: "usr_missing" }));
    const foreignUser = await problemOf(() => a.admin.patientAccess.grant(ref, { userId: userB.id }));
    expect(missingUser.status).toBe(400);
    expect(missingUser.errors.map((e) => e.path)).toEqual(["userId"]);
    expect(shape(foreignUser)).toEqual(shape(missingUser));

    const missingWs = await problemOf(() =>
      a.admin.patientAccess.grant(ref, { userId: nurse.id, workspaceId: "wsp_missing" }),
    );
    const foreignWs = await problemOf(() =>
      a.admin.patientAccess.grant(ref, { userId: nurse.id, workspaceId: wsB }),
    );
    expect(missingWs.status).toBe(400);
    expect(missingWs.errors.map((e) => e.path)).toEqual(["workspaceId"]);
    expect(shape(foreignWs)).toEqual(shape(missingWs));

    const created = await problemOf(() => a.admin.patientAccess.created(ref, { userId: userB.id }));
    expect(shape(created)).toEqual(shape(missingUser));
    const createdWs = await problemOf(() =>
      a.admin.patientAccess.created(ref, { userId: nurse.id, workspaceId: wsB }),
    );
    expect(shape(createdWs)).toEqual(shape(missingWs));
    expect((await a.admin.patientAccess.list(ref)).items).toEqual([]);
  });

  it("refuses access for an archived user (409 USER_STATE_INVALID), by grant or by a created patient", async () => {
    const ref = newRef();
    const { user } = await createUser(t, a);
    await a.admin.userActions.archive(user.id);
    for (const refused of [
      () => a.admin.patientAccess.grant(ref, { userId: user.id }),
      () => a.admin.patientAccess.created(ref, { userId: user.id }),
    ]) {
      const p = await problemOf(refused);
      expect(`${p.status} ${p.code}`).toBe("409 USER_STATE_INVALID");
    }
    expect((await a.admin.patientAccess.list(ref)).items).toEqual([]);
  });

  it("lists a grant of a user who is not active with the user's status (the decision ignores it)", async () => {
    const ref = newRef();
    const { user } = await createUser(t, a);
    await a.admin.patientAccess.grant(ref, { userId: user.id });
    const statusInList = async () => (await a.admin.patientAccess.list(ref)).items.map((g) => g.userStatus);
    expect(await statusInList()).toEqual(["active"]);
    await a.admin.userActions.deactivate(user.id);
    expect(await statusInList()).toEqual(["inactive"]);
    await a.admin.userActions.archive(user.id);
    expect(await statusInList()).toEqual(["archived"]);
    const check = await a.admin.access.check({
      userId: user.id,
      permission: "patients.read",
      patientRef: ref,
    });
    expect([check.allowed, check.reason.code]).toEqual([false, "USER_NOT_ACTIVE"]);
  });

  it("never shows or revokes another tenant's grants", async () => {
    const ref = newRef();
    await a.admin.patientAccess.grant(ref, { userId: nurse.id });
    expect((await b.admin.patientAccess.list(ref)).items).toEqual([]);
    const foreign = await problemOf(() => b.admin.patientAccess.revoke(ref, nurse.id));
    const missing = await problemOf(() => b.admin.patientAccess.revoke(ref, "usr_missing"));
    expect(foreign.status).toBe(404);
    expect(shape(foreign)).toEqual(shape(missing));
    expect((await a.admin.patientAccess.list(ref)).items).toHaveLength(1);
  });

  it("needs patient_access.manage to list, grant, revoke and report a created patient", async () => {
    const ref = newRef();
    await a.admin.patientAccess.grant(ref, { userId: nurse.id });
    const calls = [
      () => plain.client.patientAccess.list(ref),
      () => plain.client.patientAccess.grant(ref, { userId: nurse.id }),
      () => plain.client.patientAccess.revoke(ref, nurse.id),
      () => plain.client.patientAccess.created(ref, { userId: nurse.id }),
    ];
    for (const call of calls) expect((await problemOf(call)).status).toBe(403);
    expect((await a.admin.patientAccess.list(ref)).items).toHaveLength(1);
  });

  it("revokes every grant of the user on the patient (204), then answers 404", async () => {
    const ref = newRef();
    const g1 = await a.admin.patientAccess.grant(ref, { userId: nurse.id, workspaceId: wsA });
    await a.admin.patientAccess.grant(ref, { userId: nurse.id });
    const kept = await a.admin.patientAccess.grant(ref, { userId: manager.user.id });
    const res = await manager.client.transport.raw("DELETE", `/api/v1/patients/${ref}/access/${nurse.id}`);
    expect(res.status).toBe(204);
    expect((await a.admin.patientAccess.list(ref)).items.map((g) => g.id)).toEqual([kept.id]);
    const again = await problemOf(() => a.admin.patientAccess.revoke(ref, nurse.id));
    expect(again.status).toBe(404);
    const events = (await auditOf(t, a, nurse.id)).filter((e) => e.action === "patient_access.revoked");
    expect(events.slice(-2).map((e) => e.changes)).toContainEqual({
      patientRef: { before: ref },
      workspaceId: { before: wsA },
      reason: { before: null },
      expiresAt: { before: null },
    });
    expect(g1.id).toBeTruthy();
  });

  it("versions a grant: given again it moves, and a revocation naming the version read before is 412 and revokes nothing", async () => {
    const ref = newRef();
    const grant = await a.admin.patientAccess.grant(ref, { userId: nurse.id, reason: "first" });
    const v = grant.version;
    const revoked = async () =>
      (await auditOf(t, a, nurse.id)).filter((e) => e.action === "patient_access.revoked").length;
    const before = await revoked();
    // Given again (a new reason): the same grant, at the next version, with that ETag.
    const login = await t.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      headers: { "content-type": "application/json" },
      payload: JSON.stringify({ tenant: a.slug, login: a.adminUsername, password: a.password }),
    });
    const res = await t.app.inject({
      method: "POST",
      url: `/api/v1/patients/${encodeURIComponent(ref)}/access`,
      headers: { authorization: `Bearer ${login.json().token}`, "content-type": "application/json" },
      payload: JSON.stringify({ userId: nurse.id, reason: "second" }),
    });
    expect([res.json().id, res.json().version, res.headers.etag]).toEqual([grant.id, v + 1, `"${v + 1}"`]);
    const stale = await problemOf(() => a.admin.patientAccess.revoke(ref, nurse.id, { ifMatch: v }));
    expect([stale.status, stale.code]).toEqual([412, "PRECONDITION_FAILED"]);
    expect((await a.admin.patientAccess.list(ref)).items.map((g) => [g.id, g.version])).toEqual([
      [grant.id, v + 1],
    ]);
    expect(await revoked()).toBe(before);
    await a.admin.patientAccess.revoke(ref, nurse.id, { ifMatch: v + 1 });
    expect((await a.admin.patientAccess.list(ref)).items).toEqual([]);
  });

  it("moves a grant's version only when given again with a change, and takes If-Match for one grant only", async () => {
    const ref = newRef();
    const everywhere = await a.admin.patientAccess.grant(ref, { userId: nurse.id, reason: "same" });
    expect((await a.admin.patientAccess.grant(ref, { userId: nurse.id, reason: "same" })).version).toBe(
      everywhere.version,
    );
    const inA = await a.admin.patientAccess.grant(ref, { userId: nurse.id, workspaceId: wsA });
    // Two grants: an If-Match would name one of them only.
    const many = await problemOf(() => a.admin.patientAccess.revoke(ref, nurse.id, { ifMatch: inA.version }));
    expect([many.status, many.code, many.errors[0]?.path]).toEqual([400, "VALIDATION_FAILED", "workspaceId"]);
    expect((await a.admin.patientAccess.list(ref)).items).toHaveLength(2);
    await a.admin.patientAccess.revoke(ref, nurse.id, { workspaceId: wsA, ifMatch: inA.version });
    expect((await a.admin.patientAccess.list(ref)).items.map((g) => g.id)).toEqual([everywhere.id]);
    await a.admin.patientAccess.revoke(ref, nurse.id);
  });

  it("never gives a grant given anew the version of one revoked before: the old If-Match is 412", async () => {
    const ref = newRef();
    const first = await a.admin.patientAccess.grant(ref, { userId: nurse.id, reason: "first" });
    await a.admin.patientAccess.revoke(ref, nurse.id, { ifMatch: first.version });
    const again = await a.admin.patientAccess.grant(ref, { userId: nurse.id, reason: "again" });
    expect(again.version).not.toBe(first.version);
    const stale = await problemOf(() =>
      a.admin.patientAccess.revoke(ref, nurse.id, { ifMatch: first.version }),
    );
    expect([stale.status, stale.code]).toEqual([412, "PRECONDITION_FAILED"]);
    expect((await a.admin.patientAccess.list(ref)).items.map((g) => g.id)).toEqual([again.id]);
  });

  it("revokes only the grant of one workspace with ?workspaceId=", async () => {
    const ref = newRef();
    await a.admin.patientAccess.grant(ref, { userId: nurse.id, workspaceId: wsA });
    const everywhere = await a.admin.patientAccess.grant(ref, { userId: nurse.id });
    await a.admin.patientAccess.revoke(ref, nurse.id, { workspaceId: wsA });
    expect((await a.admin.patientAccess.list(ref)).items.map((g) => g.id)).toEqual([everywhere.id]);
    const none = await problemOf(() => a.admin.patientAccess.revoke(ref, nurse.id, { workspaceId: wsA2 }));
    expect(none.status).toBe(404);
  });

  it("records each grant a workspace's deletion removes as revoked, in its patient's trail", async () => {
    const ws = (await a.admin.workspaces.create({ slug: newRef().toLowerCase(), name: "Satellite" })).id;
    const [one, two] = [newRef(), newRef()];
    await a.admin.patientAccess.grant(one, { userId: nurse.id, workspaceId: ws, reason: "consult" });
    await a.admin.patientAccess.grant(two, { userId: nurse.id, workspaceId: ws });
    const kept = await a.admin.patientAccess.grant(two, { userId: nurse.id });
    const { slug, version } = await a.admin.workspaces.get(ws);
    await a.admin.workspaces.update(ws, { protected: false }, { ifMatch: version });
    await a.admin.workspaces.delete(ws);
    const trail = (await a.admin.audit.list({ patientRef: one })).items;
    expect(trail.map((e) => e.action)).toEqual(["patient_access.revoked", "patient_access.granted"]);
    expect(trail[0]).toMatchObject({
      actor: { id: a.adminUserId },
      target: { type: "user", id: nurse.id, label: nurse.username },
      changes: {
        patientRef: { before: one },
        workspaceId: { before: ws },
        reason: { before: "consult" },
        cause: { after: `workspace ${slug} was deleted` },
      },
    });
    // The grant that named no workspace stays, and is not said to be revoked.
    expect((await a.admin.patientAccess.list(two)).items.map((g) => g.id)).toEqual([kept.id]);
    expect(
      (await a.admin.audit.list({ patientRef: two, action: "patient_access.revoked" })).items.map(
        (e) => e.changes?.workspaceId,
      ),
    ).toEqual([{ before: ws }]);
  });

  it("refuses an expiry that is not in the future; an expired grant leaves the list but stays revocable", async () => {
    const ref = newRef();
    const past = new Date(t.clock.now().getTime() - 1000).toISOString();
    const refused = await problemOf(() =>
      a.admin.patientAccess.grant(ref, { userId: nurse.id, expiresAt: past }),
    );
    expect(refused.errors.map((e) => e.path)).toEqual(["expiresAt"]);
    const soon = new Date(t.clock.now().getTime() + HOUR).toISOString();
    const g = await a.admin.patientAccess.grant(ref, { userId: nurse.id, expiresAt: soon });
    t.clock.advance(HOUR + 1000);
    try {
      expect((await a.admin.patientAccess.list(ref)).items).toEqual([]);
      expect(
        (await a.admin.patientAccess.list(ref, { includeExpired: true })).items.map((x) => x.id),
      ).toEqual([g.id]);
      // Granting again revives the one grant instead of adding a second.
      const later = new Date(t.clock.now().getTime() + HOUR).toISOString();
      expect((await a.admin.patientAccess.grant(ref, { userId: nurse.id, expiresAt: later })).id).toBe(g.id);
      await a.admin.patientAccess.revoke(ref, nurse.id);
    } finally {
      t.clock.advance(-(HOUR + 1000));
    }
  });

  it("reports a created patient: 201 grant without expiry, reason 'created the patient'", async () => {
    const ref = newRef();
    const res = await manager.client.transport.raw("POST", `/api/v1/patients/${ref}/created`, {
      body: { userId: creator.id, workspaceId: wsA },
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({
      patientRef: ref,
      userId: creator.id,
      workspaceId: wsA,
      reason: "created the patient",
      expiresAt: null,
      grantedBy: manager.user.id,
    });
    const events = (await auditOf(t, a, creator.id)).filter((e) => e.action === "patient_access.granted");
    expect(events.at(-1)?.changes).toMatchObject({ reason: { after: "created the patient" } });
    // The collaborator reads the patient they created, and no other.
    const read = { userId: creator.id, permission: "patients.read", workspaceId: wsA };
    expect(await a.admin.access.check({ ...read, patientRef: ref })).toMatchObject({ allowed: true });
    expect(await a.admin.access.check({ ...read, patientRef: newRef() })).toMatchObject({ allowed: false });
  });

  it("believes a created patient only of an active user who may create patients where it was created", async () => {
    const ref = newRef();
    const report = (userId: string, workspaceId?: string) =>
      problemOf(() =>
        manager.client.patientAccess.created(ref, { userId, ...(workspaceId ? { workspaceId } : {}) }),
      );
    const lacks = async (userId: string, workspaceId: string | undefined, missing: string) => {
      const p = await report(userId, workspaceId);
      expect(`${p.status} ${p.code}`).toBe("422 PATIENT_CREATOR_NOT_PERMITTED");
      expect(p.errors).toEqual([
        {
          path: workspaceId ? "workspaceId" : "userId",
          message: expect.stringContaining(`lacks ${missing}`),
        },
      ]);
    };
    // No patient permission at all; write without View PHI; a workspace where the role has no row;
    // no workspace named (the role grants nothing at tenant level).
    await lacks(nurse.id, wsA, "patients.write and patients.phi");
    const writeOnly = await createRole(a, {
      workspaces: [{ workspaceId: wsA, permissions: ["patients.write"], collaborator: true }],
    });
    await lacks((await createUser(t, a, { roleId: writeOnly })).user.id, wsA, "patients.phi");
    await lacks(creator.id, wsA2, "patients.write and patients.phi");
    await lacks(creator.id, undefined, "patients.write and patients.phi");
    // Its role would allow it in Ward A, but the user is not active there.
    const elsewhere = await createUser(t, a, { roleId: creatorRole, extra: { workspaceAccess: [wsA2] } });
    const p = await report(elsewhere.user.id, wsA);
    expect(`${p.status} ${p.code}`).toBe("422 PATIENT_CREATOR_NOT_PERMITTED");
    expect(p.errors).toEqual([
      { path: "workspaceId", message: expect.stringContaining("not active in this workspace") },
    ]);
    expect(p.problem.detail).not.toContain("lacks");
    // Where it is active, its role has no row: what it lacks is named.
    await lacks(elsewhere.user.id, wsA2, "patients.write and patients.phi");
    // Not active: an invited user has never signed in, a deactivated one cannot.
    const invited = await a.admin.users.create({
      username: `invited-${refCounter}`,
      email: `invited-${refCounter}@${a.slug}.example`,
      firstName: "In",
      lastName: "Vited",
      roleId: creatorRole,
    });
    const deactivated = (await createUser(t, a, { roleId: creatorRole })).user;
    await a.admin.userActions.deactivate(deactivated.id);
    for (const [user, status] of [
      [invited, "invited"],
      [deactivated, "inactive"],
    ] as const) {
      const p = await report(user.id, wsA);
      expect(`${p.status} ${p.code}`).toBe("409 USER_STATE_INVALID");
      expect(p.errors).toEqual([{ path: "userId", message: `is ${status}` }]);
    }
    // Past its expiry, in the time before the job archives it.
    const soon = new Date(t.clock.now().getTime() + HOUR).toISOString();
    const expiring = (await createUser(t, a, { roleId: creatorRole, extra: { expiresAt: soon } })).user;
    t.clock.advance(HOUR + 1000);
    try {
      const p = await problemOf(() =>
        a.admin.patientAccess.created(ref, { userId: expiring.id, workspaceId: wsA }),
      );
      expect([p.status, p.code, p.errors]).toEqual([
        409,
        "USER_STATE_INVALID",
        [{ path: "userId", message: "is expired" }],
      ]);
    } finally {
      t.clock.advance(-(HOUR + 1000));
    }
    // Nothing was granted, and nothing audited.
    expect((await a.admin.patientAccess.list(ref, { includeExpired: true })).items).toEqual([]);
    const granted = await t.db.kysely
      .selectFrom("audit_events")
      .select("id")
      .where("tenant_id", "=", a.id)
      .where("action", "=", "patient_access.granted")
      .where("changes", "like", `%${ref}%`)
      .execute();
    expect(granted).toEqual([]);
    // An explicit grant by someone who may grant stays open to all of them.
    expect((await a.admin.patientAccess.grant(ref, { userId: nurse.id, workspaceId: wsA })).userId).toBe(
      nurse.id,
    );
  });

  it("the decision reads the grant fresh: present after the grant, gone after the revocation", async () => {
    const ref = newRef();
    const grantsIn = async (tenantId: string) =>
      (
        await createBatchFactsStore(t.db.kysely, tenantId).patientGrants([
          { userId: nurse.id, patientRef: ref },
        ])
      ).get(`${nurse.id}\n${ref}`) ?? [];
    await a.admin.patientAccess.grant(ref, { userId: nurse.id, workspaceId: wsA });
    expect(await grantsIn(a.id)).toEqual([expect.objectContaining({ workspaceId: wsA, expiresAt: null })]);
    expect(await grantsIn(b.id)).toEqual([]);
    await a.admin.patientAccess.revoke(ref, nurse.id);
    expect(await grantsIn(a.id)).toEqual([]);
  });

  it("takes any opaque reference (slashes, spaces, unicode) and refuses control characters and over 200 chars", async () => {
    const ref = `mrn/0042 ü#?%-${refCounter++}`;
    const g = await a.admin.patientAccess.grant(ref, { userId: nurse.id });
    expect(g.patientRef).toBe(ref);
    expect((await a.admin.patientAccess.list(ref)).items.map((x) => x.id)).toEqual([g.id]);
    await a.admin.patientAccess.revoke(ref, nurse.id);
    for (const bad of [
      "a\u0000b",
      "line\nbreak",
      "tab\there",
      "x".repeat(201),
      "ü".repeat(201),
      // Spaces inside are part of a reference; at its ends they would make another patient.
      "   ",
      " mrn-9 ",
      "mrn-9 ",
      // A bidi override reversed the rest of the line in the audit export and the emergency email.
      "\u202emrn-9",
      "mrn\u2066-9",
      "mrn\u2028-9",
    ]) {
      const p = await problemOf(() => a.admin.patientAccess.grant(bad, { userId: nurse.id }));
      expect(p.status, JSON.stringify(bad)).toBe(400);
      expect(p.errors.map((e) => e.path)).toEqual(["params.patientRef"]);
      expect((await a.admin.patientAccess.list("mrn-9")).items).toEqual([]);
      const created = await manager.client.transport.raw(
        "POST",
        `/api/v1/patients/${encodeURIComponent(bad)}/created`,
        { body: { userId: nurse.id } },
      );
      expect(created.status, JSON.stringify(bad)).toBe(400);
      // Reads take any reference a grant could once have had (control characters never).
      if (/[\u2028\u2066\u202e]/.test(bad)) expect((await a.admin.patientAccess.list(bad)).items).toEqual([]);
    }
    for (const longest of ["y".repeat(200), "ü".repeat(200), "漢".repeat(200)]) {
      const exact = await a.admin.patientAccess.grant(longest, { userId: nurse.id });
      expect(exact.patientRef).toBe(longest);
      expect((await a.admin.patientAccess.list(longest)).items).toHaveLength(1);
    }
  });

  it("pages the list in creation order", async () => {
    const ref = newRef();
    const ids: string[] = [];
    for (const user of [nurse.id, manager.user.id, plain.user.id]) {
      ids.push((await a.admin.patientAccess.grant(ref, { userId: user })).id);
      t.clock.advance(1000);
    }
    const first = await a.admin.patientAccess.list(ref, { limit: 2 });
    expect(first.items.map((g) => g.id)).toEqual(ids.slice(0, 2));
    expect(first.nextCursor).not.toBeNull();
    const second = await a.admin.patientAccess.list(ref, { limit: 2, cursor: first.nextCursor! });
    expect(second).toEqual({ items: [expect.objectContaining({ id: ids[2] })], nextCursor: null });
  });

  it("rejects unknown body fields such as a tenant id", async () => {
    const p = await problemOf(() =>
      a.admin.transport.request("POST", `/api/v1/patients/${newRef()}/access`, {
        body: { userId: nurse.id, tenantId: b.id },
      }),
    );
    expect(p.status).toBe(400);
    expect(p.errors.map((e) => e.path)).toEqual(["tenantId"]);
  });
});
