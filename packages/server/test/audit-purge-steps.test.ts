/**
 * A purge in three steps (audit-purge.ts): the walk before the chain's lock, the anchor moved and
 * the purge audited under it, the rows deleted afterwards by chunks. What each step leaves must
 * hold: other writes of the tenant go on during the walk; rows left at or below the anchor are
 * outside the chain and go with the next purge; purges at once purge each event once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendAudit } from "../../core/src/audit/audit-writer.ts";
import { systemActor } from "../../core/src/shared/context.ts";
import { inChangeTx } from "../../core/src/shared/tx.ts";
import { startTestApp, TEST_DB, type TestApp, type TestTenant } from "./harness.ts";

const DAY_MS = 86_400_000;
const T0 = Date.parse("2020-01-01T08:00:00.000Z");
const RETENTION_DAYS = 2196;
const BACKLOG = 30_000;

async function countBelow(t: TestApp, tenantId: string, seq: number): Promise<number> {
  const row = await t.db.kysely
    .selectFrom("audit_events")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("tenant_id", "=", tenantId)
    .where("seq", "<=", seq)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function anchorOf(t: TestApp, tenantId: string) {
  return t.db.kysely
    .selectFrom("audit_heads")
    .select(["seq", "purged_through_seq", "purged_through_hash"])
    .where("tenant_id", "=", tenantId)
    .executeTakeFirstOrThrow();
}

/** `n` events written straight through the audit writer, 1,000 to a transaction. */
async function backlog(t: TestApp, tenantId: string, n: number): Promise<void> {
  const deps = t.app.core.deps;
  const ctx = { tenantId, actor: systemActor, ip: null, userAgent: null, requestId: null };
  for (let done = 0; done < n; done += 1_000) {
    await inChangeTx(deps, tenantId, async (trx) => {
      for (let i = done; i < Math.min(n, done + 1_000); i++) {
        await appendAudit(deps, trx, ctx, {
          action: "user.updated",
          target: { type: "user", id: null, label: `user ${i}` },
          changes: { firstName: { before: `A${i}`, after: `B${i}` } },
        });
      }
    });
  }
}

describe(`audit purge in steps (${TEST_DB})`, () => {
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;
  /** b's last event past the horizon. */
  let bOld: number;
  /** a's last event a day younger than the backlog (past the horizon a day later). */
  let aYounger: number;
  beforeAll(async () => {
    t = await startTestApp();
    t.clock.set(new Date(T0));
    a = await t.createTenant();
    b = await t.createTenant();
    await backlog(t, a.id, BACKLOG);
    t.clock.set(new Date(T0 + DAY_MS));
    await backlog(t, a.id, 100);
    aYounger = (await anchorOf(t, a.id)).seq;
    await backlog(t, b.id, 2_000);
    bOld = (await anchorOf(t, b.id)).seq;
    t.clock.set(new Date(T0 + RETENTION_DAYS * DAY_MS + DAY_MS / 2));
    a = { ...a, admin: await t.signIn(a.slug, "admin") };
    b = { ...b, admin: await t.signIn(b.slug, "admin") };
  }, 120_000);
  afterAll(() => t.close());

  it("lets the tenant's audited writes through while it walks a long backlog", async () => {
    const before = await anchorOf(t, a.id);
    const purge = a.admin.audit.purge();
    // Started once the purge is under way: a sign-in writes audit events, so it waits for the
    // chain's lock whenever a purge holds it.
    await new Promise((resolve) => setTimeout(resolve, 20));
    await t.signIn(a.slug, "admin");
    // The sign-in is done while the purge has not yet moved the anchor: it never waited for it.
    expect((await anchorOf(t, a.id)).purged_through_seq).toBe(before.purged_through_seq);
    // A day passes before the purge takes the lock: the events a day younger than the backlog are
    // past the horizon now, and the walk goes on over them under the lock.
    t.clock.advance(DAY_MS);
    const result = await purge;
    expect(result).toMatchObject({ purged: aYounger, purgedThroughSeq: aYounger });
    expect(await countBelow(t, a.id, aYounger)).toBe(0);
    const admin = await t.signIn(a.slug, "admin");
    expect(await admin.audit.verify()).toMatchObject({ ok: true, firstBrokenSeq: null });
  }, 60_000);

  it("leaves rows at or below the anchor out of the chain, and the next purge deletes them", async () => {
    // What a purge leaves when its deletes fail after the anchor moved (the database went away):
    // the anchor moved over events whose rows are still there.
    const through = bOld - 10;
    b = { ...b, admin: await t.signIn(b.slug, "admin") };
    const last = await t.db.kysely
      .selectFrom("audit_events")
      .select("hash")
      .where("tenant_id", "=", b.id)
      .where("seq", "=", through)
      .executeTakeFirstOrThrow();
    await t.db.kysely
      .updateTable("audit_heads")
      .set({ purged_through_seq: through, purged_through_hash: last.hash })
      .where("tenant_id", "=", b.id)
      .execute();
    const head = await anchorOf(t, b.id);
    expect(await b.admin.audit.verify()).toEqual({
      ok: true,
      checked: head.seq - through,
      firstBrokenSeq: null,
    });
    const result = await b.admin.audit.purge();
    expect(result).toMatchObject({ purged: 10, purgedThroughSeq: bOld });
    expect(await countBelow(t, b.id, bOld)).toBe(0);
    expect((await b.admin.audit.verify()).ok).toBe(true);
  });

  it("purges each event once when purges run at once", async () => {
    t.clock.set(new Date(T0));
    const c = await t.createTenant();
    await backlog(t, c.id, 5_000);
    const { seq: old } = await anchorOf(t, c.id);
    t.clock.set(new Date(T0 + RETENTION_DAYS * DAY_MS + DAY_MS / 2));
    const admin = await t.signIn(c.slug, "admin");
    const runs = await Promise.all([admin.audit.purge(), admin.audit.purge(), admin.audit.purge()]);
    expect(runs.reduce((sum, r) => sum + r.purged, 0)).toBe(old);
    expect(runs.map((r) => r.purgedThroughSeq)).toEqual([old, old, old]);
    expect(await countBelow(t, c.id, old)).toBe(0);
    const purges = (await admin.audit.list({ action: "audit.purged", limit: 10 })).items;
    expect(purges.map((e) => e.changes?.purged?.after).sort()).toEqual([0, 0, old].sort());
    expect((await admin.audit.verify()).ok).toBe(true);
  }, 60_000);
});
