/**
 * A purge deletes at most PURGE_CHUNK events per transaction (audit-purge.ts): the tenant's chain
 * lock, which its sign-ins wait for, is never held for a whole years-long backlog at once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PURGE_CHUNK } from "../../core/src/audit/audit-purge.ts";
import { listAll } from "./audit.helpers.ts";
import { startTestApp, TEST_DB, type TestApp, type TestTenant } from "./harness.ts";

const DAY_MS = 86_400_000;
const T0 = Date.parse("2020-01-01T08:00:00.000Z");
const RETENTION_DAYS = 2196;

describe(`audit purge of a long backlog, a chunk at a time (${TEST_DB})`, () => {
  let t: TestApp;
  let a: TestTenant;
  beforeAll(async () => {
    t = await startTestApp();
    t.clock.set(new Date(T0));
    a = await t.createTenant();
    // More than one chunk of old events: every patient decision recorded, 1,000 per batch.
    await a.admin.settings.update({ auditAllPatientDecisions: true });
    const checks = Array.from({ length: 1000 }, (_, i) => ({
      userId: a.adminUserId,
      permission: "patients.read",
      patientRef: `P-${i}`,
    }));
    for (let n = 0; n <= PURGE_CHUNK; n += checks.length) await a.admin.access.checkBatch(checks);
    t.clock.set(new Date(T0 + RETENTION_DAYS * DAY_MS + DAY_MS));
    a = { ...a, admin: await t.signIn(a.slug, "admin") };
  });
  afterAll(() => t.close());

  it("purges every event past the horizon in chunks, each its own recorded step, and the rest verifies", async () => {
    const old = (await listAll(a.admin)).filter((e) => Date.parse(e.at) < T0 + DAY_MS);
    expect(old.length).toBeGreaterThan(PURGE_CHUNK);
    const result = await a.admin.audit.purge();
    expect(result.purged).toBe(old.length);
    expect(result.purgedThroughSeq).toBe(Math.max(...old.map((e) => e.seq)));
    const steps = (await a.admin.audit.list({ action: "audit.purged" })).items.sort((x, y) => x.seq - y.seq);
    expect(steps.map((e) => e.changes?.purged?.after)).toEqual([PURGE_CHUNK, old.length - PURGE_CHUNK]);
    expect(steps.map((e) => e.changes?.purgedThroughSeq?.after)).toEqual([
      Math.min(...old.map((e) => e.seq)) - 1 + PURGE_CHUNK,
      result.purgedThroughSeq,
    ]);
    expect(await a.admin.audit.verify()).toMatchObject({ ok: true, firstBrokenSeq: null });
    // Nothing left to purge: the request is still recorded, once.
    expect(await a.admin.audit.purge()).toMatchObject({ purged: 0 });
    expect((await a.admin.audit.list({ action: "audit.purged" })).items).toHaveLength(3);
  });
});
