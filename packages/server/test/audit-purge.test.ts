import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DAY_MS, listAll, PURGE_T0, RETENTION_DAYS } from "./audit.helpers.ts";
import {
  CANARY_PASSWORD,
  problemOf,
  startTestApp,
  TEST_DB,
  type TestApp,
  type TestTenant,
} from "./harness.ts";

const T0 = PURGE_T0;

async function countEvents(t: TestApp, tenantId: string): Promise<number> {
  const row = await t.db.kysely
    .selectFrom("audit_events")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("tenant_id", "=", tenantId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe(`audit purge past the retention horizon (${TEST_DB})`, () => {
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;
  let oldSeqs: number[];
  beforeAll(async () => {
    t = await startTestApp();
    t.clock.set(new Date(T0));
    a = await t.createTenant();
    b = await t.createTenant();
    for (const slug of ["old-1", "old-2"]) await a.admin.workspaces.create({ slug, name: slug });
    oldSeqs = (await listAll(a.admin)).map((e) => e.seq);
    // A day later: events that stay inside the horizon when the old ones pass it.
    t.clock.set(new Date(T0 + DAY_MS));
    a = { ...a, admin: await t.signIn(a.slug, "admin") };
    await a.admin.workspaces.create({ slug: "young-1", name: "young-1" });
    // Half a day after the old events fall past the horizon; the sessions have long expired.
    t.clock.set(new Date(T0 + RETENTION_DAYS * DAY_MS + DAY_MS / 2));
    a = { ...a, admin: await t.signIn(a.slug, "admin") };
    b = { ...b, admin: await t.signIn(b.slug, "admin") };
  });
  afterAll(() => t.close());

  it("refuses a cut-off inside the horizon, naming `before`, and deletes nothing", async () => {
    const total = await countEvents(t, a.id);
    const horizon = new Date(t.clock.now().getTime() - RETENTION_DAYS * DAY_MS);
    const p = await problemOf(() =>
      a.admin.audit.purge({ before: new Date(horizon.getTime() + 1000).toISOString() }),
    );
    expect(p.status).toBe(422);
    expect(p.code).toBe("AUDIT_RETENTION");
    expect(p.errors?.[0]?.path).toBe("before");
    // Nothing deleted; the attempt itself is on record (an attempt to remove evidence).
    expect(await countEvents(t, a.id)).toBe(total + 1);
    const [refused] = (await a.admin.audit.list({ limit: 1 })).items;
    expect(refused).toMatchObject({
      action: "audit.purge_refused",
      outcome: "denied",
      actor: { id: a.adminUserId },
      changes: {
        code: { after: "AUDIT_RETENTION" },
        before: { after: new Date(horizon.getTime() + 1000).toISOString() },
      },
    });
    expect((await a.admin.audit.verify()).ok).toBe(true);
  });

  it("is refused to a user without settings.manage", async () => {
    const role = await a.admin.roles.create({ name: "Auditor", permissions: ["audit.view"] });
    await a.admin.users.create({
      username: "auditor",
      email: "auditor@example.org",
      firstName: "Ann",
      lastName: "Auditor",
      roleId: role.id,
      password: CANARY_PASSWORD,
    } as never);
    const auditor = await t.signIn(a.slug, "auditor");
    const total = await countEvents(t, a.id);
    const p = await problemOf(() => auditor.audit.purge());
    expect([p.status, p.code]).toEqual([403, "FORBIDDEN"]);
    // Nothing purged: the one event more is the refusal's own record (authz.failed).
    expect(await countEvents(t, a.id)).toBe(total + 1);
    const [last] = (await a.admin.audit.list({ limit: 1 })).items;
    expect([last?.action, last?.outcome]).toEqual(["authz.failed", "denied"]);
  });

  it("deletes exactly the events past the horizon, records the purge, and the rest still verifies", async () => {
    const before = await listAll(a.admin);
    const otherTenant = await countEvents(t, b.id);
    const result = await a.admin.audit.purge();
    const lastOld = Math.max(...oldSeqs);
    expect(result).toMatchObject({ purged: oldSeqs.length, purgedThroughSeq: lastOld });
    expect(Date.parse(result.horizon)).toBe(t.clock.now().getTime() - RETENTION_DAYS * DAY_MS);
    expect(result.before).toBe(result.horizon);

    const after = await listAll(a.admin);
    expect(after.map((e) => e.seq).sort((x, y) => x - y)).toEqual(
      [
        ...before.map((e) => e.seq).filter((s) => s > lastOld),
        Math.max(...before.map((e) => e.seq)) + 1,
      ].sort((x, y) => x - y),
    );
    expect(after[0]).toMatchObject({
      action: "audit.purged",
      actor: { id: a.adminUserId },
      changes: {
        purged: { after: oldSeqs.length },
        purgedThroughSeq: { after: lastOld },
        retentionDays: { after: RETENTION_DAYS },
      },
    });
    expect(await a.admin.audit.verify()).toEqual({ ok: true, checked: after.length, firstBrokenSeq: null });
    // The export starts where the trail now starts.
    const exported = (await a.admin.audit.export({ format: "jsonl" })).trim().split("\n");
    expect((JSON.parse(exported[0]!) as { seq: number }).seq).toBe(lastOld + 1);
    // Another tenant's trail is untouched.
    expect(await countEvents(t, b.id)).toBe(otherTenant);
    expect((await b.admin.audit.verify()).ok).toBe(true);
  });

  it("purges nothing more when nothing else has passed the horizon, and says so in the trail", async () => {
    const total = await countEvents(t, a.id);
    const result = await a.admin.audit.purge();
    expect(result.purged).toBe(0);
    expect(result.purgedThroughSeq).toBe(Math.max(...oldSeqs));
    expect(await countEvents(t, a.id)).toBe(total + 1);
    expect((await a.admin.audit.verify()).ok).toBe(true);
  });

  it("answers 200 with its report (a purge creates nothing)", async () => {
    const res = await a.admin.transport.raw("POST", "/api/v1/audit/purge", { body: {} });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ purged: 0 });
  });

  it("keeps the trail append-only in the database for every event past the anchor", async () => {
    const [newest] = (await a.admin.audit.list({ limit: 1 })).items;
    const del = t.db.kysely
      .deleteFrom("audit_events")
      .where("tenant_id", "=", a.id)
      .where("seq", "=", newest!.seq)
      .execute();
    await expect(del).rejects.toThrow(/append-only/);
    const delOther = t.db.kysely.deleteFrom("audit_events").where("tenant_id", "=", b.id).execute();
    await expect(delOther).rejects.toThrow(/append-only/);
    expect((await b.admin.audit.verify()).ok).toBe(true);
  });

  it("refuses to delete a recent event even under a forged anchor (only events past the shortest retention)", async () => {
    const [newest] = (await a.admin.audit.list({ limit: 1 })).items;
    const saved = await t.db.kysely
      .selectFrom("audit_heads")
      .select(["purged_through_seq", "purged_through_hash"])
      .where("tenant_id", "=", a.id)
      .executeTakeFirstOrThrow();
    // Plain write access moves the anchor past a recent event, as a purge would...
    await t.db.kysely
      .updateTable("audit_heads")
      .set({ purged_through_seq: newest!.seq, purged_through_hash: newest!.hash })
      .where("tenant_id", "=", a.id)
      .execute();
    // ...but the trigger also wants the event older than 2,190 days by the database's clock.
    const del = t.db.kysely
      .deleteFrom("audit_events")
      .where("tenant_id", "=", a.id)
      .where("seq", "=", newest!.seq)
      .execute();
    await expect(del).rejects.toThrow(/append-only/);
    await t.db.kysely.updateTable("audit_heads").set(saved).where("tenant_id", "=", a.id).execute();
    expect((await a.admin.audit.verify()).ok).toBe(true);
  });

  it("reports a forged anchor as a break at the first remaining event", async () => {
    const anchor = Math.max(...oldSeqs);
    const head = await t.db.kysely
      .selectFrom("audit_heads")
      .select("purged_through_hash")
      .where("tenant_id", "=", a.id)
      .executeTakeFirstOrThrow();
    await t.db.kysely
      .updateTable("audit_heads")
      .set({ purged_through_hash: "f".repeat(64) })
      .where("tenant_id", "=", a.id)
      .execute();
    expect(await a.admin.audit.verify()).toMatchObject({ ok: false, firstBrokenSeq: anchor + 1 });
    await t.db.kysely
      .updateTable("audit_heads")
      .set({ purged_through_hash: head.purged_through_hash })
      .where("tenant_id", "=", a.id)
      .execute();
    expect((await a.admin.audit.verify()).ok).toBe(true);
  });

  describe("a broken chain among the events to purge", () => {
    // Last in the file: tampering needs the update trigger off, which no earlier test may see.
    let x: TestTenant;
    beforeAll(async () => {
      t.clock.set(new Date(T0 + 2 * DAY_MS));
      x = await t.createTenant();
      for (const slug of ["x-1", "x-2"]) await x.admin.workspaces.create({ slug, name: slug });
      t.clock.set(new Date(T0 + (RETENTION_DAYS + 10) * DAY_MS));
      x = { ...x, admin: await t.signIn(x.slug, "admin") };
      if (TEST_DB === "postgres") {
        await sql`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update`.execute(t.db.kysely);
      } else {
        await sql`DROP TRIGGER audit_events_no_update`.execute(t.db.kysely);
      }
    });
    afterAll(async () => {
      if (TEST_DB === "postgres") {
        await sql`ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update`.execute(t.db.kysely);
      }
    });

    it("is refused with 409, deleting nothing, so the evidence survives", async () => {
      const target = (await x.admin.audit.list({ action: "workspace.created" })).items.at(-1)!;
      await t.db.kysely
        .updateTable("audit_events")
        .set({ target_label: "forged" })
        .where("tenant_id", "=", x.id)
        .where("seq", "=", target.seq)
        .execute();
      const total = await countEvents(t, x.id);
      const p = await problemOf(() => x.admin.audit.purge());
      expect(p.status).toBe(409);
      expect(p.code).toBe("AUDIT_CHAIN_BROKEN");
      expect(p.problem.detail).toContain(`seq ${target.seq}`);
      expect(await countEvents(t, x.id)).toBe(total + 1);
      expect((await x.admin.audit.list({ limit: 1 })).items[0]).toMatchObject({
        action: "audit.purge_refused",
        changes: { code: { after: "AUDIT_CHAIN_BROKEN" } },
      });
      expect(await x.admin.audit.verify()).toMatchObject({ ok: false, firstBrokenSeq: target.seq });
    });
  });
});
