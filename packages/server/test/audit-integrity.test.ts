import type { AuditEvent } from "@staffgate/contract";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listAll } from "./audit.helpers.ts";
import { CANARY_PASSWORD, startTestApp, TEST_DB, type TestApp, type TestTenant } from "./harness.ts";

describe(`audit export and integrity (${TEST_DB})`, () => {
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;
  beforeAll(async () => {
    t = await startTestApp();
    t.clock.set("2026-03-01T08:00:00.000Z");
    a = await t.createTenant();
    b = await t.createTenant();
    for (const slug of ["e-1", "e-2"]) await a.admin.workspaces.create({ slug, name: `Export ${slug}` });
  });
  afterAll(() => t.close());

  it("lets other requests in between the pages of a verify or an export (SQLite runs them on this thread)", async () => {
    // 1,200 events in one request: every patient decision recorded, one batch of checks.
    const c = await t.createTenant();
    await c.admin.settings.update({ auditAllPatientDecisions: true });
    const checks = Array.from({ length: 1000 }, (_, i) => ({
      userId: c.adminUserId,
      permission: "patients.read",
      patientRef: `P-${i}`,
    }));
    await c.admin.access.checkBatch(checks);
    await c.admin.access.checkBatch(checks.slice(0, 200));
    let turns = 0;
    const counting = { on: true };
    const tick = () => {
      turns += 1;
      if (counting.on) setImmediate(tick);
    };
    const during = async (work: Promise<unknown>) => {
      turns = 0;
      counting.on = true;
      setImmediate(tick);
      await work;
      counting.on = false;
      return turns;
    };
    // Three pages of 500: the event loop turns between them (without the yield: at most once).
    expect(await during(c.admin.audit.verify())).toBeGreaterThanOrEqual(3);
    expect(await during(c.admin.audit.export({ format: "jsonl" }))).toBeGreaterThanOrEqual(3);
    expect(await c.admin.audit.verify()).toMatchObject({ ok: true });
  });

  it("exports every event in seq order as JSON Lines, recording the export itself", async () => {
    const res = await a.admin.transport.raw("GET", "/api/v1/audit/export", { query: { format: "jsonl" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/x-ndjson; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="audit-.*\.jsonl"$/);
    const lines = (await res.text()).trimEnd().split("\n");
    const events = lines.map((l) => JSON.parse(l) as AuditEvent);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.at(-1)).toMatchObject({
      action: "audit.exported",
      changes: { format: { after: "jsonl" } },
      actor: { id: a.adminUserId },
    });
    expect(events).toEqual((await listAll(a.admin)).reverse());
  });

  it("exports only the matching events and records the filters", async () => {
    const text = await a.admin.audit.export({ format: "jsonl", action: "workspace.*" });
    const events = text
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as AuditEvent);
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.action.startsWith("workspace."))).toBe(true);
    const [recorded] = (await a.admin.audit.list({ action: "audit.exported", limit: 1 })).items;
    expect(recorded?.changes).toEqual({ format: { after: "jsonl" }, action: { after: "workspace.*" } });
  });

  it("exports CSV with quoting and formula neutralisation", async () => {
    // A failed sign-in records the client's user agent: attacker-controlled text in the trail.
    const evil = '=HYPERLINK("http://evil.example","x"),next';
    const failWith = (userAgent: string) =>
      t.anonymous.transport.raw("POST", "/api/v1/auth/login", {
        body: { tenant: a.slug, login: a.adminUsername, password: "wrong-password-123" },
        headers: { "user-agent": userAgent },
      });
    expect((await failWith(evil)).status).toBe(401);
    expect((await failWith("@SUM(1)")).status).toBe(401);
    const res = await a.admin.transport.raw("GET", "/api/v1/audit/export", { query: { format: "csv" } });
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    const csv = await res.text();
    expect(csv.startsWith("seq,at,actorType,actorId,actorUsername,action,")).toBe(true);
    // Neutralised and quoted for its comma and quotes.
    expect(csv).toContain(`"'=HYPERLINK(""http://evil.example"",""x""),next"`);
    expect(csv).toContain(",'@SUM(1),");
    expect(csv).not.toMatch(/(^|,)[=@]/m);
    const all = await listAll(a.admin);
    // One record per event (CRLF ends records; the LF inside the quoted cell does not).
    const records = csv.split("\r\n").filter(Boolean);
    expect(records.length).toBe(all.length + 1);
    expect(records.slice(1).map((r) => Number(r.split(",")[0]))).toEqual(all.map((e) => e.seq).reverse());
  });

  it("verifies an intact chain", async () => {
    const total = (await listAll(a.admin)).length;
    expect(await a.admin.audit.verify()).toEqual({ ok: true, checked: total, firstBrokenSeq: null });
  });

  it("is append-only in the database: UPDATE and DELETE are refused", async () => {
    const update = t.db.kysely
      .updateTable("audit_events")
      .set({ action: "forged" })
      .where("tenant_id", "=", a.id)
      .where("seq", "=", 2)
      .execute();
    await expect(update).rejects.toThrow(/append-only/);
    const del = t.db.kysely
      .deleteFrom("audit_events")
      .where("tenant_id", "=", a.id)
      .where("seq", "=", 2)
      .execute();
    await expect(del).rejects.toThrow(/append-only/);
    // Overwriting a row by its key: SQLite's INSERT OR REPLACE (whose implicit delete fires no
    // delete trigger), PostgreSQL's ON CONFLICT DO UPDATE.
    const row = await t.db.kysely
      .selectFrom("audit_events")
      .selectAll()
      .where("tenant_id", "=", a.id)
      .where("seq", "=", 2)
      .executeTakeFirstOrThrow();
    const forged = { ...row, actor_label: "someone-else" };
    const overwrite =
      t.db.dialect === "postgres"
        ? t.db.kysely
            .insertInto("audit_events")
            .values(forged)
            .onConflict((oc) => oc.columns(["tenant_id", "seq"]).doUpdateSet({ actor_label: "someone-else" }))
            .execute()
        : t.db.kysely.insertInto("audit_events").orReplace().values(forged).execute();
    await expect(overwrite).rejects.toThrow(/append-only/);
    expect((await a.admin.audit.verify()).ok).toBe(true);
  });

  it("cannot be emptied in one statement either (PostgreSQL's TRUNCATE; SQLite's DELETE FROM)", async () => {
    const emptying =
      t.db.dialect === "postgres"
        ? sql`TRUNCATE audit_events`.execute(t.db.kysely)
        : sql`DELETE FROM audit_events`.execute(t.db.kysely);
    await expect(emptying).rejects.toThrow(/append-only/);
    expect((await a.admin.audit.list({ limit: 1 })).items).toHaveLength(1);
  });

  it("never holds the password a tenant was created with, in rows or exports", async () => {
    const rows = await t.db.allTenants.selectFrom("audit_events").selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(CANARY_PASSWORD);
    for (const format of ["csv", "jsonl"] as const) {
      expect(await a.admin.audit.export({ format })).not.toContain(CANARY_PASSWORD);
    }
  });

  describe("tampering", () => {
    // Last in the file: tampering needs the append-only triggers off, which no earlier test may see.
    // (One app per file: closing a PostgreSQL test database mid-file races its pool's shutdown.)
    let x: TestTenant;
    beforeAll(async () => {
      x = await t.createTenant();
      for (const slug of ["t-1", "t-2", "t-3"]) await x.admin.workspaces.create({ slug, name: slug });
      if (TEST_DB === "postgres") {
        await sql`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update`.execute(t.db.kysely);
      } else {
        await sql`DROP TRIGGER audit_events_no_update`.execute(t.db.kysely);
        await sql`DROP TRIGGER audit_events_no_delete`.execute(t.db.kysely);
      }
    });
    afterAll(async () => {
      if (TEST_DB === "postgres") {
        await sql`ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update`.execute(t.db.kysely);
      }
    });

    it("reports exactly the altered event as firstBrokenSeq", async () => {
      const before = await x.admin.audit.verify();
      expect(before.ok).toBe(true);
      const target = (await x.admin.audit.list({ action: "workspace.created", limit: 3 })).items.at(-1)!;
      await t.db.kysely
        .updateTable("audit_events")
        .set({ action: "workspace.viewed" })
        .where("tenant_id", "=", x.id)
        .where("seq", "=", target.seq)
        .execute();
      expect(await x.admin.audit.verify()).toEqual({
        ok: false,
        checked: target.seq,
        firstBrokenSeq: target.seq,
      });
      await t.db.kysely
        .updateTable("audit_events")
        .set({ action: "workspace.created" })
        .where("tenant_id", "=", x.id)
        .where("seq", "=", target.seq)
        .execute();
      expect((await x.admin.audit.verify()).ok).toBe(true);
    });

    it("reports a deleted event, in the middle or at the end", async () => {
      const all = await listAll(x.admin);
      const last = all[0]!.seq;
      await t.db.kysely
        .deleteFrom("audit_events")
        .where("tenant_id", "=", x.id)
        .where("seq", "=", last)
        .execute();
      expect(await x.admin.audit.verify()).toMatchObject({ ok: false, firstBrokenSeq: last });
      await t.db.kysely
        .deleteFrom("audit_events")
        .where("tenant_id", "=", x.id)
        .where("seq", "=", 3)
        .execute();
      expect(await x.admin.audit.verify()).toMatchObject({ ok: false, firstBrokenSeq: 3 });
      // Chains are per tenant: another tenant's trail still verifies.
      expect((await b.admin.audit.verify()).ok).toBe(true);
    });
  });
});
