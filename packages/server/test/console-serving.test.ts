/**
 * The console is served at `/`: files under assets/, index.html for any page path, the API untouched;
 * compressed by the build (packages/console/precompress.ts) and sent so to a client that accepts it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { precompress } from "../../console/precompress.ts";
import { buildApp, type StaffgateApp } from "../src/app.ts";

describe("serving the console", () => {
  let dir: string;
  let app: StaffgateApp;
  const INDEX =
    '<!doctype html><div id="root"></div><script type="module" src="/assets/app-1a2b.js"></script>';
  // Big enough to gain from compression, as the real bundle does (the tiny ones above do not).
  const BUNDLE = Array.from({ length: 400 }, (_, i) => `export const line${i} = "staff ${i}";`).join("\n");
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "sg-console-test-"));
    mkdirSync(path.join(dir, "assets"));
    writeFileSync(path.join(dir, "index.html"), INDEX);
    writeFileSync(path.join(dir, "assets", "app-1a2b.js"), "console.log(1)");
    writeFileSync(path.join(dir, "assets", "bundle-3c4d.js"), BUNDLE);
    writeFileSync(path.join(dir, ".secret"), "nope");
    await precompress(dir);
    app = await buildApp({ databaseUrl: ":memory:", consoleDir: dir });
  });
  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const html = { accept: "text/html,application/xhtml+xml" };

  it.each(["/", "/users", "/users/u_123/permissions", "/reset-password"])(
    "answers index.html for the page %s, revalidated on every load",
    async (url) => {
      const res = await app.inject({ method: "GET", url, headers: html });
      expect(res.statusCode).toBe(200);
      expect(res.headers["content-type"]).toMatch(/^text\/html/);
      expect(res.headers["cache-control"]).toBe("no-cache");
      expect(res.body).toBe(INDEX);
      // The app runs under the strict policy: no inline script is allowed or needed.
      expect(res.headers["content-security-policy"]).toContain("default-src 'self'");
    },
  );

  it("answers the console at / and at the pages emails link to, whatever the client accepts", async () => {
    for (const url of ["/", "/reset-password", "/accept-invitation", "/forgot-password"])
      for (const headers of [{}, { accept: "*/*" }, { accept: "application/json" }]) {
        const res = await app.inject({ method: "GET", url, headers });
        expect([res.statusCode, res.body], `${url} ${JSON.stringify(headers)}`).toEqual([200, INDEX]);
      }
  });

  it("serves hashed assets for good, with their type", async () => {
    const res = await app.inject({ method: "GET", url: "/assets/app-1a2b.js" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/javascript/);
    expect(res.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(res.body).toBe("console.log(1)");
  });

  it("sends an asset compressed to a client that accepts it, and plain to one that does not", async () => {
    const url = "/assets/bundle-3c4d.js";
    const plain = await app.inject({ method: "GET", url });
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.body).toBe(BUNDLE);
    const decode = { br: brotliDecompressSync, gzip: gunzipSync };
    for (const [accept, encoding] of [
      ["gzip, deflate, br", "br"],
      ["br;q=0.5, gzip", "gzip"],
      ["gzip", "gzip"],
      ["*", "gzip"],
    ] as const) {
      const res = await app.inject({ method: "GET", url, headers: { "accept-encoding": accept } });
      expect([res.statusCode, res.headers["content-encoding"]], accept).toEqual([200, encoding]);
      expect(res.headers["content-type"]).toMatch(/javascript/);
      expect(res.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
      expect(Number(res.headers["content-length"])).toBeLessThan(BUNDLE.length / 2);
      expect(decode[encoding](res.rawPayload).toString()).toBe(BUNDLE);
    }
    // A cache keeps one answer per Accept-Encoding, the plain one included.
    for (const res of [
      plain,
      await app.inject({ method: "GET", url, headers: { "accept-encoding": "br" } }),
    ]) {
      expect(res.headers.vary).toMatch(/accept-encoding/i);
    }
    // Nothing is kept for an encoding the client alone names (deflate), nor for none at all.
    for (const accept of ["identity", "deflate"]) {
      const res = await app.inject({ method: "GET", url, headers: { "accept-encoding": accept } });
      expect([res.headers["content-encoding"], res.body], accept).toEqual([undefined, BUNDLE]);
    }
  });

  it("sends a file compression would not shrink as it is", async () => {
    const res = await app.inject({
      method: "GET",
      url: "/assets/app-1a2b.js",
      headers: { "accept-encoding": "gzip, br" },
    });
    expect([res.statusCode, res.headers["content-encoding"], res.body]).toEqual([
      200,
      undefined,
      "console.log(1)",
    ]);
  });

  it("sends the page fallback compressed too, still revalidated", async () => {
    const res = await app.inject({
      method: "GET",
      url: "/users",
      headers: { ...html, "accept-encoding": "gzip, deflate, br" },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/html/);
    expect(res.headers["content-encoding"]).toBe("br");
    expect(res.headers["cache-control"]).toBe("no-cache");
    expect(res.headers.vary).toMatch(/accept-encoding/i);
    expect(brotliDecompressSync(res.rawPayload).toString()).toBe(INDEX);
  });

  it("keeps a missing asset, an API path and a non-page request a problem 404", async () => {
    for (const [url, headers] of [
      ["/assets/missing.js", {}],
      ["/assets/missing.js", { "accept-encoding": "gzip, br" }],
      ["/api/v1/nothing-here", html],
      ["/api", html],
      // SCIM is the API too: a browser's look at it is no console page.
      ["/scim", html],
      ["/users", { accept: "application/json" }],
      ["/.secret", {}],
      // A path that leaves assets/ is no file of ours either: 404, never the 500 it once was.
      ["/assets/..%2fpackage.json", {}],
      ["/assets/%2e%2e%2findex.html", html],
      ["/assets/..%5cx", {}],
      ["/assets/.hidden.js", {}],
    ] as const) {
      const res = await app.inject({ method: "GET", url, headers });
      expect(res.statusCode, url).toBe(404);
      expect(res.headers["content-type"], url).toMatch(/^application\/problem\+json/);
      expect(res.body).not.toContain("nope");
    }
  });

  it("never answers a page for a method other than GET or HEAD", async () => {
    const res = await app.inject({
      method: "POST",
      url: "/users",
      headers: { ...html, "content-type": "application/json" },
      payload: "{}",
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe("ROUTE_NOT_FOUND");
  });

  it("refuses TRACE on a page 405 with the methods a page is served by (RFC 9110 §15.5.6)", async () => {
    for (const url of ["/", "/users"]) {
      const res = await app.inject({ method: "TRACE" as "GET", url });
      expect([url, res.statusCode, res.headers.allow]).toEqual([url, 405, "GET, HEAD"]);
    }
    const api = await app.inject({ method: "TRACE" as "GET", url: "/api/v1/nothing-here" });
    expect([api.statusCode, api.headers.allow]).toEqual([405, ""]);
  });

  it("serves no console when none is built, and the API still works", async () => {
    const bare = await buildApp({ databaseUrl: ":memory:", consoleDir: path.join(dir, "absent") });
    try {
      const page = await bare.inject({ method: "GET", url: "/users", headers: html });
      expect(page.statusCode).toBe(404);
      expect((await bare.inject({ method: "TRACE" as "GET", url: "/users" })).headers.allow).toBe("");
      expect((await bare.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(200);
    } finally {
      await bare.close();
    }
  });
});
