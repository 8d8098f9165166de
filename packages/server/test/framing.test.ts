/**
 * What arrives before any route (SECURITY.md H-60, J; API.md "Errors"): a URL the router cannot
 * decode, a path segment past the longest id, malformed HTTP framing and oversized headers are
 * answered as problems with the usual headers, and a database that cannot be reached is 503,
 * never a 500 that reads like a fault in the request.
 */
import { execFile } from "node:child_process";
import net from "node:net";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isDatabaseUnavailable } from "../src/http/db-unavailable.ts";
import { CANARY_PASSWORD, PG_ADMIN_URL, startTestApp, TEST_DB, type TestApp } from "./harness.ts";
import { createRole, createUser } from "./lifecycle-fixtures.ts";

/** Sends raw bytes and returns the whole answer (the server closes the connection). */
function raw(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    let answer = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk) => {
      answer += chunk;
    });
    socket.on("end", () => resolve(answer));
    socket.on("error", reject);
    socket.write(request);
  });
}

const run = promisify(execFile);

/**
 * Bodies of 2.5, 5 and 20 MB with a Content-Length (four of each), then one chunked, then a plain
 * request; to the path in argv[2] (sign-in, or a route that refuses an unauthenticated caller).
 */
const OVERSIZED_CLIENT = `
const base = "http://127.0.0.1:" + process.argv[1];
const path = process.argv[2];
const headers = { "content-type": "application/json" };
const answers = [];
const answer = async (res) => res instanceof Response ? res.status + " " + (await res.json()).code : String(res.cause?.code ?? res);
for (const size of [2500000, 5000000, 20000000]) {
  for (let i = 0; i < 4; i++) {
    const body = JSON.stringify({ tenant: "x", login: "x", password: "a".repeat(size) });
    answers.push(await answer(await fetch(base + path, { method: "POST", headers, body }).catch((e) => e)));
  }
}
const chunk = new TextEncoder().encode("a".repeat(65536));
let sent = 0;
const body = new ReadableStream({ pull(c) { sent += chunk.length; if (sent > 3000000) c.close(); else c.enqueue(chunk); } });
answers.push(await answer(await fetch(base + path, { method: "POST", headers, body, duplex: "half" }).catch((e) => e)));
answers.push("next " + (await fetch(base + "/healthz")).status);
console.log(JSON.stringify(answers));
`;

