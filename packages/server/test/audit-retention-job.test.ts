/** The hourly audit retention job (PRODUCT.md §6, §7): each tenant's own horizon, as the system. */
import { purgeAuditPastRetention } from "@staffgate/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, TEST_DB, type TestApp, type TestTenant } from "./harness.ts";

const DAY_MS = 86_400_000;
const T0 = Date.parse("2020-06-01T08:00:00.000Z");

describe(`audit retention job (${TEST_DB})`, () => {
  let t: TestApp;
  let short: TestTenant;
  let long: TestTenant;
  const deps = () => t.app.core.deps;

  const events = (tenantId: string) =>
    t.db.kysely
      .selectFrom("audit_events")
      .select(["seq", "action", "actor_type", "changes"])
      .where("tenant_id", "=", tenantId)
      .orderBy("seq")
      .execute();

  beforeAll(async () => {
    t = await startTestApp();
    t.clock.set(new Date(T0));
    short = await t.createTenant();
    long = await t.createTenant();
    await long.admin.settings.update({ auditRetentionDays: 3650 });
    await short.admin.workspaces.create({ slug: "old", name: "Old" });
  });
  afterAll(() => t.close());

  it("purges nothing and records nothing while every event is inside its tenant's horizon", async () => {
    const before = [(await events(short.id)).length, (await events(long.id)).length];
    t.clock.set(new Date(T0 + 2195 * DAY_MS));
    expect(await purgeAuditPastRetention(deps())).toEqual({
      purged: 0,
      tenants: 0,
      errors: [],
    });
    expect([(await events(short.id)).length, (await events(long.id)).length]).toEqual(before);
  });

  it("purges each tenant past its own horizon only, recorded as the system", async () => {
    const oldShort = await events(short.id);
    const longBefore = await events(long.id);
    t.clock.set(new Date(T0 + 2197 * DAY_MS));
    const run = await purgeAuditPastRetention(deps());
    expect(run).toEqual({ purged: oldShort.length, tenants: 1, errors: [] });
    const after = await events(short.id);
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({
      seq: oldShort.length + 1,
      action: "audit.purged",
      actor_type: "system",
    });
    expect(JSON.parse(after[0]!.changes!)).toMatchObject({
      purged: { after: oldShort.length },
      retentionDays: { after: 2196 },
    });
    expect(await events(long.id)).toEqual(longBefore);
    // The next pass finds nothing more and adds nothing.
    expect(await purgeAuditPastRetention(deps())).toEqual({
      purged: 0,
      tenants: 0,
      errors: [],
    });
    expect(await events(short.id)).toHaveLength(1);
    const admin = await t.signIn(short.slug, "admin");
    expect(await admin.audit.verify()).toMatchObject({ ok: true, firstBrokenSeq: null });
  });

  it("reaches the longer horizon of the other tenant in its own time", async () => {
    const longBefore = await events(long.id);
    t.clock.set(new Date(T0 + 3651 * DAY_MS));
    expect(await purgeAuditPastRetention(deps())).toEqual({
      purged: longBefore.length,
      tenants: 1,
      errors: [],
    });
    expect((await events(long.id)).at(-1)).toMatchObject({ action: "audit.purged", actor_type: "system" });
  });

  it("records nothing when an old event sits behind a younger one (a skewed clock) and nothing can go", async () => {
    // Events are purged as a prefix of the chain: an old event written after a younger one waits.
    // (Dates before 2020-12: the database's own clock lets only events 2,189 days old go.)
    const created = Date.parse("2020-10-01T08:00:00.000Z");
    t.clock.set(new Date(created));
    const skewed = await t.createTenant();
    t.clock.set(new Date(created - 30 * DAY_MS));
    const admin = await t.signIn(skewed.slug, "admin");
    await admin.workspaces.create({ slug: "late", name: "Late" });
    const before = await events(skewed.id);
    t.clock.set(new Date(created - 30 * DAY_MS + 2200 * DAY_MS));
    expect(await purgeAuditPastRetention(deps())).toEqual({
      purged: 0,
      tenants: 0,
      errors: [],
    });
    expect(await events(skewed.id)).toEqual(before);
  });
});
