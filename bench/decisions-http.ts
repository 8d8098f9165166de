/**
 * bench/decisions (b): HTTP on 127.0.0.1 against a real listening server. This process is the
 * server, alone; the load comes from a child process (decisions-load.ts: node:http, keep-alive,
 * closed loops), so the client neither runs on the server's event loop nor inflates the
 * denominator of "/check as a share of /healthz" (a same-process fetch client costs more CPU per
 * request than /healthz itself). The same server, the same tenant, the same token and the same
 * client serve every case; the cases alternate in rounds, so they meet the same background load.
 *
 * Per case it prints requests/s over all rounds, p50/p99, each round's figure (the spread), the
 * server main thread's CPU per request, the client's CPU share and other processes' share of the
 * machine. `--profile <prefix>` writes CPU profiles of the server's main thread during the first
 * round of each case (`<prefix>-healthz.cpuprofile`, `-check`, `-batch`).
 */
import { type ChildProcess, fork } from "node:child_process";
import type { AddressInfo } from "node:net";
import { availableParallelism } from "node:os";
import { cpuSnapshot, mainThreadCpuMs, othersShare } from "./cpu.ts";
import type { LoadJob, LoadResult, LoadTarget } from "./decisions-load.ts";
import { type Bench, type Q, queries } from "./decisions-tenant.ts";
import { profiled } from "./profile.ts";
import { percentile } from "./stats.ts";

export interface HttpOptions {
  readonly seconds: number;
  readonly rounds: number;
  readonly loops: number;
  readonly profile: string | undefined;
  /** Also one round with the old method (fetch loops in this process), for comparison. */
  readonly compareFetch: boolean;
}

interface Phase {
  readonly samples: number[];
  readonly seconds: number;
  /** The server's main thread, ms of CPU over the phase. */
  readonly serverMs: number;
  readonly clientMs: number;
  /** Share of the machine other processes (tests, PostgreSQL) used meanwhile. */
  readonly others: number;
}

const CORES = availableParallelism();
const n0 = (x: number) => Math.round(x).toLocaleString("en-US");
const ms = (x: number) => `${x.toFixed(2)} ms`;
const pct = (x: number) => `${(100 * x).toFixed(0)}%`;

/** Starts the load child and hands it the target; resolves once it has it. */
export async function loadChild(target: LoadTarget): Promise<ChildProcess> {
  const child = fork(new URL("./decisions-load.ts", import.meta.url), { execArgv: ["--import", "tsx"] });
  await retarget(child, target);
  return child;
}

/** Points the child at another target (another tenant's token and bodies). */
export function retarget(child: ChildProcess, target: LoadTarget): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    child.once("error", reject);
    child.once("message", () => {
      child.off("error", reject);
      resolve();
    });
    child.send({ target });
  });
}

function ask(child: ChildProcess, job: LoadJob): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    child.once("message", (m: { result?: LoadResult; error?: string }) =>
      m.result ? resolve(m.result) : reject(new Error(m.error)),
    );
    child.send({ job });
  });
}

/** One job, with the CPU spent by the server's main thread, the client and everything else. */
export async function phase(child: ChildProcess, job: LoadJob, profile?: string): Promise<Phase> {
  const pids = [process.pid, child.pid!];
  const a = cpuSnapshot(pids);
  const m0 = mainThreadCpuMs();
  const t0 = performance.now();
  const r = await profiled(profile, () => ask(child, job));
  const wall = performance.now() - t0;
  return {
    samples: r.samples,
    seconds: r.seconds,
    serverMs: mainThreadCpuMs() - m0,
    clientMs: r.cpuMs,
    others: othersShare(a, cpuSnapshot(pids), wall, CORES),
  };
}

export function summary(phases: readonly Phase[]) {
  const sorted = phases.flatMap((p) => p.samples).sort((a, b) => a - b);
  const seconds = phases.reduce((s, p) => s + p.seconds, 0);
  const serverMs = phases.reduce((s, p) => s + p.serverMs, 0);
  const clientMs = phases.reduce((s, p) => s + p.clientMs, 0);
  return {
    rps: sorted.length / seconds,
    rounds: phases.map((p) => p.samples.length / p.seconds),
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    /** µs of server main-thread CPU per request. */
    serverUs: (1000 * serverMs) / sorted.length,
    clientShare: clientMs / (1000 * seconds),
    others: phases.reduce((s, p) => s + p.others, 0) / phases.length,
  };
}

/** The old method: `loops` fetch loops in this very process (kept for comparison only). */
async function fetchLoad(seconds: number, loops: number, one: (i: number) => Promise<void>) {
  let count = 0;
  let next = 0;
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: loops }, async () => {
      while (performance.now() < end) {
        await one(next++);
        count++;
      }
    }),
  );
  return count / seconds;
}

