/** The console is served at `/`: files under assets/, index.html for any page path, the API untouched. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp, type StaffgateApp } from "../src/app.ts";

describe("serving the console", () => {
  let dir: string;
  let app: StaffgateApp;
  const INDEX =
    '<!doctype html><div id="root"></div><script type="module" src="/assets/app-1a2b.js"></script>';
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "sg-console-test-"));
    mkdirSync(path.join(dir, "assets"));
    writeFileSync(path.join(dir, "index.html"), INDEX);
    writeFileSync(path.join(dir, "assets", "app-1a2b.js"), "console.log(1)");
    writeFileSync(path.join(dir, ".secret"), "nope");
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

  it("answers the console at / whatever the client accepts", async () => {
    for (const headers of [{}, { accept: "*/*" }, { accept: "application/json" }]) {
      const res = await app.inject({ method: "GET", url: "/", headers });
      expect([res.statusCode, res.body]).toEqual([200, INDEX]);
    }
  });

  it("serves hashed assets for good, with their type", async () => {
    const res = await app.inject({ method: "GET", url: "/assets/app-1a2b.js" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/javascript/);
    expect(res.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(res.body).toBe("console.log(1)");
  });

  it("keeps a missing asset, an API path and a non-page request a problem 404", async () => {
    for (const [url, headers] of [
      ["/assets/missing.js", {}],
      ["/api/v1/nothing-here", html],
      ["/api", html],
      ["/users", { accept: "application/json" }],
      ["/.secret", {}],
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

  it("serves no console when none is built, and the API still works", async () => {
    const bare = await buildApp({ databaseUrl: ":memory:", consoleDir: path.join(dir, "absent") });
    try {
      const page = await bare.inject({ method: "GET", url: "/users", headers: html });
      expect(page.statusCode).toBe(404);
      expect((await bare.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(200);
    } finally {
      await bare.close();
    }
  });
});