describe(`requests refused before any route (${TEST_DB})`, () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    t = await startTestApp();
    await t.app.listen({ port: 0, host: "127.0.0.1" });
    port = (t.app.server.address() as net.AddressInfo).port;
  });
  afterAll(() => t?.close());

  it("answers a URL that cannot be decoded, and an over-long path segment, as problems", async () => {
    const bad = await t.app.inject({ method: "GET", url: "/api/v1/users/%E0%A4%A" });
    expect([bad.statusCode, bad.json().code]).toEqual([400, "MALFORMED_URL"]);
    expect(bad.headers["content-type"]).toBe("application/problem+json; charset=utf-8");
    expect(bad.headers["x-content-type-options"]).toBe("nosniff");
    const long = await t.app.inject({ method: "GET", url: `/api/v1/users/${"a".repeat(5000)}` });
    expect([long.statusCode, long.json().code]).toEqual([414, "URI_TOO_LONG"]);
    // The answer does not echo the 5,000 characters back.
    expect(long.body.length).toBeLessThan(500);
  });

  it("answers malformed framing and oversized headers as problems, and closes the connection", async () => {
    const smuggled = await raw(
      port,
      "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    );
    expect(smuggled).toMatch(/^HTTP\/1\.1 400 /);
    expect(smuggled).toContain("Content-Type: application/problem+json; charset=utf-8");
    expect(smuggled).toContain("Connection: close");
    expect(JSON.parse(smuggled.split("\r\n\r\n")[1]!)).toMatchObject({
      status: 400,
      code: "MALFORMED_REQUEST",
    });

    // A client that trickles its request is cut off (slowloris): Node enforces the whole request's deadline.
    expect(t.app.server.requestTimeout).toBe(30_000);

    const huge = await raw(port, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`);
    expect(huge).toMatch(/^HTTP\/1\.1 431 /);
    expect(JSON.parse(huge.split("\r\n\r\n")[1]!)).toMatchObject({ status: 431, code: "HEADERS_TOO_LARGE" });
  });

  it("lets a client finish sending a body over the limit, so it reads the 413 instead of a reset", async () => {
    // The client is another process, as in life: in this one, its writes and the server's close
    // take turns on one event loop and the reset does not show.
    const { stdout } = await run(process.execPath, [
      "--input-type=module",
      "-e",
      OVERSIZED_CLIENT,
      String(port),
      "/api/v1/auth/login",
    ]);
    // Closing with the client's bytes unread reset about half of these connections before.
    expect(JSON.parse(stdout)).toEqual([...Array(13).fill("413 PAYLOAD_TOO_LARGE"), "next 200"]);
  });

  it("refuses a caller before reading its body: 401 whatever it sent, 403 before the body's errors", async () => {
    const bodies = [
      { "content-type": "application/json", payload: "{not json" },
      { "content-type": "text/plain", payload: "hello" },
      { "content-type": "application/json", payload: JSON.stringify({ username: "x".repeat(2_000_000) }) },
    ];
    const answers: string[] = [];
    for (const [method, url] of [
      ["POST", "/api/v1/users"],
      ["PATCH", "/api/v1/users/u-1"],
      ["POST", "/api/v1/tenants"],
    ] as const) {
      for (const { payload, ...headers } of bodies) {
        const res = await t.app.inject({ method, url, headers, payload });
        answers.push(`${res.statusCode} ${res.json().code}`);
      }
    }
    expect(answers).toEqual(Array(9).fill("401 UNAUTHENTICATED"));
    // Signed in without users.manage: the permission is refused, not the body it did not get to.
    const tenant = await t.createTenant();
    const { user } = await createUser(t, tenant, { roleId: await createRole(tenant, ["users.view"]) });
    const login = await t.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { tenant: tenant.slug, login: user.username, password: CANARY_PASSWORD },
    });
    const authorization = `Bearer ${login.json().token}`;
    const refused = await t.app.inject({
      method: "POST",
      url: "/api/v1/users",
      headers: { authorization, "content-type": "application/json" },
      payload: "{not json",
    });
    expect([refused.statusCode, refused.json().code]).toEqual([403, "FORBIDDEN"]);
    // Over a socket, the unread body is read to its end: the client gets its 401, not a reset.
    const { stdout } = await run(process.execPath, [
      "--input-type=module",
      "-e",
      OVERSIZED_CLIENT,
      String(port),
      "/api/v1/users",
    ]);
    expect(JSON.parse(stdout)).toEqual([...Array(13).fill("401 UNAUTHENTICATED"), "next 200"]);
  });
});

describe(`a request that stops arriving (${TEST_DB})`, () => {
  const deadline = 800;
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    t = await startTestApp({ requestTimeoutMs: deadline });
    await t.app.listen({ port: 0, host: "127.0.0.1" });
    port = (t.app.server.address() as net.AddressInfo).port;
  });
  afterAll(() => t?.close());

  it("is cut off with 408 soon after its deadline, whether its headers or its body stalled", async () => {
    const stalled = {
      headers: "GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: b\r\n",
      body: 'POST /api/v1/auth/forgot-password HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"tenant":',
    };
    for (const [part, request] of Object.entries(stalled)) {
      const started = performance.now();
      const answer = await raw(port, request);
      const took = performance.now() - started;
      expect(answer, part).toMatch(/^HTTP\/1\.1 408 /);
      expect(JSON.parse(answer.split("\r\n\r\n")[1]!)).toMatchObject({
        status: 408,
        code: "REQUEST_TIMEOUT",
      });
      // Node's own check ran every 30 s: a stalled body was cut off only then, not at its deadline.
      expect(took, part).toBeGreaterThanOrEqual(deadline - 50);
      expect(took, part).toBeLessThan(deadline + 2_000);
    }
  });
});

describe("what counts as the database being unavailable", () => {
  const err = (code: string, message = "x") => Object.assign(new Error(message), { code });
  it("network errors, PostgreSQL's connection and shutdown states, SQLite's lock and moved file", () => {
    for (const e of [
      err("ECONNREFUSED"),
      err("57P01"),
      err("3D000"),
      err("08006"),
      err("SQLITE_BUSY"),
      err("SQLITE_READONLY_DBMOVED"),
      new Error("Connection terminated unexpectedly"),
    ]) {
      expect(isDatabaseUnavailable(e), e.message + String((e as { code?: string }).code)).toBe(true);
    }
  });
  it("not a constraint, a syntax error or a plain bug", () => {
    for (const e of [
      err("23505"),
      err("42601"),
      err("SQLITE_CONSTRAINT_UNIQUE"),
      new TypeError("x is undefined"),
    ]) {
      expect(isDatabaseUnavailable(e)).toBe(false);
    }
  });
});

describe.skipIf(TEST_DB !== "postgres")("a PostgreSQL database that goes away", () => {
  it("answers 503 DATABASE_UNAVAILABLE with Retry-After, not 500", async () => {
    const t = await startTestApp();
    try {
      const a = await t.createTenant();
      const name = new URL((t.db as { url?: string }).url!).pathname.slice(1);
      const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
      await admin.connect();
      await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
      await admin.end();
      const res = await a.admin.transport.raw("GET", "/api/v1/workspaces");
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("5");
      expect(await res.json()).toMatchObject({ status: 503, code: "DATABASE_UNAVAILABLE" });
    } finally {
      await t.close().catch(() => undefined);
    }
  });
});
