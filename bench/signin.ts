/**
 * bench/signin (issue 4, "What it must show"): one run, printing its numbers.
 *  (a) raw argon2id (production parameters m = 19 MiB, t = 2, p = 1; @node-rs/argon2) with as many
 *      hashes in flight as there are cores: hashes/s and verifies/s;
 *  (b) full HTTP sign-ins/s with a correct password against a real server on 127.0.0.1 (SQLite
 *      file, production hasher), goal ≥ 85% of the raw verify rate;
 *  (c) p99 of a token-authenticated GET /auth/me and of POST /check when idle, then during a
 *      sign-in flood; goal within 2× of idle.
 * The sign-in throttle is raised for this run (every request comes from 127.0.0.1); everything
 * else is as in production. Bounded: each phase runs a fixed number of seconds.
 * Run: npm run bench:signin [-- --seconds 5 --flood 32]
 */
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { availableParallelism, tmpdir } from "node:os";
import path from "node:path";
import { type Algorithm, hash, verify } from "@node-rs/argon2";
import { buildApp } from "../packages/server/src/app.ts";
import { percentile } from "./stats.ts";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const SECONDS = arg("seconds", 5);
const CORES = availableParallelism();
/** Concurrent sign-in loops in the flood: enough to keep the hasher's queue full. */
const FLOOD = arg("flood", CORES * 8);
const OPERATOR = "bench-operator-token-0123456789";
const PASSWORD = "correct horse battery staple zz";
const USERS = 20;
const PARAMS = { algorithm: 2 as Algorithm, memoryCost: 19456, timeCost: 2, parallelism: 1 };

const n0 = (x: number) => Math.round(x).toLocaleString("en-US");
const ms = (x: number) => `${x.toFixed(2)} ms`;

/** Runs `loops` concurrent loops of `fn` for `seconds`; returns completed calls and latencies. */
async function run(loops: number, seconds: number, fn: (i: number) => Promise<void>) {
  const end = performance.now() + seconds * 1000;
  const samples: number[] = [];
  let i = 0;
  await Promise.all(
    Array.from({ length: loops }, async () => {
      while (performance.now() < end) {
        const start = performance.now();
        await fn(i++);
        samples.push(performance.now() - start);
      }
    }),
  );
  samples.sort((x, y) => x - y);
  return {
    count: samples.length,
    perSecond: samples.length / seconds,
    p50: percentile(samples, 50),
    p99: percentile(samples, 99),
  };
}

async function main() {
  console.log(`bench/signin: ${CORES} cores, ${SECONDS} s per phase, flood of ${FLOOD} sign-in loops`);

  // (a) raw argon2id.
  const stored = await hash(PASSWORD, PARAMS);
  const rawHash = await run(CORES, SECONDS, async () => {
    await hash(PASSWORD, PARAMS);
  });
  const rawVerify = await run(CORES, SECONDS, async () => {
    if (!(await verify(stored, PASSWORD))) throw new Error("verify failed");
  });
  console.log(`(a) argon2id hash:   ${n0(rawHash.perSecond)} /s (p50 ${ms(rawHash.p50)})`);
  console.log(`(a) argon2id verify: ${n0(rawVerify.perSecond)} /s (p50 ${ms(rawVerify.p50)})`);

  // A real server on loopback.
  const dir = mkdtempSync(path.join(tmpdir(), "staffgate-bench-signin-"));
  const app = await buildApp({
    databaseUrl: path.join(dir, "bench.db"),
    operatorToken: OPERATOR,
    loginThrottle: { perAccount: 1e9, perAddress: 1e9 },
  });
  try {
    await app.listen({ port: 0, host: "127.0.0.1" });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const call = async (method: string, url: string, body?: unknown, token?: string) => {
      const res = await fetch(base + url, {
        method,
        headers: {
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text}`);
      return text ? JSON.parse(text) : undefined;
    };
    const slug = "bench-signin";
    await call(
      "POST",
      "/api/v1/tenants",
      {
        slug,
        name: "Bench sign-in",
        admin: {
          username: "admin",
          email: "admin@bench.example",
          firstName: "A",
          lastName: "Admin",
          password: PASSWORD,
        },
      },
      OPERATOR,
    );
    const signIn = (login: string) =>
      call("POST", "/api/v1/auth/login", { tenant: slug, login, password: PASSWORD }) as Promise<{
        token: string;
        user: { id: string; roleId: string };
      }>;
    const adminSession = await signIn("admin");
    const admin = adminSession.token;
    const logins: string[] = [];
    for (let i = 0; i < USERS; i++) {
      const username = `staff${i}`;
      await call(
        "POST",
        "/api/v1/users",
        {
          username,
          email: `${username}@bench.example`,
          firstName: "Staff",
          lastName: `Member ${i}`,
          roleId: adminSession.user.roleId,
          password: PASSWORD,
          mustChangePassword: false,
        },
        admin,
      );
      logins.push(username);
    }
    const subject = adminSession.user.id;

    // (b) sign-ins/s with a correct password.
    const signins = await run(FLOOD, SECONDS, async (i) => {
      await signIn(logins[i % logins.length]!);
    });
    const ratio = signins.perSecond / rawVerify.perSecond;
    console.log(
      `(b) HTTP sign-ins:   ${n0(signins.perSecond)} /s = ${(ratio * 100).toFixed(0)}% of raw verify (goal ≥ 85%), p50 ${ms(signins.p50)}, p99 ${ms(signins.p99)}`,
    );

    // (c) p99 of /auth/me and /check, idle then during a flood.
    const probe = (kind: "me" | "check") => () =>
      kind === "me"
        ? call("GET", "/api/v1/auth/me", undefined, admin)
        : call("POST", "/api/v1/check", { userId: subject, permission: "patients.read" }, admin);
    const PROBES = 4;
    const idleMe = await run(PROBES, SECONDS, probe("me"));
    const idleCheck = await run(PROBES, SECONDS, probe("check"));
    let flooding = true;
    const floodDone = Promise.all(
      Array.from({ length: FLOOD }, async (_, k) => {
        let i = k;
        while (flooding) await signIn(logins[i++ % logins.length]!);
      }),
    );
    await new Promise((r) => setTimeout(r, 500));
    const busyMe = await run(PROBES, SECONDS, probe("me"));
    const busyCheck = await run(PROBES, SECONDS, probe("check"));
    flooding = false;
    await floodDone;
    const line = (name: string, idle: typeof idleMe, busy: typeof idleMe) =>
      console.log(
        `(c) ${name}: idle p99 ${ms(idle.p99)} (p50 ${ms(idle.p50)}, ${n0(idle.perSecond)}/s) → flood p99 ${ms(busy.p99)} (p50 ${ms(busy.p50)}, ${n0(busy.perSecond)}/s) = ${(busy.p99 / idle.p99).toFixed(2)}× (goal ≤ 2×)`,
      );
    line("GET /auth/me", idleMe, busyMe);
    line("POST /check  ", idleCheck, busyCheck);
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
