/**
 * A request that arrives once shutdown has begun is refused as a problem (503 NOT_READY with
 * Retry-After), like every other refusal, not with Fastify's bare `{"error":"Service Unavailable"}`;
 * the request already in progress is still answered, with `Connection: close`. Work in progress that needs the database (a
 * mail pass) ends before the database closes.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { enqueueMail, type MailTransport } from "@staffgate/core";
import { afterEach, describe, expect, it } from "vitest";
import { buildApp } from "../src/app.ts";
import { startTestApp, TEST_DB, type TestApp } from "./harness.ts";

/** Every byte the server sends on `socket` until it closes the connection. */
function readAll(socket: Socket): Promise<string> {
  let text = "";
  socket.setEncoding("utf8").on("data", (d: string) => {
    text += d;
  });
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.once("close", () => resolve(text));
  });
}

/** `t` listening on a free port, a client connected to it, and every byte that client will receive. */
async function connected(t: TestApp): Promise<{ socket: Socket; received: Promise<string> }> {
  await t.app.listen({ port: 0, host: "127.0.0.1" });
  const address = t.app.server.address();
  const socket = connect(typeof address === "object" && address ? address.port : 0, "127.0.0.1");
  await new Promise((resolve) => socket.once("connect", resolve));
  return { socket, received: readAll(socket) };
}

const LOGIN = JSON.stringify({ tenant: "nowhere", login: "x", password: "y" });

/**
 * Sends a sign-in's headers (its body of `length` bytes to follow) and waits until the server has
 * read them: a request in progress, waited for rather than timed (a fixed pause once sufficed, but
 * not on a loaded machine).
 */
async function loginHeaders(t: TestApp, socket: Socket, length = LOGIN.length): Promise<void> {
  const arrived = new Promise((resolve) => t.app.server.once("request", resolve));
  socket.write(
    `POST /api/v1/auth/login HTTP/1.1\r\nHost: staffgate.test\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`,
  );
  await arrived;
}

describe(`shutdown (${process.env.STAFFGATE_TEST_DB ?? "sqlite"})`, () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it("answers a request arriving on an idle kept-alive connection after close began with 503 NOT_READY problem+json and Retry-After", async () => {
    t = await startTestApp();
    const { socket, received } = await connected(t);
    // One request answered before the close: the connection stays open, idle.
    let seen = "";
    socket.on("data", (d: string) => {
      seen += d;
    });
    socket.write("GET /healthz HTTP/1.1\r\nHost: staffgate.test\r\n\r\n");
    while (!seen.includes("\r\n\r\n")) await new Promise((resolve) => setTimeout(resolve, 5));
    const closed = t.app.close();
    // The server stops listening once the close's preClose hooks have run.
    while (t.app.server.listening) await new Promise((resolve) => setTimeout(resolve, 5));
    // Node's close() would end an idle connection at once, with a client's next request perhaps
    // already on its way (met by a reset: was the POST carried out?); it is read and answered.
    socket.write("GET /api/v1/auth/me HTTP/1.1\r\nHost: staffgate.test\r\n\r\n");
    const text = await received;
    await closed;

    const answers = text.split(/(?=HTTP\/1\.1 )/);
    expect(answers).toHaveLength(2);
    expect(answers[0]).toMatch(/^HTTP\/1\.1 200 /);
    const late = answers[1]!;
    expect(late).toMatch(/^HTTP\/1\.1 503 /);
    expect(late).toMatch(/\r\ncontent-type: application\/problem\+json; charset=utf-8\r\n/i);
    expect(late).toMatch(/\r\nretry-after: 5\r\n/i);
    expect(late).toMatch(/\r\nconnection: close\r\n/i);
    expect(late).toMatch(/\r\nx-request-id: req_/i);
    const problem = JSON.parse(late.slice(late.indexOf("\r\n\r\n") + 4)) as Record<string, unknown>;
    expect(problem).toMatchObject({
      status: 503,
      code: "NOT_READY",
      detail: expect.stringMatching(/shutting down/),
    });
  });

  it("answers a request in progress when the close began with Connection: close, so its client does not reuse the connection", async () => {
    t = await startTestApp();
    const { socket, received } = await connected(t);
    await loginHeaders(t, socket);
    const closed = t.app.close();
    while (t.app.server.listening) await new Promise((resolve) => setTimeout(resolve, 5));
    socket.write(LOGIN);
    const text = await received;
    await closed;
    expect(text).toMatch(/^HTTP\/1\.1 401 /);
    expect(text).toMatch(/\r\nconnection: close\r\n/i);
  });

  it("closes a kept-alive connection once its request in progress is answered, long before the grace", async () => {
    t = await startTestApp({ shutdownGraceMs: 20_000 });
    const { socket, received } = await connected(t);
    await loginHeaders(t, socket);
    const started = Date.now();
    const closed = t.app.close();
    while (t.app.server.listening) await new Promise((resolve) => setTimeout(resolve, 5));
    socket.write(LOGIN);
    expect(await received).toMatch(/^HTTP\/1\.1 401 /);
    await closed;
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("ends a connection still open at the grace's end: a stalled client cannot hold a stop", async () => {
    t = await startTestApp({ shutdownGraceMs: 300 });
    const { socket, received } = await connected(t);
    // Headers and part of the body, then nothing more: the request stays in progress.
    await loginHeaders(t, socket, 500);
    socket.write("{");
    const started = Date.now();
    await t.app.close();
    expect(Date.now() - started).toBeLessThan(10_000);
    await received;
    expect(socket.destroyed).toBe(true);
  });

  it("lets a mail pass in progress finish before it closes the database (close() runs its stops in order)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sg-shutdown-"));
    try {
      t = await startTestApp(TEST_DB === "sqlite" ? { databaseUrl: join(dir, "a.db") } : {});
      const url = t.db.url ?? join(dir, "a.db");
      const tenant = await t.createTenant();
      let entered!: () => void;
      const sending = new Promise<void>((resolve) => {
        entered = resolve;
      });
      let release!: () => void;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const transport: MailTransport = {
        via: "smtp",
        async send() {
          entered();
          await gate;
        },
      };
      const lines: Record<string, unknown>[] = [];
      const stream = new Writable({
        write(chunk, _enc, done) {
          for (const line of String(chunk).split("\n")) if (line) lines.push(JSON.parse(line));
          done();
        },
      });
      // A second instance that owns its connection to the same database, as `serve` does.
      const app = await buildApp({
        databaseUrl: url,
        clock: t.clock,
        hasher: { memoryCost: 1024, timeCost: 1 },
        rateLimits: false,
        mail: { transport, deliver: true, intervalMs: 5 },
        logger: { level: "info", stream } as never,
      });
      const id = await enqueueMail(
        { clock: t.clock, mailQueued: { current: null } },
        t.db.kysely,
        tenant.id,
        {
          to: `someone@${tenant.slug}.example`,
          subject: "Shutdown",
          body: "A message sent while the server stops.",
          kind: "test.message",
        },
      );
      await sending;
      const closed = app.close();
      // Long enough for the other stops (the database's, were it first) to have run: closing SQLite
      // waits for its checkpoint thread to end, which takes tens of milliseconds.
      await new Promise((resolve) => setTimeout(resolve, 400));
      release();
      await closed;
      const row = await t.db.allTenants
        .selectFrom("outbox")
        .selectAll()
        .where("id", "=", id)
        .executeTakeFirstOrThrow();
      expect(row).toMatchObject({ sent_via: "smtp", last_error: null, attempts: 1 });
      expect(row.sent_at).not.toBeNull();
      expect(lines.filter((l) => Number(l.level) >= 50)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
