/**
 * A purge verifies the link out of the last event it would delete as well (audit-purge.ts): the
 * last one rewritten with its own hash recomputed passes a walk of the events to delete, and only
 * the next event's prev_hash shows it. Deleting it would take the evidence away.
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chainHash } from "../../core/src/audit/audit-chain.rules.ts";
import { toLink } from "../../core/src/audit/audit-links.ts";
import { purgeAuditPastRetention } from "../../core/src/jobs/retention.job.ts";
import { DAY_MS, listAll, PURGE_T0, RETENTION_DAYS } from "./audit.helpers.ts";
import { problemOf, startTestApp, TEST_DB, type TestApp, type TestTenant } from "./harness.ts";

const T0 = PURGE_T0;

describe(`audit purge and a rewritten last event (${TEST_DB})`, () => {
  let t: TestApp;
  let a: TestTenant;
  let lastOld: number;
  beforeAll(async () => {
    t = await startTestApp();
    t.clock.set(new Date(T0));
    a = await t.createTenant();
    await a.admin.workspaces.create({ slug: "old-1", name: "old-1" });
    lastOld = Math.max(...(await listAll(a.admin)).map((e) => e.seq));
    t.clock.set(new Date(T0 + DAY_MS));
    a = { ...a, admin: await t.signIn(a.slug, "admin") };
    await a.admin.workspaces.create({ slug: "young-1", name: "young-1" });
    t.clock.set(new Date(T0 + RETENTION_DAYS * DAY_MS + DAY_MS / 2));
    a = { ...a, admin: await t.signIn(a.slug, "admin") };
    // Write access to the database, as a tamperer would have it: the append-only trigger off.
    if (TEST_DB === "postgres")
      await sql`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update`.execute(t.db.kysely);
    else await sql`DROP TRIGGER audit_events_no_update`.execute(t.db.kysely);
  });
  afterAll(async () => {
    if (TEST_DB === "postgres")
      await sql`ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update`.execute(t.db.kysely);
    await t.close();
  });

  it("refuses with 409 and deletes nothing when the last event to purge was rewritten, hash and all", async () => {
    const original = await t.db.kysely
      .selectFrom("audit_events")
      .selectAll()
      .where("tenant_id", "=", a.id)
      .where("seq", "=", lastOld)
      .executeTakeFirstOrThrow();
    const hash = chainHash(original.prev_hash, toLink({ ...original, target_label: "forged" }));
    await t.db.kysely
      .updateTable("audit_events")
      .set({ target_label: "forged", hash })
      .where("tenant_id", "=", a.id)
      .where("seq", "=", lastOld)
      .execute();
    expect(await a.admin.audit.verify()).toMatchObject({ ok: false, firstBrokenSeq: lastOld + 1 });
    const p = await problemOf(() => a.admin.audit.purge());
    expect([p.status, p.code]).toEqual([409, "AUDIT_CHAIN_BROKEN"]);
    // Nothing deleted, the rewritten event kept; the refusal itself is on record.
    const kept = await listAll(a.admin);
    expect(kept.some((e) => e.seq === lastOld && e.target?.label === "forged")).toBe(true);
    expect(Math.min(...kept.map((e) => e.seq))).toBe(1);
    expect(kept.find((e) => e.action === "audit.purge_refused")?.changes).toMatchObject({
      code: { after: "AUDIT_CHAIN_BROKEN" },
    });
  });

  it("refuses a whole trail past the horizon whose newest event was rewritten, hash and all (the hourly job)", async () => {
    // A tenant with nothing newer: every event is to go, so no next event can tell. (The job also
    // meets the first tenant, whose rewritten event it refuses too.)
    t.clock.set(new Date(T0));
    const b = await t.createTenant();
    t.clock.set(new Date(T0 + RETENTION_DAYS * DAY_MS + DAY_MS / 2));
    const last = await t.db.kysely
      .selectFrom("audit_events")
      .selectAll()
      .where("tenant_id", "=", b.id)
      .orderBy("seq", "desc")
      .limit(1)
      .executeTakeFirstOrThrow();
    const hash = chainHash(last.prev_hash, toLink({ ...last, target_label: "forged" }));
    await t.db.kysely
      .updateTable("audit_events")
      .set({ target_label: "forged", hash })
      .where("tenant_id", "=", b.id)
      .where("seq", "=", last.seq)
      .execute();
    const run = await purgeAuditPastRetention(t.app.core.deps);
    // Named by tenant, for the log line that reports it every hour.
    expect(
      run.errors.some(
        (f) => f.tenantId === b.id && (f.error as { code?: string }).code === "AUDIT_CHAIN_BROKEN",
      ),
    ).toBe(true);
    const kept = await t.db.kysely
      .selectFrom("audit_events")
      .select(["seq", "target_label"])
      .where("tenant_id", "=", b.id)
      .execute();
    expect(kept.map((e) => e.seq).sort((x, y) => x - y)[0]).toBe(1);
    expect(kept.some((e) => e.seq === last.seq && e.target_label === "forged")).toBe(true);
  });
});