export async function http(b: Bench, label: string, o: HttpOptions): Promise<void> {
  await b.app.listen({ port: 0, host: "127.0.0.1" });
  const port = (b.app.server.address() as AddressInfo).port;
  const snapshot = await b.app.core.access.snapshot(b.tenantId);
  const qs: Q[] = queries(snapshot, 50_000, 23, true);
  const batches: string[] = [];
  for (let from = 0; from + 100 <= qs.length; from += 100)
    batches.push(JSON.stringify({ checks: qs.slice(from, from + 100) }));
  const child = await loadChild({
    port,
    token: b.token,
    bodies: { check: qs.map((q) => JSON.stringify(q)), batch: batches },
  });
  try {
    const job = (path: string, bodies?: string): LoadJob => ({
      method: bodies ? "POST" : "GET",
      path,
      ...(bodies ? { bodies } : {}),
      auth: bodies !== undefined,
      seconds: o.seconds,
      loops: o.loops,
    });
    const cases = {
      healthz: job("/healthz"),
      check: job("/api/v1/check", "check"),
      batch: job("/api/v1/check/batch", "batch"),
    };
    // Warm-up, not counted: the JIT compiles every path, the per-user answer memos fill.
    for (const c of Object.values(cases)) await ask(child, { ...c, seconds: 1 });
    const runs: Record<keyof typeof cases, Phase[]> = { healthz: [], check: [], batch: [] };
    for (let r = 0; r < o.rounds; r++) {
      for (const name of ["healthz", "check", "batch"] as const) {
        const file = r === 0 && o.profile ? `${o.profile}-${name}.cpuprofile` : undefined;
        runs[name].push(await phase(child, cases[name], file));
      }
    }
    const [h, c, bt] = [summary(runs.healthz), summary(runs.check), summary(runs.batch)];
    console.log(
      `\n(b) HTTP on ${label} (127.0.0.1; client: a child process, node:http keep-alive, ${o.loops} loops; ${o.rounds} rounds × ${o.seconds} s per case, alternating; 20% of checks name a patient)`,
    );
    const row = (name: string, s: ReturnType<typeof summary>, extra: string) =>
      console.log(
        `  ${name.padEnd(22)} ${n0(s.rps).padStart(7)} req/s  p50 ${ms(s.p50).padStart(8)}  p99 ${ms(s.p99).padStart(8)}  server ${n0(s.serverUs).padStart(5)} µs/req  client ${pct(s.clientShare)} of a core  others ${pct(s.others)}${extra}`,
      );
    row("GET /healthz", h, `  rounds ${h.rounds.map(n0).join(", ")}`);
    row(
      "POST /check",
      c,
      `\n  ${"".padEnd(22)} = ${pct(c.rps / h.rps)} of healthz (goal ≥ 60%; by round ${c.rounds.map((x, i) => pct(x / h.rounds[i]!)).join(", ")}); server CPU per request ${pct(h.serverUs / c.serverUs)} of healthz's`,
    );
    row(
      "POST /check/batch ×100",
      bt,
      `\n  ${"".padEnd(22)} = ${n0(bt.rps * 100)} decisions/s (goal ≥ 200,000 on SQLite; by round ${bt.rounds.map((x) => n0(x * 100)).join(", ")})`,
    );
    const watch = b.app.core.deps.db.changes;
    if (watch && b.app.core.deps.db.dialect === "postgres")
      console.log(
        `  kept reads (db/pg-change-watch.ts): ${Number.isNaN(watch.dataVersion()) ? "NOT trusted at the end: every request read" : "trusted (lease held)"}`,
      );
    if (o.compareFetch) await compare(port, b.token, qs, o);
  } finally {
    child.disconnect();
    await b.app.close();
  }
}

/** One round of the old method: fetch loops in the server's own process. */
async function compare(port: number, token: string, qs: readonly Q[], o: HttpOptions): Promise<void> {
  const base = `http://127.0.0.1:${port}`;
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const healthz = await fetchLoad(o.seconds, o.loops, async () => {
    await (await fetch(`${base}/healthz`)).arrayBuffer();
  });
  const check = await fetchLoad(o.seconds, o.loops, async (i) => {
    const res = await fetch(`${base}/api/v1/check`, {
      method: "POST",
      headers,
      body: JSON.stringify(qs[i % qs.length]),
    });
    if (res.status !== 200) throw new Error(`/check → ${res.status}`);
    await res.arrayBuffer();
  });
  console.log(
    `  old method (${o.loops} fetch loops in the server's process, one round): healthz ${n0(healthz)} req/s, /check ${n0(check)} req/s = ${pct(check / healthz)}`,
  );
}
