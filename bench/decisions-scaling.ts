/**
 * bench/decisions (c): how the cost of a decision grows with the tenant. Three tenants of 1,000,
 * 10,000 and 100,000 users (decisions-tenant.ts, 10,000 patient grants each) in one database;
 * for each, decisions/s
 *  - in-process through the production entry point (decideFromSnapshot, the answer memo shared
 *    by users of one access profile, decide() with facts when it cannot answer), warm;
 *  - over HTTP, check/batch of 100 against one listening server (this process, alone), the load
 *    from the same child process as (b) (decisions-load.ts); the tenants alternate in rounds, so
 *    they meet the same background load.
 * Goal: flat within 20% from the smallest tenant to the largest.
 */
import type { AddressInfo } from "node:net";
import { decide } from "../packages/core/src/access/decision.rules.ts";
import type { PolicySnapshot } from "../packages/core/src/access/policy-snapshot.ts";
import { decideFromSnapshot } from "../packages/core/src/access/snapshot-decide.ts";
import type { StaffgateApp } from "../packages/server/src/app.ts";
import { loadChild, phase, retarget, summary } from "./decisions-http.ts";
import type { LoadTarget } from "./decisions-load.ts";
import { type Bench, type Q, queries, seedTenant } from "./decisions-tenant.ts";

export interface ScalingOptions {
  readonly seconds: number;
  readonly rounds: number;
  readonly loops: number;
}

const SIZES = [1_000, 10_000, 100_000] as const;
const n0 = (x: number) => Math.round(x).toLocaleString("en-US");
const ms = (x: number) => `${x.toFixed(2)} ms`;

/** Production-path decisions per second over `qs` for about `seconds` (after a warm pass). */
function inProcessRate(snapshot: PolicySnapshot, qs: readonly Q[], seconds: number): number {
  const now = new Date().toISOString();
  const one = (q: Q) =>
    decideFromSnapshot(snapshot, q, now) ??
    decide(
      {
        catalog: snapshot.catalog,
        now,
        user: snapshot.users.get(q.userId)?.decision,
        viaApiToken: false,
        ...(q.workspaceId ? { workspaceExists: snapshot.workspaces.has(q.workspaceId) } : {}),
        patientGrants: [],
        emergencies: [],
      },
      q,
      { steps: false },
    );
  for (const q of qs) one(q);
  let done = 0;
  let allowed = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < qs.length; i++) if (one(qs[i]!).allowed) allowed++;
    done += qs.length;
  }
  if (allowed < 0) console.log(allowed);
  return done / ((performance.now() - start) / 1000);
}

/** The floor for comparison: a bare users.get() per question, over the same questions. */
function mapGetRate(snapshot: PolicySnapshot, qs: readonly Q[], seconds: number): number {
  let done = 0;
  let found = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < qs.length; i++) if (snapshot.users.get(qs[i]!.userId) !== undefined) found++;
    done += qs.length;
  }
  if (found < 0) console.log(found);
  return done / ((performance.now() - start) / 1000);
}

export async function scaling(app: StaffgateApp, label: string, o: ScalingOptions): Promise<void> {
  const tenants: { users: number; b: Bench; qs: Q[]; target: Omit<LoadTarget, "port"> }[] = [];
  for (const users of SIZES) {
    const b = await seedTenant(app, `scale-${users}`, users, 10_000);
    const snapshot = await app.core.access.snapshot(b.tenantId);
    const qs = queries(snapshot, 50_000, 31, true);
    const batches: string[] = [];
    for (let from = 0; from + 100 <= qs.length; from += 100)
      batches.push(JSON.stringify({ checks: qs.slice(from, from + 100) }));
    tenants.push({ users, b, qs, target: { token: b.token, bodies: { batch: batches } } });
  }
  await app.listen({ port: 0, host: "127.0.0.1" });
  const port = (app.server.address() as AddressInfo).port;
  const child = await loadChild({ port, ...tenants[0]!.target });
  const job = {
    method: "POST",
    path: "/api/v1/check/batch",
    bodies: "batch",
    auth: true,
    loops: o.loops,
  } as const;
  try {
    const runs = tenants.map(() => [] as Awaited<ReturnType<typeof phase>>[]);
    for (const t of tenants) {
      await retarget(child, { port, ...t.target });
      await phase(child, { ...job, seconds: 1 }); // warm-up: JIT, memos
    }
    for (let r = 0; r < o.rounds; r++) {
      for (const [i, t] of tenants.entries()) {
        await retarget(child, { port, ...t.target });
        runs[i]!.push(await phase(child, { ...job, seconds: o.seconds }));
      }
    }
    console.log(
      `\n(c) cost as the tenant grows (${label}; 10,000 grants each; in-process production path, and HTTP check/batch ×100 from the child client, ${o.rounds} rounds × ${o.seconds} s, alternating)`,
    );
    const rates: number[] = [];
    const maps: number[] = [];
    const httpRates: number[] = [];
    for (const [i, t] of tenants.entries()) {
      const snapshot = await app.core.access.snapshot(t.b.tenantId);
      const rate = inProcessRate(snapshot, t.qs, o.seconds);
      const map = mapGetRate(snapshot, t.qs, o.seconds);
      const s = summary(runs[i]!);
      rates.push(rate);
      maps.push(map);
      httpRates.push(s.rps * 100);
      console.log(
        `  ${n0(t.users).padStart(7)} users: in-process ${n0(rate).padStart(11)} /s (bare users.get ${n0(map).padStart(11)} /s)   HTTP ${n0(s.rps * 100).padStart(8)} decisions/s (by round ${s.rounds.map((x) => n0(x * 100)).join(", ")})  p50 ${ms(s.p50)}  p99 ${ms(s.p99)}  server ${n0(s.serverUs)} µs/batch  others ${Math.round(100 * s.others)}%`,
      );
    }
    const spread = (xs: number[]) => `${((100 * Math.min(...xs)) / Math.max(...xs)).toFixed(0)}%`;
    console.log(
      `  slowest / fastest: HTTP ${spread(httpRates)} (goal: flat within 20%, ≥ 80%); in-process ${spread(rates)} (bare users.get ${spread(maps)}: memory, not work per user)`,
    );
  } finally {
    child.disconnect();
  }
}
