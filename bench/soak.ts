/**
 * bench/soak (SECURITY.md §5.4 "Load and soak", loopback only, bounded): on demand, printing its
 * numbers. This process is the server (real argon2 parameters, the request rate limit on with its
 * production budgets); the load comes from child processes (soak-load.ts).
 *  1. Soak: `--seconds` (default 120) of 70% token-authenticated reads, 20% checks, 10% writes
 *     (a user's title; a patient grant and its revocation), 8 closed loops, plus sign-ins paced at
 *     `--logins` per second (default 10). Reports: 5xx and failed connections (goal 0), p50/p99
 *     per class, RSS and heap after warm-up (the first fifth) against the end (goal: < 10%
 *     growth), event-loop delay p99 (goal < 100 ms), the SQLite WAL's largest size (bounded) or
 *     PostgreSQL's connections (never more than the pool).
 *  2. Noisy neighbour: a quiet tenant reads a page every 20 ms, alone, then while another tenant
 *     floods the list endpoint; its p99 against alone, and how much of the flood the per-tenant
 *     limit refused (429).
 * Run: npm run bench:soak [-- --seconds 120 --logins 10 --db postgres]
 */
import { type ChildProcess, fork } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { setPriority, tmpdir } from "node:os";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import pg from "pg";
import { buildApp } from "../packages/server/src/app.ts";
import type { ClassResult, SoakJob, SoakResult, SoakTarget, SoakTenant } from "./soak-load.ts";
import { percentile } from "./stats.ts";

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const SECONDS = Number(arg("seconds", "120"));
const LOGINS = Number(arg("logins", "10"));
const DB = arg("db", "sqlite");
const PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres";
const OPERATOR = "bench-operator-token-0123456789";
const PASSWORD = "correct horse battery staple zz";
const POOL = 10;
const LAG_MS = 10;

const ms = (x: number) => `${x.toFixed(2)} ms`;
const mib = (x: number) => `${(x / 1048576).toFixed(1)} MiB`;
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

