/**
 * bench/decisions (c): how the cost of a decision grows with the tenant. Three tenants of 1,000,
 * 10,000 and 100,000 users (decisions-tenant.ts, 10,000 patient grants each) in one database;
 * for each, decisions/s
 *  - in-process through the production entry point (decideFromSnapshot's answer tables, decide()
 *    with facts when it cannot answer), warm, against a bare users.get over the same questions
 *    (decisions-inprocess.ts); the tenants alternate round by round here too;
 *  - over HTTP, check/batch of 100 against one listening server (this process, alone), the load
 *    from the same child process as (b) (decisions-load.ts); the tenants alternate in rounds, so
 *    they meet the same background load.
 * Goal: flat within 20% from the smallest tenant to the largest.
 */
import type { AddressInfo } from "node:net";
import type { StaffgateApp } from "../packages/server/src/app.ts";
import { loadChild, phase, retarget, summary } from "./decisions-http.ts";
import { pathVsMap } from "./decisions-inprocess.ts";
import type { LoadTarget } from "./decisions-load.ts";
import { type Bench, type Q, queries, seedTenant } from "./decisions-tenant.ts";

export interface ScalingOptions {
  readonly seconds: number;
  readonly rounds: number;
  readonly loops: number;
}

const SIZES = [1_000, 10_000, 100_000] as const;
const ACTIVE_USERS = 1_000;
const n0 = (x: number) => Math.round(x).toLocaleString("en-US");
const ms = (x: number) => `${x.toFixed(2)} ms`;

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
    // In-process, the tenants alternate round by round as well (warm first: JIT, answer tables).
    const compares = [];
    for (const t of tenants) compares.push(pathVsMap(await app.core.access.snapshot(t.b.tenantId), t.qs));
    // The same, with the questions about 1,000 users of each tenant (the staff at work at a time):
    // what grows with the tenant, apart from how many different users the CPU caches must hold.
    const active = [];
    for (const t of tenants) {
      const snapshot = await app.core.access.snapshot(t.b.tenantId);
      active.push(pathVsMap(snapshot, queries(snapshot, 50_000, 37, true, ACTIVE_USERS)));
    }
    for (const c of [...compares, ...active]) c.warm();
    for (let r = 0; r < o.rounds; r++) for (const c of [...compares, ...active]) c.round(o.seconds / 2);
    const rates: number[] = [];
    const maps: number[] = [];
    const httpRates: number[] = [];
    for (const [i, t] of tenants.entries()) {
      const vs = compares[i]!.result();
      const rate = vs.decisions;
      const map = vs.mapGets;
      const s = summary(runs[i]!);
      rates.push(rate);
      maps.push(map);
      httpRates.push(s.rps * 100);
      console.log(
        `  ${n0(t.users).padStart(7)} users: in-process ${n0(rate).padStart(11)} /s (bare users.get ${n0(map).padStart(11)} /s, others ${Math.round(100 * vs.others)}%)   HTTP ${n0(s.rps * 100).padStart(8)} decisions/s (by round ${s.rounds.map((x) => n0(x * 100)).join(", ")})  p50 ${ms(s.p50)}  p99 ${ms(s.p99)}  server ${n0(s.serverUs)} µs/batch  others ${Math.round(100 * s.others)}%`,
      );
    }
    const spread = (xs: number[]) => `${((100 * Math.min(...xs)) / Math.max(...xs)).toFixed(0)}%`;
    console.log(
      `  slowest / fastest: HTTP ${spread(httpRates)} (goal: flat within 20%, ≥ 80%); in-process ${spread(rates)} (bare users.get ${spread(maps)}: memory, not work per user)`,
    );
    const activeRates: number[] = [];
    const activeMaps: number[] = [];
    for (const [i, t] of tenants.entries()) {
      const vs = active[i]!.result();
      activeRates.push(vs.decisions);
      activeMaps.push(vs.mapGets);
      console.log(
        `  ${n0(t.users).padStart(7)} users, questions about ${n0(ACTIVE_USERS)} of them: in-process ${n0(vs.decisions).padStart(11)} /s (bare users.get ${n0(vs.mapGets).padStart(11)} /s, others ${Math.round(100 * vs.others)}%)`,
      );
    }
    console.log(
      `  slowest / fastest with ${n0(ACTIVE_USERS)} users asked about: in-process ${spread(activeRates)} (bare users.get ${spread(activeMaps)})`,
    );
  } finally {
    child.disconnect();
  }
}
