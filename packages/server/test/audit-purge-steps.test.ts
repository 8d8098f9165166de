/**
 * A purge in two steps (audit-purge.ts): the walk before the chain's lock, then under it what
 * changed meanwhile, the anchor moved, the events deleted and the purge audited, in one
 * transaction. Other writes of the tenant go on during the walk; purges at once purge each event
 * once; a refusal at the delete (the database's own age check) changes nothing; and an anchor
 * moved by hand over events still there is a break, which no purge takes away.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendAudit } from "../../core/src/audit/audit-writer.ts";
import { purgeAuditPastRetention } from "../../core/src/jobs/retention.job.ts";
import { systemActor } from "../../core/src/shared/context.ts";
import { inChangeTx } from "../../core/src/shared/tx.ts";
import { DAY_MS, PURGE_T0, RETENTION_DAYS } from "./audit.helpers.ts";
import {
  CANARY_PASSWORD,
  problemOf,
  startTestApp,
  TEST_DB,
  type TestApp,
  type TestTenant,
} from "./harness.ts";

const T0 = PURGE_T0;
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

  /** A tenant whose `n` events are past the horizon, and its administrator signed in after. */
  async function pastTheHorizon(n: number) {
    t.clock.set(new Date(T0));
    const c = await t.createTenant();
    await backlog(t, c.id, n);
    t.clock.set(new Date(T0 + RETENTION_DAYS * DAY_MS + DAY_MS / 2));
    return { c, admin: await t.signIn(c.slug, "admin") };
  }
  const whileItWalks = () => new Promise((resolve) => setTimeout(resolve, 50));

  it("is refused when the anchor's hash is rewritten while it walks (what it walked from is gone)", async () => {
    const { c, admin } = await pastTheHorizon(20_000);
    const purge = problemOf(() => admin.audit.purge());
    await whileItWalks();
    // Write access to the database, as the triggers' tests assume a tamperer has.
    await t.db.kysely
      .updateTable("audit_heads")
      .set({ purged_through_hash: "f".repeat(64) })
      .where("tenant_id", "=", c.id)
      .execute();
    expect([(await purge).status, (await purge).code]).toEqual([409, "AUDIT_CHAIN_BROKEN"]);
    expect(await admin.audit.verify()).toMatchObject({ ok: false, firstBrokenSeq: 1 });
  }, 60_000);

  it("is refused when an event it walked is deleted behind an anchor moved and put back", async () => {
    const { c, admin } = await pastTheHorizon(20_000);
    const purge = problemOf(() => admin.audit.purge());
    await whileItWalks();
    // The trigger lets a row at or below the anchor go: write access moves it there and back.
    await t.db.kysely.transaction().execute(async (trx) => {
      const saved = await trx
        .selectFrom("audit_heads")
        .select(["purged_through_seq", "purged_through_hash"])
        .where("tenant_id", "=", c.id)
        .executeTakeFirstOrThrow();
      await trx
        .updateTable("audit_heads")
        .set({ purged_through_seq: 5 })
        .where("tenant_id", "=", c.id)
        .execute();
      await trx.deleteFrom("audit_events").where("tenant_id", "=", c.id).where("seq", "=", 5).execute();
      await trx.updateTable("audit_heads").set(saved).where("tenant_id", "=", c.id).execute();
    });
    expect([(await purge).status, (await purge).code]).toEqual([409, "AUDIT_CHAIN_BROKEN"]);
    expect(await admin.audit.verify()).toMatchObject({ ok: false, firstBrokenSeq: 5 });
  }, 60_000);

  it("never exports a trail with a hole when a purge commits while it is sent", async () => {
    const { admin } = await pastTheHorizon(20_000);
    const purge = admin.audit.purge();
    await whileItWalks();
    // Either whole, from where the trail started when it was read, or cut off: never a gap.
    const exported = await admin.audit.export({ format: "jsonl" }).then(
      (text) =>
        text
          .trim()
          .split("\n")
          .map((line) => (JSON.parse(line) as { seq: number }).seq),
      () => null,
    );
    await purge;
    if (exported !== null) {
      expect(exported.length).toBeGreaterThan(0);
      expect(exported.every((seq, i) => i === 0 || seq === exported[i - 1]! + 1)).toBe(true);
    }
  }, 60_000);

  it("stops an export a purge overtakes once it has sent events, and starts one it overtook before after the purge", async () => {
    const { c, admin } = await pastTheHorizon(2_000);
    const ctx = { tenantId: c.id, actor: systemActor, ip: null, userAgent: null, requestId: null };
    const exporting = async (whenFirstSent: () => Promise<unknown>) => {
      const events = await t.app.core.audit.exportEvents(ctx, {});
      const seqs: number[] = [];
      try {
        for await (const e of events) {
          seqs.push(e.seq);
          if (seqs.length === 1) await whenFirstSent();
        }
        return { seqs, failed: false };
      } catch {
        return { seqs, failed: true };
      }
    };
    // Its first page (500 events) on its way when the purge commits: the rest would have a hole.
    const overtaken = await exporting(() => admin.audit.purge());
    expect(overtaken.failed).toBe(true);
    expect(overtaken.seqs).toEqual(overtaken.seqs.map((_, i) => i + 1));
    expect(overtaken.seqs.length).toBe(500);
    // Overtaken before it sent anything: it starts after the purge's anchor, whole.
    const more = await pastTheHorizon(2_000);
    const moreCtx = { ...ctx, tenantId: more.c.id };
    const events = await t.app.core.audit.exportEvents(moreCtx, {});
    const purged = await more.admin.audit.purge();
    const seqs: number[] = [];
    for await (const e of events) seqs.push(e.seq);
    expect(seqs[0]).toBe(purged.purgedThroughSeq + 1);
    expect(seqs.every((seq, i) => i === 0 || seq === seqs[i - 1]! + 1)).toBe(true);
  }, 60_000);

  it("answers a refusal sent with an Idempotency-Key as a refusal, and runs it again when sent again", async () => {
    const { c, admin } = await pastTheHorizon(10);
    const token = (
      await t.app.inject({
        method: "POST",
        url: "/api/v1/auth/login",
        payload: { tenant: c.slug, login: "admin", password: CANARY_PASSWORD },
      })
    ).json().token as string;
    const send = () =>
      t.app.inject({
        method: "POST",
        url: "/api/v1/audit/purge",
        headers: { authorization: `Bearer ${token}`, "idempotency-key": "purge-inside-retention" },
        payload: { before: t.clock.now().toISOString() },
      });
    for (const res of [await send(), await send()]) {
      expect([res.statusCode, res.json().code]).toEqual([422, "AUDIT_RETENTION"]);
    }
    const refused = (await admin.audit.list({ action: "audit.purge_refused", limit: 10 })).items;
    expect(refused).toHaveLength(2);
  }, 60_000);
});

