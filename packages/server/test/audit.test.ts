import type { AuditEvent } from "@staffgate/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listAll, userWithoutAuditView } from "./audit.helpers.ts";
import { problemOf, startTestApp, TEST_DB, type TestApp, type TestTenant } from "./harness.ts";

describe(`audit (${TEST_DB})`, () => {
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;
  beforeAll(async () => {
    t = await startTestApp();
    t.clock.set("2026-03-01T08:00:00.000Z");
    a = await t.createTenant();
    b = await t.createTenant();
  });
  afterAll(() => t.close());

  it("records who, what, when and where for every event", async () => {
    const res = await a.admin.transport.raw("POST", "/api/v1/workspaces", {
      body: { slug: "audit-fields", name: "Audit fields" },
      headers: { "user-agent": "audit-test/1.0" },
    });
    expect(res.status).toBe(201);
    const ws = (await res.json()) as { id: string };
    const { items } = await a.admin.audit.list({ targetId: ws.id });
    expect(items).toHaveLength(1);
    const e = items[0]!;
    expect(e).toMatchObject({
      tenantId: a.id,
      actor: { type: "user", id: a.adminUserId, username: "admin" },
      action: "workspace.created",
      target: { type: "workspace", id: ws.id, label: "audit-fields" },
      ip: "127.0.0.1",
      userAgent: "audit-test/1.0",
      requestId: res.headers.get("x-request-id"),
      outcome: "success",
    });
    expect(e.changes).toMatchObject({ slug: { after: "audit-fields" }, name: { after: "Audit fields" } });
    expect(e.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(e.seq).toBeGreaterThan(1);
    expect(e.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(e.id).toMatch(/^evt_/);
  });

  it("names an actor id on every event; a failed sign-in keeps no login that names nobody", async () => {
    // People type their password into the login field: what names no account is not kept.
    const typed = "Canary-Password-Typed-As-Login-7!";
    await problemOf(() =>
      t.anonymous.auth.login({ tenant: a.slug, login: typed, password: "wrong-password-here" }),
    );
    await problemOf(() =>
      t.anonymous.auth.login({ tenant: a.slug, login: "admin", password: "wrong-password-here" }),
    );
    const failed = (await a.admin.audit.list({ action: "auth.login.failed", limit: 2 })).items;
    expect(failed.map((e) => e.actor.type)).toEqual(["anonymous", "anonymous"]);
    expect(failed.map((e) => e.actor.id)).toEqual(["anonymous", "anonymous"]);
    // The known user is the target, not the actor: nobody proved to be them.
    expect(failed[0]).toMatchObject({ actor: { username: "admin" }, target: { id: a.adminUserId } });
    expect(failed[1]).toMatchObject({
      actor: { username: "anonymous" },
      target: null,
      changes: { reason: { after: "unknown_user" } },
    });
    const exported = await (
      await a.admin.transport.raw("GET", "/api/v1/audit/export", { query: { format: "csv" } })
    ).text();
    expect(exported).not.toContain(typed);
    for (const e of await listAll(a.admin)) expect(e.actor.id, e.action).not.toBeNull();
  });

  it("starts every tenant's trail at seq 1 with tenant.created, by the operator", async () => {
    const first = (await listAll(b.admin)).at(-1)!;
    expect(first).toMatchObject({
      seq: 1,
      action: "tenant.created",
      actor: { type: "operator", id: "operator", username: "operator" },
      target: { type: "tenant", id: b.id },
    });
  });

  it("finds the events about one patient exactly: PAT-1 is not PAT-10, a revocation included", async () => {
    const d = await t.createTenant();
    const viewer = (await d.admin.roles.list()).items.find((r) => r.name === "Viewer")!;
    const user = await d.admin.users.create({
      username: "patient-filter",
      email: "patient-filter@example.test",
      firstName: "Pat",
      lastName: "Filter",
      roleId: viewer.id,
    });
    const one = await d.admin.patientAccess.grant("PAT-1", { userId: user.id });
    await d.admin.patientAccess.grant("PAT-10", { userId: user.id });
    await d.admin.patientAccess.grant('odd "ref" 100%', { userId: user.id });
    await d.admin.patientAccess.revoke("PAT-1", user.id);
    const about = async (patientRef: string) =>
      (await listAll(d.admin, { patientRef })).map(
        (e) => `${e.action} ${JSON.stringify(e.changes?.patientRef)}`,
      );
    expect(await about("PAT-1")).toEqual([
      'patient_access.revoked {"before":"PAT-1"}',
      'patient_access.granted {"after":"PAT-1"}',
    ]);
    expect(await about("PAT-10")).toEqual(['patient_access.granted {"after":"PAT-10"}']);
    expect(await about('odd "ref" 100%')).toHaveLength(1);
    expect(await about("PAT")).toEqual([]);
    expect(one.patientRef).toBe("PAT-1");
    const exported = await d.admin.audit.export({ format: "jsonl", patientRef: "PAT-10" });
    // The export is itself an event about that patient (its filter names it), and its last line.
    const lines = exported
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as AuditEvent);
    expect(lines.map((e) => e.action)).toEqual(["patient_access.granted", "audit.exported"]);
    expect((await about("PAT-10"))[0]).toBe('audit.exported {"after":"PAT-10"}');
  });

  describe("filters", () => {
    let c: TestTenant;
    const ids: Record<string, string> = {};
    beforeAll(async () => {
      // Minutes apart: every session here idles out after 15 minutes of fake time.
      t.clock.set("2026-03-01T08:00:30.000Z");
      c = await t.createTenant();
      for (const [i, [slug, name]] of [
        ["w-one", "100% Pure"],
        ["w-two", "1000 Pure"],
        ["w-three", "under_score"],
      ].entries()) {
        t.clock.set(`2026-03-01T08:0${i + 1}:00.000Z`);
        ids[slug!] = (await c.admin.workspaces.create({ slug: slug!, name: name! })).id;
      }
      t.clock.set("2026-03-01T08:05:00.000Z");
      await c.admin.workspaces.update(ids["w-one"]!, { name: "Renamed" });
    });

    const actions = (items: readonly AuditEvent[]) => items.map((e) => e.action);

    it("by time range, inclusive, with offsets normalised to UTC", async () => {
      const got = await listAll(c.admin, {
        from: "2026-03-01T08:02:00.000Z",
        to: "2026-03-01T10:03:00+02:00",
      });
      expect(got.map((e) => e.target?.label)).toEqual(["w-three", "w-two"]);
      const none = await listAll(c.admin, { from: "2030-01-01T00:00:00Z" });
      expect(none).toEqual([]);
    });

    it("by whole days: a date alone is the day's start as from and its end as to (UTC)", async () => {
      const day = await listAll(c.admin, { from: "2026-03-01", to: "2026-03-01" });
      expect(day.map((e) => e.target?.label)).toEqual(expect.arrayContaining(["w-one", "w-two", "w-three"]));
      expect(day.every((e) => e.at.startsWith("2026-03-01"))).toBe(true);
      expect(await listAll(c.admin, { from: "2026-03-02" })).toEqual([]);
      expect((await listAll(c.admin, { to: "2026-02-28" })).some((e) => e.at.startsWith("2026-03-01"))).toBe(
        false,
      );
    });

    it("by actor username, case-insensitively", async () => {
      const byAdmin = await listAll(c.admin, { actor: "ADMIN" });
      expect(byAdmin.length).toBeGreaterThanOrEqual(5);
      expect(byAdmin.every((e) => e.actor.username === "admin")).toBe(true);
      expect(actions(await listAll(c.admin, { actor: "operator" }))).toEqual([
        "user.created",
        "tenant.created",
      ]);
    });

    it("by exact action or a prefix ending in .*", async () => {
      expect(actions(await listAll(c.admin, { action: "workspace.updated" }))).toEqual(["workspace.updated"]);
      expect(await listAll(c.admin, { action: "workspace" })).toEqual([]);
      const prefixed = await listAll(c.admin, { action: "workspace.*" });
      expect(actions(prefixed)).toEqual([
        "workspace.updated",
        "workspace.created",
        "workspace.created",
        "workspace.created",
      ]);
      // `_` in the prefix is a literal, not LIKE's any-character.
      expect(await listAll(c.admin, { action: "work_pace.*" })).toEqual([]);
      // A `*` anywhere else would match nothing, silently: refused, naming the field.
      for (const action of ["*.created", "workspace.*.x", "*", "work*"]) {
        const p = await problemOf(() => c.admin.audit.list({ action }));
        expect([p.status, p.errors.map((e) => e.path)], action).toEqual([400, ["query.action"]]);
      }
    });

    it("by target id and by IP", async () => {
      const got = await listAll(c.admin, { targetId: ids["w-one"]! });
      expect(actions(got)).toEqual(["workspace.updated", "workspace.created"]);
      expect((await listAll(c.admin, { ip: "127.0.0.1" })).length).toBeGreaterThan(0);
      expect(await listAll(c.admin, { ip: "10.9.9.9" })).toEqual([]);
    });

    it("by text, case-insensitively, with % and _ matched literally", async () => {
      const pct = await listAll(c.admin, { q: "100%" });
      expect(pct.map((e) => e.target?.label)).toEqual(["w-one", "w-one"]);
      const pure = await listAll(c.admin, { q: "PURE" });
      expect(pure.map((e) => e.target?.label).sort()).toEqual(["w-one", "w-one", "w-two"]);
      // Were `_` LIKE's any-character, "d_r" would match "under_score".
      expect(await listAll(c.admin, { q: "d_r" })).toEqual([]);
      expect((await listAll(c.admin, { q: "r_sc" })).map((e) => e.target?.label)).toEqual(["w-three"]);
      expect((await listAll(c.admin, { q: "w-t" })).map((e) => e.target?.label)).toEqual([
        "w-three",
        "w-two",
      ]);
    });

    it("pages newest first with a cursor, without gaps or repeats", async () => {
      const all = await listAll(c.admin);
      const seqs: number[] = [];
      let cursor: string | undefined;
      do {
        const page = await c.admin.audit.list({ limit: 2, ...(cursor ? { cursor } : {}) });
        expect(page.items.length).toBeLessThanOrEqual(2);
        seqs.push(...page.items.map((e) => e.seq));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(seqs).toEqual(all.map((e) => e.seq));
      expect(seqs).toEqual([...seqs].sort((x, y) => y - x));
      expect(seqs.at(-1)).toBe(1);
      const bad = await problemOf(() => c.admin.audit.list({ cursor: "not-a-cursor" }));
      expect(bad.code).toBe("INVALID_CURSOR");
    });

    it("rejects a malformed filter naming the field", async () => {
      const p = await problemOf(() => c.admin.audit.list({ from: "yesterday" }));
      expect(p.status).toBe(400);
      expect(p.errors.map((e) => e.path)).toContain("query.from");
      // A range that ends before it starts, in the list and in the export alike.
      const range = { from: "2026-03-02T00:00:00Z", to: "2026-03-01T00:00:00+01:00" };
      const backwards = await problemOf(() => c.admin.audit.list(range));
      expect([backwards.status, backwards.errors.map((e) => e.path)]).toEqual([400, ["query.to"]]);
      const url = `/api/v1/audit/export?format=csv&from=${range.from}&to=${encodeURIComponent(range.to)}`;
      expect((await c.admin.transport.raw("GET", url)).status).toBe(400);
      // The same instant written with two offsets is a range of one moment, not a backwards one.
      const same = { from: "2026-03-01T01:00:00+01:00", to: "2026-03-01T00:00:00Z" };
      await expect(c.admin.audit.list(same)).resolves.toMatchObject({ items: expect.any(Array) });
    });
  });

  it("never shows another tenant's events (twin tenants)", async () => {
    const ws = await a.admin.workspaces.create({ slug: "a-secret", name: "A secret" });
    const fromB = await listAll(b.admin);
    expect(fromB.length).toBeGreaterThan(0);
    expect(fromB.some((e) => e.target?.id === ws.id || e.target?.id === a.id)).toBe(false);
    expect(await listAll(b.admin, { targetId: ws.id })).toEqual([]);
    expect(await listAll(b.admin, { q: "a-secret" })).toEqual([]);
    const exported = await b.admin.audit.export({ format: "jsonl" });
    expect(exported).not.toContain(ws.id);
    expect(exported).not.toContain(a.id);
    const bSeqs = exported
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as AuditEvent).seq);
    expect(bSeqs).toEqual(bSeqs.map((_, i) => i + 1));
    // Each event says whose trail it is in, in both formats (an export read elsewhere).
    expect(
      new Set(
        exported
          .trim()
          .split("\n")
          .map((l) => (JSON.parse(l) as AuditEvent).tenantId),
      ),
    ).toEqual(new Set([b.id]));
    const [header, first] = (await b.admin.audit.export({ format: "csv" })).trim().split("\r\n");
    expect(header!.split(",").at(-1)).toBe("tenantId");
    expect(first!.split(",").at(-1)).toBe(b.id);
  });

  it("says what a date must look like when a range bound or an expiry is not one", async () => {
    const res = await a.admin.transport.raw("GET", "/api/v1/audit?from=March");
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: unknown[] }).errors).toEqual([
      { path: "query.from", message: "must be a date (YYYY-MM-DD) or an ISO 8601 date-time with its offset" },
    ]);
    const token = await a.admin.transport.raw("POST", "/api/v1/api-tokens", {
      body: { name: "Dated", roleId: "rol_x", expiresAt: "tomorrow" },
    });
    expect(token.status).toBe(400);
    expect(((await token.json()) as { errors: { path: string; message: string }[] }).errors).toContainEqual({
      path: "expiresAt",
      message: "must be an ISO 8601 date-time with its offset, such as 2026-12-04T09:30:00Z",
    });
  });

  it("needs audit.view for list, export and verify", async () => {
    const viewer = await userWithoutAuditView(t, a, "no-audit");
    for (const call of [
      () => viewer.audit.list(),
      () => viewer.audit.export({ format: "csv" }),
      () => viewer.audit.verify(),
    ]) {
      const p = await problemOf(call);
      expect(p.status).toBe(403);
      expect(p.code).toBe("FORBIDDEN");
    }
    // A refused export leaves no audit.exported behind.
    expect(await listAll(a.admin, { action: "audit.exported", actor: "no-audit" })).toEqual([]);
    expect((await problemOf(() => t.anonymous.audit.list())).status).toBe(401);
  });
});