async function call(base: string, method: string, url: string, body: unknown, token?: string) {
  const res = await fetch(base + url, {
    method,
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** A tenant with 200 staff members (20 of whom sign in) and 8 signed-in administrators. */
async function seedTenant(base: string, slug: string): Promise<SoakTenant> {
  await call(
    base,
    "POST",
    "/api/v1/tenants",
    {
      slug,
      name: `Soak ${slug}`,
      admin: {
        username: "admin",
        email: `admin@${slug}.example`,
        firstName: "A",
        lastName: "Admin",
        password: PASSWORD,
      },
    },
    OPERATOR,
  );
  const admin = await call(base, "POST", "/api/v1/auth/login", {
    tenant: slug,
    login: "admin",
    password: PASSWORD,
  });
  const roleId = admin.user.roleId as string;
  const userIds: string[] = [];
  const logins: string[] = [];
  for (let i = 0; i < 200; i++) {
    const username = `staff${i}`;
    const withPassword = i < 20;
    const user = await call(
      base,
      "POST",
      "/api/v1/users",
      {
        username,
        email: `${username}@${slug}.example`,
        firstName: "Staff",
        lastName: `Member ${i}`,
        roleId,
        ...(withPassword ? { password: PASSWORD, mustChangePassword: false } : {}),
      },
      admin.token,
    );
    userIds.push(user.id);
    if (withPassword) logins.push(username);
  }
  const tokens: string[] = [];
  for (const login of logins.slice(0, 8))
    tokens.push(
      (await call(base, "POST", "/api/v1/auth/login", { tenant: slug, login, password: PASSWORD })).token,
    );
  return { slug, tokens, userIds, logins, password: PASSWORD };
}

function ask(child: ChildProcess, job: SoakJob): Promise<SoakResult> {
  return new Promise((resolve, reject) => {
    child.once("message", (m: { result?: SoakResult; error?: string }) =>
      m.result ? resolve(m.result) : reject(new Error(m.error)),
    );
    child.send({ job });
  });
}

function describe(name: string, c: ClassResult): string {
  const sorted = [...c.samples].sort((a, b) => a - b);
  const statuses = Object.entries(c.statuses)
    .map(([s, n]) => `${s}×${n.toLocaleString("en-US")}`)
    .join(" ");
  return `  ${name.padEnd(28)} ${String(sorted.length).padStart(7)}  p50 ${ms(percentile(sorted, 50)).padStart(9)}  p99 ${ms(percentile(sorted, 99)).padStart(9)}  ${statuses}`;
}

const failures = (r: SoakResult) =>
  Object.values(r).reduce(
    (n, c) =>
      n + Object.entries(c.statuses).reduce((m, [s, k]) => m + (Number(s) >= 500 || s === "0" ? k : 0), 0),
    0,
  );

async function main() {
  const dir = mkdtempSync(path.join(tmpdir(), "staffgate-bench-soak-"));
  let databaseUrl = path.join(dir, "soak.db");
  let dropPg: (() => Promise<void>) | undefined;
  if (DB === "postgres") {
    const name = `sg_soak_${process.pid}`;
    const admin = new pg.Client({ connectionString: PG_ADMIN });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    databaseUrl = PG_ADMIN.replace(/\/[^/]*$/, `/${name}`);
    dropPg = async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    };
  }
  const app = await buildApp({ databaseUrl, operatorToken: OPERATOR, logger: false });
  const children: ChildProcess[] = [];
  try {
    await app.listen({ port: 0, host: "127.0.0.1" });
    const port = (app.server.address() as AddressInfo).port;
    const base = `http://127.0.0.1:${port}`;
    const t0 = Date.now();
    const target: SoakTarget = {
      port,
      busy: await seedTenant(base, "busy"),
      quiet: await seedTenant(base, "quiet"),
    };
    console.log(
      `bench/soak (${DB}): 2 tenants of 200 users seeded in ${((Date.now() - t0) / 1000).toFixed(1)} s; ` +
        `${SECONDS} s of 70% reads / 20% checks / 10% writes on 8 loops + ${LOGINS} sign-ins/s; rate limit on (production budgets)`,
    );
    const child = async () => {
      const c = fork(new URL("./soak-load.ts", import.meta.url), { execArgv: ["--import", "tsx"] });
      children.push(c);
      await new Promise((resolve) => {
        c.once("message", resolve);
        c.send({ target });
      });
      return c;
    };
    const loader = await child();
    const prober = await child();
    // The flood's client runs at nice 10 (as bench/signin's does): in production a noisy tenant's
    // requests come from other machines and cost this one nothing but the answers.
    const flooder = await child();
    setPriority(flooder.pid!, 10);

    // 1. Soak, sampling the server once a second.
    const lag = monitorEventLoopDelay({ resolution: LAG_MS });
    const samples: { rss: number; heap: number; wal: number; conns: number }[] = [];
    const pgc = DB === "postgres" ? new pg.Client({ connectionString: databaseUrl }) : null;
    await pgc?.connect();
    const sample = async () => {
      const m = process.memoryUsage();
      let wal = 0;
      try {
        wal = statSync(`${databaseUrl}-wal`).size;
      } catch {}
      const conns = pgc
        ? Number(
            (await pgc.query("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database()"))
              .rows[0].n,
          ) - 1
        : 0;
      samples.push({ rss: m.rss, heap: m.heapUsed, wal, conns });
    };
    let warm = false;
    const timer = setInterval(() => void sample(), 1000);
    const trace = setInterval(() => {
      const s = samples.at(-1);
      if (s && process.argv.includes("--trace"))
        console.log(`    rss ${mib(s.rss)} heap ${mib(s.heap)} wal ${mib(s.wal)}`);
    }, 10_000);
    const warmTimer = setTimeout(
      () => {
        warm = true;
        lag.reset();
        lag.enable();
        samples.length = 0;
      },
      (SECONDS * 1000) / 5,
    );
    const soak = await ask(loader, { kind: "mix", seconds: SECONDS, loops: 8, loginsPerSecond: LOGINS });
    clearInterval(timer);
    clearInterval(trace);
    clearTimeout(warmTimer);
    lag.disable();
    await sample();
    await pgc?.end();
    console.log("\n1. soak (after warm-up for memory and event-loop delay; every request for latency)");
    for (const [name, c] of Object.entries(soak).sort()) console.log(describe(name, c));
    // Memory compared between the first and the last fifth of the samples after warm-up (medians):
    // one sample may fall just before or after a major collection.
    const fifth = Math.max(1, Math.floor(samples.length / 5));
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const window = (from: number, to: number) => ({
      rss: median(samples.slice(from, to).map((s) => s.rss)),
      heap: median(samples.slice(from, to).map((s) => s.heap)),
    });
    const first = window(0, fifth);
    const last = { ...window(samples.length - fifth, samples.length), wal: samples.at(-1)!.wal };
    console.log(`  5xx and failed connections: ${failures(soak)} (goal 0)`);
    if (warm) {
      console.log(
        `  median RSS, first fifth → last fifth: ${mib(first.rss)} → ${mib(last.rss)} (${pct(last.rss / first.rss - 1)}; goal < 10%), ` +
          `heap ${mib(first.heap)} → ${mib(last.heap)} (${pct(last.heap / first.heap - 1)})`,
      );
      console.log(
        // The histogram records the time between its timer's turns, which are LAG_MS apart.
        `  event-loop delay beyond the ${LAG_MS} ms timer: p50 ${ms(lag.percentile(50) / 1e6 - LAG_MS)}, ` +
          `p99 ${ms(lag.percentile(99) / 1e6 - LAG_MS)} (goal < 100 ms), max ${ms(lag.max / 1e6 - LAG_MS)}`,
      );
    }
    if (DB === "sqlite")
      console.log(
        `  SQLite WAL: largest ${mib(Math.max(...samples.map((s) => s.wal)))}, at the end ${mib(last.wal)}`,
      );
    else
      console.log(
        `  PostgreSQL connections: at most ${Math.max(...samples.map((s) => s.conns))} (pool ${POOL})`,
      );

    // 2. Noisy neighbour: the quiet tenant alone, then beside the busy tenant's flood.
    const probe: SoakJob = { kind: "probe", seconds: 20, intervalMs: 20 };
    const alone = await ask(prober, probe);
    const [beside, noisy] = await Promise.all([
      ask(prober, probe),
      ask(flooder, { kind: "flood", seconds: 20, loops: 16 }),
    ]);
    const p99 = (r: SoakResult) => {
      const c = Object.values(r)[0]!;
      return percentile(
        [...c.samples].sort((a, b) => a - b),
        99,
      );
    };
    console.log(
      "\n2. noisy neighbour (the quiet tenant reads a page every 20 ms; the busy one floods pages of 50)",
    );
    console.log(describe("quiet, alone", Object.values(alone)[0]!));
    console.log(describe("quiet, beside the flood", Object.values(beside)[0]!));
    console.log(describe("busy tenant's flood", Object.values(noisy)[0]!));
    console.log(
      `  quiet p99 beside the flood = ${(p99(beside) / p99(alone)).toFixed(2)}× alone; 5xx ${failures(beside) + failures(noisy)}`,
    );
  } finally {
    for (const c of children) c.kill();
    await app.close();
    await dropPg?.();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