describe(`audit purge and the database's own checks (${TEST_DB})`, () => {
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;
  // By the database's clock: 2,188 days ago is inside what its trigger keeps (2,189 days), and
  // 4,000 days ago is past it.
  const realNow = Date.now();
  const RECENT = realNow - 2188 * DAY_MS;
  const OLD = realNow - 4000 * DAY_MS;
  beforeAll(async () => {
    t = await startTestApp();
    t.clock.set(new Date(RECENT));
    a = await t.createTenant();
    await a.admin.settings.update({ auditRetentionDays: 2192 });
    t.clock.set(new Date(OLD));
    b = await t.createTenant();
    await b.admin.settings.update({ auditRetentionDays: 3650 });
    await backlog(t, b.id, 10);
    t.clock.set(new Date(realNow - 2200 * DAY_MS));
    await backlog(t, b.id, 10);
  });
  afterAll(() => t.close());

  it("changes nothing when the database refuses the delete (its clock days behind the service's)", async () => {
    // The service's clock 4 days and an hour ahead: by it, a's events are past its 2,192 days.
    t.clock.set(new Date(RECENT + 2192 * DAY_MS + 3_600_000));
    const admin = await t.signIn(a.slug, "admin");
    const before = await anchorOf(t, a.id);
    const p = await problemOf(() => admin.audit.purge());
    expect(p.status).toBeGreaterThanOrEqual(500);
    const after = await anchorOf(t, a.id);
    expect(after.purged_through_seq).toBe(before.purged_through_seq);
    expect(await countBelow(t, a.id, after.seq)).toBe(after.seq);
    const purges = await t.db.kysely
      .selectFrom("audit_events")
      .select("action")
      .where("tenant_id", "=", a.id)
      .where("action", "=", "audit.purged")
      .execute();
    expect(purges).toEqual([]);
    expect((await admin.audit.verify()).ok).toBe(true);
  });

  it("calls an anchor moved by hand over events still there a break, and the job deletes none of them", async () => {
    t.clock.set(new Date(realNow));
    const admin = await t.signIn(b.slug, "admin");
    const head = await anchorOf(t, b.id);
    const newest = await t.db.kysely
      .selectFrom("audit_events")
      .select(["seq", "hash"])
      .where("tenant_id", "=", b.id)
      .where("seq", "=", head.seq - 1)
      .executeTakeFirstOrThrow();
    // Plain write access to the database, as the triggers' own tests assume a tamperer has.
    await t.db.kysely
      .updateTable("audit_heads")
      .set({ purged_through_seq: newest.seq, purged_through_hash: newest.hash })
      .where("tenant_id", "=", b.id)
      .execute();
    expect(await admin.audit.verify()).toMatchObject({ ok: false });
    const rows = await countBelow(t, b.id, head.seq);
    const run = await purgeAuditPastRetention(t.app.core.deps);
    expect(run.errors.filter((e) => e.tenantId === b.id)).toEqual([]);
    expect(await countBelow(t, b.id, head.seq)).toBe(rows);
    expect(await admin.audit.verify()).toMatchObject({ ok: false });
  });
});
