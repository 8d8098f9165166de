/**
 * GET /api/v1/outbox: the tenant's emails and their delivery state; a body only of a message printed
 * to the log, to the reader or to a user whose password the reader could set.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { problemOf, startTestApp, TEST_DB, type TestApp, type TestTenant } from "./harness.ts";
import { createRole, createUser, inviteUser, roleIdByName } from "./lifecycle-fixtures.ts";

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

  it("lists the tenant's emails newest first with their state, and no body before it was printed", async () => {
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
    expect(items[0]!.body).toBeNull();
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

  it("shows a body printed to the log only to its recipient or to someone who could set their password", async () => {
    /** As the mailer records a message printed to the log (no SMTP) or sent by SMTP. */
    const deliver = (via: "log" | "smtp") =>
      t.db.kysely
        .updateTable("outbox")
        .set({ sent_at: t.clock.now().toISOString(), sent_via: via, attempts: 1 })
        .where("tenant_id", "=", a.id)
        .where("sent_at", "is", null)
        .execute();
    const bodyTo = async (reader: typeof a.admin, to: string) =>
      (await reader.outbox.list({ to })).items[0]?.body ?? null;
    const invited = await inviteUser(t, a);
    await deliver("log");
    const body = await bodyTo(a.admin, invited.email);
    expect(body).toMatch(/accept-invitation#token=[A-Za-z0-9_-]{20,}/);

    // settings.manage alone reads its own messages, nobody else's.
    const settingsOnly = await createUser(t, a, { roleId: await createRole(a, ["settings.manage"]) });
    expect(await bodyTo(settingsOnly.client, invited.email)).toBeNull();
    await t.anonymous.credentials.forgotPassword({ tenant: a.slug, email: settingsOnly.user.email });
    await deliver("log");
    expect(await bodyTo(settingsOnly.client, settingsOnly.user.email)).toMatch(/reset-password#token=/);

    // users.credentials reads the link of a Viewer (holding nothing more), but not the link of an
    // administrator holding more.
    const viewer = await a.admin.roles.get(await roleIdByName(t, a, "Viewer"));
    const helpdesk = await createUser(t, a, {
      roleId: await createRole(a, [
        ...viewer.permissions,
        "settings.manage",
        "users.view",
        "users.credentials",
      ]),
    });
    expect(await bodyTo(helpdesk.client, invited.email)).toBe(body);
    const boss = await createUser(t, a);
    await t.anonymous.credentials.forgotPassword({ tenant: a.slug, email: boss.user.email });
    await deliver("log");
    expect(await bodyTo(helpdesk.client, boss.user.email)).toBeNull();
    expect(await bodyTo(a.admin, boss.user.email)).toMatch(/reset-password#token=/);

    // A message sent by SMTP went to its recipient alone.
    const mailed = await inviteUser(t, a);
    await deliver("smtp");
    expect(await bodyTo(a.admin, mailed.email)).toBeNull();
  });

  it("is refused without settings.manage", async () => {
    const { client } = await createUser(t, a, {
      roleId: await createRole(a, ["users.view", "users.manage"]),
    });
    const p = await problemOf(() => client.outbox.list());
    expect(p.status).toBe(403);
  });
});
