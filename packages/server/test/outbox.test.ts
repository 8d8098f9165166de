/** GET /api/v1/outbox: the tenant's emails and their delivery state, never a body or a link. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { problemOf, startTestApp, TEST_DB, type TestApp, type TestTenant } from "./harness.ts";
import { createRole, createUser, inviteUser } from "./lifecycle-fixtures.ts";

describe(`the outbox for administrators (${TEST_DB})`, () => {
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;
  beforeAll(async () => {
    t = await startTestApp();
    a = await t.createTenant();
    b = await t.createTenant();
  });
  afterAll(() => t.close());

  it("lists the tenant's emails newest first with their state, and never a body or a token", async () => {
    const invited = await inviteUser(t, a);
    await inviteUser(t, b);
    const { items } = await a.admin.outbox.list();
    expect(items[0]).toMatchObject({
      to: invited.email,
      kind: "user.invitation",
      state: "pending",
      sentAt: null,
      attempts: 0,
    });
    expect(Object.keys(items[0]!)).not.toContain("body");
    const bodies = await t.db.kysely
      .selectFrom("outbox")
      .select("body")
      .where("tenant_id", "=", a.id)
      .execute();
    const token = /#token=([A-Za-z0-9_-]+)/.exec(bodies.map((r) => r.body).join("\n"))?.[1];
    expect(token).toBeDefined();
    expect(JSON.stringify(items)).not.toContain(token!);
    // Another tenant's emails are not listed.
    const bEmails = await t.db.kysely
      .selectFrom("outbox")
      .select("to_address")
      .where("tenant_id", "=", b.id)
      .execute();
    for (const { to_address } of bEmails) expect(items.map((m) => m.to)).not.toContain(to_address);
  });

  it("says whether a message left: sent, pending or failing, and filters on it and on the recipient", async () => {
    const invited = await inviteUser(t, a);
    // As the mailer records a delivery (mail.test.ts drives the mailer itself).
    await t.db.kysely
      .updateTable("outbox")
      .set({ sent_at: t.clock.now().toISOString(), sent_via: "smtp", attempts: 1 })
      .where("tenant_id", "=", a.id)
      .where("to_address", "=", invited.email)
      .execute();
    const sent = await a.admin.outbox.list({ to: invited.email.toUpperCase() });
    expect(sent.items).toEqual([expect.objectContaining({ state: "sent", sentVia: "smtp" })]);
    const [failing] = await t.db.kysely
      .updateTable("outbox")
      .set({ sent_at: null, attempts: 2, last_error: "connect ECONNREFUSED 127.0.0.1:25" })
      .where("tenant_id", "=", a.id)
      .where("to_address", "=", invited.email)
      .returning("id")
      .execute();
    const onlyFailing = await a.admin.outbox.list({ state: "failing" });
    expect(onlyFailing.items.map((m) => m.id)).toEqual([failing!.id]);
    expect(onlyFailing.items[0]).toMatchObject({
      attempts: 2,
      lastError: "connect ECONNREFUSED 127.0.0.1:25",
    });
    expect((await a.admin.outbox.list({ state: "pending" })).items.every((m) => m.state === "pending")).toBe(
      true,
    );
    // Being sent for the first time (the mailer counts the try before it starts) is still pending;
    // every try failed is given up.
    const inFlight = await inviteUser(t, a);
    await t.db.kysely
      .updateTable("outbox")
      .set({ attempts: 1 })
      .where("tenant_id", "=", a.id)
      .where("to_address", "=", inFlight.email)
      .execute();
    expect((await a.admin.outbox.list({ to: inFlight.email })).items[0]).toMatchObject({ state: "pending" });
    await t.db.kysely
      .updateTable("outbox")
      .set({ attempts: 8, last_error: "554 rejected" })
      .where("tenant_id", "=", a.id)
      .where("to_address", "=", inFlight.email)
      .execute();
    const givenUp = await a.admin.outbox.list({ state: "given_up" });
    expect(givenUp.items).toEqual([expect.objectContaining({ to: inFlight.email, state: "given_up" })]);
    expect((await a.admin.outbox.list({ state: "failing" })).items.map((m) => m.id)).toEqual([failing!.id]);
  });

  it("pages with limit and cursor like every list", async () => {
    for (let i = 0; i < 3; i++) await inviteUser(t, a);
    const all = (await a.admin.outbox.list({ limit: 200 })).items;
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await a.admin.outbox.list({ limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((m) => m.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(all.map((m) => m.id));
  });

  it("is refused without settings.manage", async () => {
    const { client } = await createUser(t, a, {
      roleId: await createRole(a, ["users.view", "users.manage"]),
    });
    const p = await problemOf(() => client.outbox.list());
    expect(p.status).toBe(403);
  });
});
