/**
 * Test harness: the real app in-process on a real database (a SQLite file in a temporary
 * directory, or a fresh PostgreSQL database when STAFFGATE_TEST_DB=postgres), driven through the SDK.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { createFakeClock, type Db, type FakeClock, openDatabase } from "@staffgate/core";
import { type FetchLike, Staffgate } from "@staffgate/sdk";
import pg from "pg";
import { buildApp, REDACTED_PATHS, type StaffgateApp } from "../src/app.ts";

export const TEST_DB = process.env.STAFFGATE_TEST_DB === "postgres" ? "postgres" : "sqlite";
export const PG_ADMIN_URL =
  process.env.STAFFGATE_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
export const OPERATOR_TOKEN = "operator-token-for-tests-0123456789";
/** A password used across the suite; a test greps logs and the audit for it (it must never appear). */
export const CANARY_PASSWORD = "canary-Pa55word-kestrel-7731";

export function injectFetch(app: StaffgateApp): FetchLike {
  return async (url, init) => {
    const u = new URL(url);
    const res = await app.inject({
      method: (init.method ?? "GET") as "GET",
      url: u.pathname + u.search,
      headers: init.headers as Record<string, string>,
      ...(init.body !== undefined ? { payload: init.body as string } : {}),
    });
    const headers = new Headers();
    for (const [k, v] of Object.entries(res.headers)) {
      if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(", ") : String(v));
    }
    return new Response(res.statusCode === 204 ? null : res.rawPayload, { status: res.statusCode, headers });
  };
}

async function createPgDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `sg_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = PG_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  return {
    url,
    async drop() {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export interface TestTenant {
  readonly id: string;
  readonly slug: string;
  readonly adminUserId: string;
  readonly adminUsername: string;
  readonly password: string;
  /** The tenant's administrator, signed in. */
  readonly admin: Staffgate;
}

export interface TestApp {
  readonly app: StaffgateApp;
  readonly db: Db;
  readonly clock: FakeClock;
  /** A client with no token. */
  readonly anonymous: Staffgate;
  /** The platform operator. */
  readonly operator: Staffgate;
  createTenant(options?: { slug?: string; catalogPreset?: string; timeZone?: string }): Promise<TestTenant>;
  signIn(tenant: string, login: string, password?: string): Promise<Staffgate>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  readonly catalog?: string;
  /** Use an existing database URL (for two instances on one database). */
  readonly databaseUrl?: string;
  /** How long close() waits for open connections (buildApp's default otherwise). */
  readonly shutdownGraceMs?: number;
  /** STAFFGATE_BREACHED_PASSWORDS: a range API's address or a directory of range files. */
  readonly breachedPasswords?: string;
  /** How long a client may take to send a whole request (buildApp's 30 s otherwise). */
  readonly requestTimeoutMs?: number;
  /** The request rate limit (off by default in tests). */
  readonly rateLimits?: Parameters<typeof buildApp>[0] extends infer O
    ? O extends { rateLimits?: infer R }
      ? R
      : never
    : never;
  readonly logger?: Parameters<typeof buildApp>[0] extends infer O
    ? O extends { logger?: infer L }
      ? L
      : never
    : never;
}

let tenantCounter = 0;

/** Where the SQLite test files go: memory-backed when the machine has it (no disk syncs to wait for). */
const TEST_FILES = existsSync("/dev/shm") ? "/dev/shm" : tmpdir();

export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  // Test files share a module cache per worker (vitest.config.ts): a stale TEST_DB must fail loudly.
  if ((process.env.STAFFGATE_TEST_DB === "postgres" ? "postgres" : "sqlite") !== TEST_DB)
    throw new Error("STAFFGATE_TEST_DB changed after the harness was loaded");
  let dropDb: (() => Promise<void>) | undefined;
  let url = options.databaseUrl;
  if (!url) {
    if (TEST_DB === "postgres") {
      const created = await createPgDatabase();
      url = created.url;
      dropDb = created.drop;
    } else {
      // A file, as in production: its reads go to a second connection (db/sqlite-driver.ts), which
      // `:memory:` (one database per connection) cannot have.
      const dir = mkdtempSync(path.join(TEST_FILES, "staffgate-test-"));
      url = path.join(dir, "staffgate.db");
      dropDb = async () => rmSync(dir, { recursive: true, force: true });
    }
  }
  const db = openDatabase(url, { poolSize: 5 });
  const clock = createFakeClock();
  const app = await buildApp({
    db,
    clock,
    operatorToken: OPERATOR_TOKEN,
    validateResponses: true,
    hasher: { memoryCost: 1024, timeCost: 1 },
    // Off unless a test is about it: suites send thousands of requests at a clock that hardly moves.
    rateLimits: options.rateLimits ?? false,
    ...(options.catalog ? { catalog: options.catalog } : {}),
    ...(options.logger !== undefined ? { logger: options.logger } : {}),
    ...(options.shutdownGraceMs !== undefined ? { shutdownGraceMs: options.shutdownGraceMs } : {}),
    ...(options.breachedPasswords ? { breachedPasswords: options.breachedPasswords } : {}),
    ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
  });
  const base = new Staffgate({ baseUrl: "http://staffgate.test", fetch: injectFetch(app) });
  const signIn = async (tenant: string, login: string, password: string = CANARY_PASSWORD) => {
    const { token } = await base.auth.login({ tenant, login, password });
    return base.withToken(token);
  };
  return {
    app,
    db,
    clock,
    anonymous: base,
    operator: base.withToken(OPERATOR_TOKEN),
    signIn,
    async createTenant(opts = {}) {
      tenantCounter += 1;
      const slug = opts.slug ?? `t${tenantCounter}-${randomBytes(3).toString("hex")}`;
      const tenant = await base.withToken(OPERATOR_TOKEN).tenants.create({
        slug,
        name: `Tenant ${slug}`,
        ...(opts.catalogPreset ? { catalogPreset: opts.catalogPreset } : {}),
        ...(opts.timeZone ? { timeZone: opts.timeZone } : {}),
        admin: {
          username: "admin",
          email: `admin@${slug}.example`,
          firstName: "Ada",
          lastName: "Admin",
          password: CANARY_PASSWORD,
        },
      });
      const admin = await signIn(slug, "admin");
      const me = await admin.auth.me();
      return {
        id: tenant.id,
        slug,
        adminUserId: me.user.id,
        adminUsername: "admin",
        password: CANARY_PASSWORD,
        admin,
      };
    },
    async close() {
      await app.close();
      await db.destroy();
      await dropDb?.();
    },
  };
}

/** Runs `fn` and returns the StaffgateError it threw (fails the test when it did not throw). */
export async function problemOf(
  fn: () => Promise<unknown>,
): Promise<import("@staffgate/sdk").StaffgateError> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof Error && error.name === "StaffgateError") return error as never;
    throw error;
  }
  throw new Error("expected the call to fail with a problem, but it succeeded");
}

/**
 * A logger for tests that read the log: every line (one JSON object each) lands in `lines`, with
 * production's redaction.
 */
export function captureLog(level = "info") {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  /** Each line as the JSON object it is. */
  const parsed = (): Record<string, unknown>[] => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return {
    lines,
    parsed,
    logger: { level, stream, redact: { paths: REDACTED_PATHS, censor: "[redacted]" } },
  };
}
