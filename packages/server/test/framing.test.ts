/**
 * What arrives before any route (SECURITY.md H-60, J; API.md "Errors"): a URL the router cannot
 * decode, a path segment past the longest id, malformed HTTP framing and oversized headers are
 * answered as problems with the usual headers, and a database that cannot be reached is 503,
 * never a 500 that reads like a fault in the request.
 */
import net from "node:net";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isDatabaseUnavailable } from "../src/http/db-unavailable.ts";
import { PG_ADMIN_URL, startTestApp, TEST_DB, type TestApp } from "./harness.ts";

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
