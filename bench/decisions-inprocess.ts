/**
 * bench/decisions' in-process loops, for (a) and (c): the production decision path, the pure
 * decide() and the bare `Map.get` floor, over the same questions in the same order.
 *
 * Method: each loop is its own function, so the JIT optimises each for its own work (one loop
 * shared by two modes was compiled for the first mode it ran and measured the second slower
 * than it runs); each is warmed first (JIT, and the production path's answer tables, as a serving
 * instance's would be); the production path and `Map.get` then alternate in rounds, so both
 * meet the same background load, and each rate is over all its rounds.
 */
import { availableParallelism } from "node:os";
import { decide } from "../packages/core/src/access/decision.rules.ts";
import type { PolicySnapshot } from "../packages/core/src/access/policy-snapshot.ts";
import { decideFromSnapshot } from "../packages/core/src/access/snapshot-decide.ts";
import { cpuSnapshot, othersShare } from "./cpu.ts";
import type { Q } from "./decisions-tenant.ts";

/** decide()'s facts for a question with no patient grants and no elevations (what casbin models). */
export const factsOf = (snapshot: PolicySnapshot, q: Q, now: string) => ({
  catalog: snapshot.catalog,
  now,
  user: snapshot.users.get(q.userId)?.decision,
  viaApiToken: false,
  ...(q.workspaceId ? { workspaceExists: snapshot.workspaces.has(q.workspaceId) } : {}),
  patientGrants: [],
  emergencies: [],
});

interface Count {
  done: number;
  ms: number;
}

/** Passes over `qs` until `seconds` are up (whole passes: every question as often as the others). */
function timed(seconds: number, pass: () => void, n: number): Count {
  let done = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  do {
    pass();
    done += n;
  } while (performance.now() < end);
  return { done, ms: performance.now() - start };
}

/**
 * The production path, as access.service.ts runs it: decideFromSnapshot, and decide() with the
 * facts when it cannot answer; the answer is read.
 */
function productionPass(snapshot: PolicySnapshot, qs: readonly Q[], now: string): number {
  let allowed = 0;
  for (let i = 0; i < qs.length; i++) {
    const q = qs[i]!;
    const d = decideFromSnapshot(snapshot, q, now) ?? decide(factsOf(snapshot, q, now), q, { steps: false });
    if (d.allowed) allowed++;
  }
  return allowed;
}

/** The pure decide(), from scratch every time. */
function purePass(snapshot: PolicySnapshot, qs: readonly Q[], now: string): number {
  let allowed = 0;
  for (let i = 0; i < qs.length; i++) {
    const q = qs[i]!;
    if (decide(factsOf(snapshot, q, now), q, { steps: false }).allowed) allowed++;
  }
  return allowed;
}

/** The floor: the user's lookup alone, as every decision starts. */
function mapGetPass(snapshot: PolicySnapshot, qs: readonly Q[]): number {
  let found = 0;
  for (let i = 0; i < qs.length; i++) if (snapshot.users.get(qs[i]!.userId) !== undefined) found++;
  return found;
}

let sink = 0;
const rate = (c: Count) => c.done / (c.ms / 1000);

/** decide() from scratch, decisions/s over about `seconds`. */
export function pureRate(snapshot: PolicySnapshot, qs: readonly Q[], seconds: number): number {
  const now = new Date().toISOString();
  return rate(
    timed(
      seconds,
      () => {
        sink += purePass(snapshot, qs, now);
      },
      qs.length,
    ),
  );
}

export interface PathVsMap {
  /** Production-path decisions/s over all rounds. */
  readonly decisions: number;
  /** Bare `Map.get`/s over all rounds. */
  readonly mapGets: number;
  /** Production path as a share of `Map.get`, per round. */
  readonly shares: number[];
  /** Share of the machine other processes used during the rounds. */
  readonly others: number;
}

/**
 * The production path vs `Map.get` over the same questions. warm() first; then round() as many
 * times as wanted (callers comparing tenants alternate them round by round); result() sums up.
 */
export function pathVsMap(snapshot: PolicySnapshot, qs: readonly Q[]) {
  const now = new Date().toISOString();
  const production = () => {
    sink += productionPass(snapshot, qs, now);
  };
  const mapGet = () => {
    sink += mapGetPass(snapshot, qs);
  };
  const d: Count = { done: 0, ms: 0 };
  const m: Count = { done: 0, ms: 0 };
  const shares: number[] = [];
  let othersMs = 0;
  const cores = availableParallelism();
  return {
    warm(): void {
      timed(0.5, production, qs.length);
      timed(0.5, mapGet, qs.length);
    },
    /** One round: the production path for `seconds`, then `Map.get` for as long. */
    round(seconds: number): void {
      const cpu0 = cpuSnapshot([process.pid]);
      const dr = timed(seconds, production, qs.length);
      const mr = timed(seconds, mapGet, qs.length);
      othersMs += othersShare(cpu0, cpuSnapshot([process.pid]), dr.ms + mr.ms, cores) * (dr.ms + mr.ms);
      d.done += dr.done;
      d.ms += dr.ms;
      m.done += mr.done;
      m.ms += mr.ms;
      shares.push(rate(dr) / rate(mr));
    },
    result(): PathVsMap {
      if (sink < 0) console.log(sink);
      return { decisions: rate(d), mapGets: rate(m), shares, others: othersMs / (d.ms + m.ms) };
    },
  };
}
