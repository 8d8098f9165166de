/**
 * Email (issue 4 item 11): the outbox is drained by a mailer; nodemailer's jsonTransport stands in
 * for an SMTP server. Delivery marks rows sent; a failing server leaves them unsent with
 * last_error and a backoff, is logged, and never changes an API answer.
 */
import { Writable } from "node:stream";
import { createMailer, logTransport, type MailLog, nodemailerTransport } from "@staffgate/core";
import { Staffgate } from "@staffgate/sdk";
import { sql } from "kysely";
import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMMIT_WAIT_MS } from "../../core/src/shared/tx.ts";
import { buildApp, type StaffgateApp } from "../src/app.ts";
import { CANARY_PASSWORD, injectFetch, startTestApp, type TestApp, type TestTenant } from "./harness.ts";
import { inviteUser } from "./lifecycle-fixtures.ts";

let seq = 0;

describe(`mail (${process.env.STAFFGATE_TEST_DB ?? "sqlite"})`, () => {
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;
  const apps: StaffgateApp[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    a = await t.createTenant();
    b = await t.createTenant();
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await t.close();
  });

  /** Queues one message directly, as a use case does inside its transaction. */
  async function queue(
    tenant: TestTenant,
    body = "Follow https://staffgate.test/reset-password#token=abc",
    kind = "test.message",
  ): Promise<string> {
    seq += 1;
    const id = `msg_test_${seq}_${Math.random().toString(36).slice(2, 8)}`;
    await t.db.kysely
      .insertInto("outbox")
      .values({
        tenant_id: tenant.id,
        id,
        to_address: `person${seq}@${tenant.slug}.example`,
        subject: `Subject ${seq}`,
        body,
        kind,
        created_at: t.clock.now().toISOString(),
        sent_at: null,
        attempts: 0,
        last_error: null,
        next_attempt_at: null,
        sent_via: null,
      })
      .execute();
    return id;
  }

  const row = (id: string) =>
    t.db.allTenants.selectFrom("outbox").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  const outboxIdsTo = async (to: string) =>
    (await t.db.allTenants.selectFrom("outbox").select("id").where("to_address", "=", to).execute()).map(
      (r) => r.id,
    );
  const pending = () =>
    t.db.allTenants.selectFrom("outbox").select("id").where("sent_at", "is", null).execute();

  /** A json transport that records what it was handed, optionally failing. */
  function recording(fail: { on: boolean; message?: string } = { on: false }) {
    const json = nodemailer.createTransport({ jsonTransport: true });
    const sent: { to: string; from: string; subject: string; text: string }[] = [];
    const transport = nodemailerTransport({
      async sendMail(message) {
        if (fail.on) throw new Error(fail.message ?? "connect ECONNREFUSED 127.0.0.1:25");
        const info = (await json.sendMail(message)) as { message: string };
        const parsed = JSON.parse(info.message) as {
          to: { address: string }[];
          from: { address: string };
          subject: string;
          text: string;
        };
        sent.push({
          to: parsed.to[0]!.address,
          from: parsed.from.address,
          subject: parsed.subject,
          text: parsed.text,
        });
        return info;
      },
    });
    return { transport, sent, fail };
  }

  function captureLog() {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        for (const line of String(chunk).split("\n"))
          if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    return { lines, logger: { level: "info", stream } };
  }

  async function mailApp(mail: NonNullable<Parameters<typeof buildApp>[0]>["mail"], logger?: object) {
    const app = await buildApp({
      db: t.db,
      clock: t.clock,
      validateResponses: true,
      hasher: { memoryCost: 1024, timeCost: 1 },
      mail,
      ...(logger ? { logger: logger as never } : {}),
    });
    apps.push(app);
    return app;
  }

  it("is off unless asked: the test app has no mailer and rows stay queued", async () => {
    expect(t.app.mailer).toBeNull();
    const id = await queue(a);
    expect(await row(id)).toMatchObject({ sent_at: null, attempts: 0 });
  });

  it("delivers every pending row of every tenant and marks it sent", async () => {
    const ids = [await queue(a), await queue(b)];
    const rec = recording();
    const app = await mailApp({ transport: rec.transport, from: "Staffgate <no-reply@clinic.example>" });
    const run = await app.mailer!.deliverPending();
    expect(run.failed).toBe(0);
    expect(run.sent).toBeGreaterThanOrEqual(2);
    for (const id of ids) {
      const r = await row(id);
      expect(r).toMatchObject({ sent_via: "smtp", last_error: null, attempts: 1 });
      expect(r.sent_at).toBe(t.clock.now().toISOString());
      // The message went out with its link; the stored body keeps the link without its token.
      expect(rec.sent.find((m) => m.subject === r.subject)).toEqual({
        to: r.to_address,
        from: "no-reply@clinic.example",
        subject: r.subject,
        text: "Follow https://staffgate.test/reset-password#token=abc",
      });
      expect(r.body).toBe("Follow https://staffgate.test/reset-password#token=(sent by email, not kept)");
    }
    expect(await pending()).toEqual([]);
    // Nothing is sent twice.
    const again = await app.mailer!.deliverPending();
    expect(again.sent).toBe(0);
  });

  it("leaves rows unsent with last_error and a backoff when the server fails, logs it, and does not throw", async () => {
    const rec = recording({ on: true });
    const log = captureLog();
    const app = await mailApp({ transport: rec.transport }, log.logger);
    const id = await queue(a);
    const run = await app.mailer!.deliverPending();
    expect(run).toMatchObject({ sent: 0, failed: 1 });
    const failed = await row(id);
    expect(failed).toMatchObject({
      sent_at: null,
      attempts: 1,
      last_error: "connect ECONNREFUSED 127.0.0.1:25",
    });
    expect(Date.parse(failed.next_attempt_at!)).toBe(t.clock.now().getTime() + 60_000);
    const warning = log.lines.find((l) => l.event === "mail_delivery_failed" && l.messageId === id);
    expect(warning).toMatchObject({ level: 40, tenantId: a.id, kind: "test.message", attempts: 1 });
    // The log says what failed, never the message or its links.
    expect(JSON.stringify(log.lines)).not.toContain("token=abc");

    // Not retried before the backoff ends; retried (twice as long a wait next time) after it.
    expect((await app.mailer!.deliverPending()).failed).toBe(0);
    t.clock.advance(60_000);
    expect((await app.mailer!.deliverPending()).failed).toBe(1);
    const twice = await row(id);
    expect(twice.attempts).toBe(2);
    expect(Date.parse(twice.next_attempt_at!)).toBe(t.clock.now().getTime() + 120_000);

    // The server comes back: the next due pass sends it.
    rec.fail.on = false;
    t.clock.advance(120_000);
    expect((await app.mailer!.deliverPending()).sent).toBeGreaterThanOrEqual(1);
    expect(await row(id)).toMatchObject({ attempts: 3, last_error: null, sent_via: "smtp" });
  });

  it("gives up after the last attempt, logging it once as an error", async () => {
    const rec = recording({ on: true, message: "550 mailbox unavailable" });
    const log = captureLog();
    await mailApp({ transport: rec.transport }, log.logger);
    const app = apps.at(-1)!;
    const id = await queue(b);
    const mailer = createMailer(app.core.deps, { transport: rec.transport, log: app.log, maxAttempts: 2 });
    await mailer.deliverPending();
    t.clock.advance(60_000);
    await mailer.deliverPending();
    t.clock.advance(3_600_000);
    expect((await mailer.deliverPending()).failed).toBe(0);
    expect(await row(id)).toMatchObject({
      sent_at: null,
      attempts: 2,
      last_error: "550 mailbox unavailable",
    });
    expect(log.lines.filter((l) => l.event === "mail_delivery_abandoned" && l.messageId === id)).toHaveLength(
      1,
    );
    // Never to be sent, the message keeps its link without the live token (SECURITY.md C-26).
    expect((await row(id)).body).toBe(
      "Follow https://staffgate.test/reset-password#token=(not delivered, not kept)",
    );
    // Tidy up for the later cases.
    await t.db.allTenants.deleteFrom("outbox").where("id", "=", id).execute();
  });

  it("drops the token of a message whose last attempt was cut short, once its lease has passed", async () => {
    const rec = recording({ on: true });
    await mailApp({ transport: rec.transport });
    const app = apps.at(-1)!;
    const mailer = createMailer(app.core.deps, { transport: rec.transport, log: app.log, maxAttempts: 2 });
    const id = await queue(b);
    // The last attempt was claimed (attempts counted, a lease set) and the process died while sending.
    const lease = new Date(t.clock.now().getTime() + 60_000).toISOString();
    await t.db.allTenants
      .updateTable("outbox")
      .set({ attempts: 2, next_attempt_at: lease })
      .where("id", "=", id)
      .execute();
    await mailer.deliverPending();
    // Still leased: someone may be sending it.
    expect((await row(id)).body).toContain("#token=abc");
    t.clock.advance(60_000);
    expect(await mailer.deliverPending()).toMatchObject({ sent: 0, failed: 0 });
    expect(rec.sent).toEqual([]);
    expect(await row(id)).toMatchObject({
      sent_at: null,
      body: "Follow https://staffgate.test/reset-password#token=(not delivered, not kept)",
    });
    await t.db.allTenants.deleteFrom("outbox").where("id", "=", id).execute();
  });

  it("never changes an API answer: emergency access opens while the mail server is down", async () => {
    for (const r of await pending()) await t.db.kysely.deleteFrom("outbox").where("id", "=", r.id).execute();
    const rec = recording({ on: true });
    const log = captureLog();
    const app = await mailApp({ transport: rec.transport, deliver: true, intervalMs: 5 }, log.logger);
    const client = new Staffgate({ baseUrl: "http://staffgate.test", fetch: injectFetch(app) });
    const { token } = await client.auth.login({ tenant: a.slug, login: "admin", password: CANARY_PASSWORD });
    const opened = await client.withToken(token).emergencyAccess.open({
      reason: "mail server outage drill",
      password: CANARY_PASSWORD,
      patientRef: "P-MAIL-1",
    });
    expect(opened.id).toMatch(/^emg_/);
    await expect
      .poll(() => log.lines.some((l) => l.event === "mail_delivery_failed"), { timeout: 5_000 })
      .toBe(true);
    const queued = await t.db.kysely
      .selectFrom("outbox")
      .selectAll()
      .where("tenant_id", "=", a.id)
      .where("kind", "=", "emergency_access.opened")
      .execute();
    expect(queued.length).toBeGreaterThan(0);
    for (const r of queued) expect(r.sent_at).toBeNull();
    await client.withToken(token).emergencyAccess.end(opened.id);
    await app.close();
    apps.splice(apps.indexOf(app), 1);
    for (const r of await pending())
      await t.db.allTenants.deleteFrom("outbox").where("id", "=", r.id).execute();
  });

  it("without SMTP prints each message to the log with its link (local development) and marks it via log", async () => {
    const log = captureLog();
    const app = await mailApp({}, log.logger);
    const id = await queue(
      a,
      "Set your password: https://staffgate.test/accept-invitation#token=local-dev-link",
    );
    await app.mailer!.deliverPending();
    expect(await row(id)).toMatchObject({ sent_via: "log", last_error: null });
    const printed = log.lines.find((l) => l.event === "mail_outbox");
    expect(printed?.body).toContain("#token=local-dev-link");
    expect(printed?.msg).toContain("no SMTP_URL configured");
  });

  it("delivers a message as soon as its change commits, not at the next interval", async () => {
    for (const r of await pending()) await t.db.kysely.deleteFrom("outbox").where("id", "=", r.id).execute();
    const rec = recording();
    // An hour between passes: only the wake-up of the committed change can deliver within this test.
    const app = await mailApp({ transport: rec.transport, deliver: true, intervalMs: 3_600_000 });
    const client = new Staffgate({ baseUrl: "http://staffgate.test", fetch: injectFetch(app) });
    const asked = Date.now();
    await client.credentials.forgotPassword({ tenant: a.slug, email: `admin@${a.slug}.example` });
    // Any bound far below the hour tells; 10 s leaves room for a loaded machine.
    await expect.poll(() => rec.sent.length, { timeout: 10_000, interval: 10 }).toBe(1);
    expect(Date.now() - asked).toBeLessThan(10_000);
    expect(rec.sent[0]!.text).toContain("/reset-password#token=");
    // Two at once while a pass runs: the one its read may have missed goes in a pass right after.
    await Promise.all([
      client.credentials.forgotPassword({ tenant: b.slug, email: `admin@${b.slug}.example` }),
      client.credentials.forgotPassword({ tenant: a.slug, email: `admin@${a.slug}.example` }),
    ]);
    await expect.poll(() => rec.sent.length, { timeout: 10_000, interval: 10 }).toBe(3);
    await app.close();
    apps.splice(apps.indexOf(app), 1);
    // Closed: nothing more is woken.
    await client.credentials
      .forgotPassword({ tenant: b.slug, email: `admin@${b.slug}.example` })
      .catch(() => {});
    expect(rec.sent).toHaveLength(3);
    for (const r of await pending()) await t.db.kysely.deleteFrom("outbox").where("id", "=", r.id).execute();
  });

  it("without SMTP a change answers once its email is printed: the link is in the outbox with the answer", async () => {
    const app = await mailApp({ deliver: true, intervalMs: 3_600_000 }, captureLog().logger);
    const client = new Staffgate({ baseUrl: "http://staffgate.test", fetch: injectFetch(app) });
    const { token } = await client.auth.login({ tenant: a.slug, login: "admin", password: CANARY_PASSWORD });
    const admin = client.withToken(token);
    const readable = async (to: string, kind: string) => {
      const listed = (await admin.outbox.list({ to })).items.filter((m) => m.kind === kind);
      expect(
        listed.map((m) => [m.sentVia, m.body?.includes("#token=")]),
        kind,
      ).toEqual([["log", true]]);
    };
    // Read once, at once, several times over: on PostgreSQL it came some milliseconds late.
    for (let i = 0; i < 5; i++) {
      const user = await inviteUser(t, { ...a, admin });
      await readable(user.email, "user.invitation");
      await admin.credentials.resendInvitation(user.id);
      const both = (await admin.outbox.list({ to: user.email })).items;
      expect(both.map((m) => [m.kind, m.sentVia])).toEqual([
        ["user.invitation", "log"],
        ["user.invitation", "log"],
      ]);
    }
    // An administrator's reset link for an active user.
    const active = await admin.users.create({
      username: `printed-${seq}`,
      email: `printed-${seq}@${a.slug}.example`,
      firstName: "Pat",
      lastName: "Printed",
      roleId: (await admin.roles.list({ limit: 200 })).items.find((r) => r.name === "Viewer")!.id,
      password: "violet-harbour-lantern-0420",
    } as never);
    await admin.credentials.setUserPassword(active.id, { sendResetLink: true } as never);
    await readable(active.email, "auth.password.reset_link");
    // Forgot-password too, within its floor: each link readable as its 202 arrives (two: with the
    // administrator's, three an hour).
    for (let i = 1; i <= 2; i++) {
      t.clock.advance(1000);
      await client.credentials.forgotPassword({ tenant: a.slug, email: active.email });
      const links = (await admin.outbox.list({ to: active.email })).items.filter(
        (m) => m.kind === "auth.password.reset_link",
      );
      expect(links.map((m) => [m.sentVia, m.body?.includes("#token=")])).toEqual(
        Array.from({ length: i + 1 }, () => ["log", true]),
      );
    }
    await app.close();
    apps.splice(apps.indexOf(app), 1);
  });

  it("without SMTP, a change that queued more than a delivery pass takes answers once all of it is printed", async () => {
    const app = await mailApp({ deliver: true, intervalMs: 3_600_000, batchSize: 3 }, captureLog().logger);
    const client = new Staffgate({ baseUrl: "http://staffgate.test", fetch: injectFetch(app) });
    const { token } = await client.auth.login({ tenant: a.slug, login: "admin", password: CANARY_PASSWORD });
    const admin = client.withToken(token);
    seq += 1;
    const emails = Array.from({ length: 10 }, (_, i) => `batch${seq}-${i}@${a.slug}.example`);
    const csv = ["email,firstName,lastName,role", ...emails.map((e) => `${e},Bea,Batch,Viewer`)].join("\n");
    expect(await admin.users.import({ csv })).toMatchObject({ applied: true, created: 10 });
    const printed = await t.db.allTenants
      .selectFrom("outbox")
      .select(["to_address", "sent_via"])
      .where("to_address", "in", emails)
      .execute();
    expect(printed.map((r) => r.sent_via)).toEqual(emails.map(() => "log"));
    await app.close();
    apps.splice(apps.indexOf(app), 1);
  });

  it("leaves rows it cannot update to the interval: a change's wait is not spent passing over them again", async () => {
    // Rows whose every update fails (a trigger stands for the fault): each pass counts them failed.
    const broken: string[] = [];
    for (let i = 0; i < 6; i++) broken.push(await queue(a, "cannot be updated", "test.broken"));
    const postgres = t.db.dialect === "postgres";
    if (postgres) {
      await sql`create function sg_test_refuse() returns trigger as $$ begin raise exception 'refused'; end $$ language plpgsql`.execute(
        t.db.allTenants,
      );
      await sql`create trigger sg_test_refuse before update on outbox for each row when (old.kind = 'test.broken') execute function sg_test_refuse()`.execute(
        t.db.allTenants,
      );
    } else {
      await sql`create trigger sg_test_refuse before update on outbox when old.kind = 'test.broken' begin select raise(abort, 'refused'); end`.execute(
        t.db.allTenants,
      );
    }
    const log = captureLog();
    const app = await mailApp({ deliver: true, intervalMs: 3_600_000, batchSize: 3 }, log.logger);
    try {
      const client = new Staffgate({ baseUrl: "http://staffgate.test", fetch: injectFetch(app) });
      const { token } = await client.auth.login({
        tenant: a.slug,
        login: "admin",
        password: CANARY_PASSWORD,
      });
      const started = performance.now();
      await inviteUser(t, { ...a, admin: client.withToken(token) });
      // Answered before the 2 s a change waits at most (the passes stopped at the first that sent
      // no full batch), and the broken rows tried a few times, not hundreds (whether the
      // invitation itself came in a pass before them depends on the rows' order: ids are random).
      expect(performance.now() - started).toBeLessThan(COMMIT_WAIT_MS);
      const errors = log.lines.filter((l) => l.event === "mail_delivery_error").length;
      expect(errors).toBeLessThanOrEqual(broken.length * 3);
    } finally {
      await app.close();
      apps.splice(apps.indexOf(app), 1);
      await sql`drop trigger sg_test_refuse${sql.raw(postgres ? " on outbox" : "")}`.execute(t.db.allTenants);
      if (postgres) await sql`drop function sg_test_refuse()`.execute(t.db.allTenants);
      await t.db.allTenants.deleteFrom("outbox").where("kind", "=", "test.broken").execute();
    }
  });

  it("with SMTP a change never waits for the mail server: it answers while the server holds the message", async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const handed: string[] = [];
    const transport = nodemailerTransport({
      async sendMail(message) {
        handed.push(String(message.to));
        await held;
        return {};
      },
    });
    const app = await mailApp({ transport, deliver: true, intervalMs: 3_600_000 });
    const client = new Staffgate({ baseUrl: "http://staffgate.test", fetch: injectFetch(app) });
    const { token } = await client.auth.login({ tenant: a.slug, login: "admin", password: CANARY_PASSWORD });
    const user = await inviteUser(t, { ...a, admin: client.withToken(token) });
    // Answered, while the server has not taken the invitation yet.
    await expect.poll(() => handed.includes(user.email)).toBe(true);
    expect((await row((await outboxIdsTo(user.email))[0]!)).sent_at).toBeNull();
    release();
    await app.close();
    apps.splice(apps.indexOf(app), 1);
  });

  it("two mailers on one database send each row exactly once", async () => {
    const ids = await Promise.all(Array.from({ length: 20 }, (_, i) => queue(i % 2 ? a : b)));
    const rec1 = recording();
    const rec2 = recording();
    const silent: MailLog = { info() {}, warn() {}, error() {} };
    const m1 = createMailer(t.app.core.deps, { transport: rec1.transport, log: silent });
    const m2 = createMailer(t.app.core.deps, { transport: rec2.transport, log: silent });
    await Promise.all([m1.deliverPending(), m2.deliverPending()]);
    const subjects = [...rec1.sent, ...rec2.sent].map((m) => m.subject).sort();
    const expected = (await Promise.all(ids.map(row))).map((r) => r.subject).sort();
    expect(subjects).toEqual(expected);
    for (const id of ids) expect((await row(id)).sent_at).not.toBeNull();
  });

  it("the log transport is a plain function of its logger", async () => {
    const seen: object[] = [];
    const log: MailLog = { info: (o) => seen.push(o), warn() {}, error() {} };
    await logTransport(log).send({ from: "f@x.example", to: "t@x.example", subject: "S", text: "T" });
    expect(seen).toEqual([{ event: "mail_outbox", to: "t@x.example", subject: "S", body: "T" }]);
  });
});
