/**
 * `staffgate serve` when it cannot listen, or is configured with a value that cannot work: it stops
 * with a message naming the setting, and leaves no demo tenant whose one-time password nobody saw.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type CrashDatabase, createCrashDatabase } from "./crash-helpers.ts";
import { PG_ADMIN_URL, TEST_DB } from "./harness.ts";
import { runServe, stopServers } from "./serve-process.ts";

async function tenantSlugs(database: CrashDatabase): Promise<string[]> {
  const db = database.open();
  try {
    return (await db.kysely.selectFrom("tenants").select("slug").execute()).map((t) => t.slug);
  } finally {
    await db.destroy();
  }
}

function holdPort(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      resolve({ server, port: typeof address === "object" && address ? address.port : 0 });
    }),
  );
}

describe(`staffgate serve that cannot start (${TEST_DB})`, { timeout: 90_000 }, () => {
  let database: CrashDatabase | undefined;
  afterEach(async () => {
    await stopServers();
    await database?.drop();
    database = undefined;
  });

  it("a port in use stops start-up naming PORT, before the demo tenant; the next start prints its password", async () => {
    database = await createCrashDatabase(TEST_DB, PG_ADMIN_URL);
    const held = await holdPort();
    const env = {
      DATABASE_URL: database.url,
      PORT: String(held.port),
      STAFFGATE_PUBLIC_URL: `http://127.0.0.1:${held.port}`,
    };
    let failed: Awaited<ReturnType<typeof runServe>>;
    try {
      failed = await runServe(env);
    } finally {
      await new Promise((resolve) => held.server.close(resolve));
    }
    expect(failed.code).not.toBe(0);
    expect(failed.code).not.toBeNull();
    expect(failed.stderr).toMatch(new RegExp(`PORT ${held.port} on HOST 127\\.0\\.0\\.1 is already in use`));
    expect(failed.stderr).not.toContain("One-time password");
    expect(await tenantSlugs(database)).toEqual([]);

    const started = await runServe(env);
    try {
      expect(started.url).toBe(`http://127.0.0.1:${held.port}`);
      const password = /One-time password for admin: (\S+)/.exec(started.stderr)?.[1];
      expect(password?.length).toBeGreaterThanOrEqual(20);
      const login = await fetch(`${started.url}/api/v1/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ tenant: "demo", login: "admin", password }),
      });
      expect(login.status).toBe(200);
    } finally {
      expect(await started.stop()).toBe(0);
    }
  });

  it("a HOST that is not this machine's stops start-up naming HOST, creating no tenant", async () => {
    database = await createCrashDatabase(TEST_DB, PG_ADMIN_URL);
    // TEST-NET-1 (RFC 5737): never an address of this machine.
    const r = await runServe({ DATABASE_URL: database.url, HOST: "192.0.2.1" });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^HOST 192\.0\.2\.1 is not an address of this machine \(EADDRNOTAVAIL\)/m);
    expect(await tenantSlugs(database)).toEqual([]);
  });

  it("a STAFFGATE_BOOTSTRAP_PASSWORD the policy refuses stops start-up naming it, creating no tenant", async () => {
    database = await createCrashDatabase(TEST_DB, PG_ADMIN_URL);
    const r = await runServe({ DATABASE_URL: database.url, STAFFGATE_BOOTSTRAP_PASSWORD: "short" });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^STAFFGATE_BOOTSTRAP_PASSWORD is refused: .*at least \d+ characters$/m);
    expect(await tenantSlugs(database)).toEqual([]);
  });
});

// The configuration is read before any database is opened: SQLite only, nothing is created.
describe.skipIf(TEST_DB === "postgres")(
  "staffgate serve with a value that cannot work",
  { timeout: 60_000 },
  () => {
    it("names the variable, never repeats a secret, and creates no database", async () => {
      const dir = mkdtempSync(path.join(tmpdir(), "sg-config-"));
      for (const [variable, value] of [
        ["SMTP_URL", "smtps//mailer:Pw-s3cret@mail.example"],
        ["STAFFGATE_SECRET_KEY", "too-short-s3cret"],
        ["LOG_LEVEL", "verbose"],
      ] as const) {
        const r = await runServe({ DATABASE_URL: path.join(dir, "data", "sg.db"), [variable]: value });
        expect(r.code, variable).toBe(1);
        expect(r.stderr, variable).toMatch(new RegExp(`^${variable} `, "m"));
        expect(r.stderr).not.toContain("s3cret");
      }
      expect(readdirSync(dir)).toEqual([]);
      rmSync(dir, { recursive: true, force: true });
    });
  },
);
