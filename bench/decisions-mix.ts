/**
 * bench/decisions (d): 99% checks and 1% writes (role PATCH removing a permission, deactivations)
 * against checks alone, over HTTP with `fetch` loops in this process; p95 of the checks under the
 * mix vs alone, and no check allowed after its revocation was acknowledged (its response arrived).
 */
import type { AddressInfo } from "node:net";
import { type Bench, PASSWORD, pick, type Q, queries, rng } from "./decisions-tenant.ts";
import { percentile } from "./stats.ts";

export interface MixOptions {
  readonly seconds: number;
  readonly loops: number;
}

const n0 = (x: number) => Math.round(x).toLocaleString("en-US");
const ms = (x: number) => `${x.toFixed(2)} ms`;

/** `concurrency` fetch loops for about `seconds` (and at most `maxRequests`); latencies in ms. */
async function load(
  concurrency: number,
  seconds: number,
  maxRequests: number,
  one: (i: number) => Promise<void>,
): Promise<{ rps: number; p50: number; p95: number; p99: number; count: number; samples: number[] }> {
  const samples: number[] = [];
  let next = 0;
  const end = performance.now() + seconds * 1000;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end && next < maxRequests) {
        const i = next++;
        const t = performance.now();
        await one(i);
        samples.push(performance.now() - t);
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    rps: samples.length / elapsed,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    count: samples.length,
    samples,
  };
}

/** 99% checks and 1% writes (revocations), against checks alone; no check allowed after its revocation. */
export async function mix(b: Bench, label: string, o: MixOptions): Promise<void> {
  const db = b.app.core.deps.db.allTenants;
  // Probe roles: four tenant-only permissions with no implications; writes remove them one by one.
  const probePerms = [
    "custom_metrics.manage",
    "scorecard_templates.manage",
    "renaming_rules.manage",
    "checklist_templates.manage",
  ];
  const probes: { roleId: string; users: string[]; perms: string[] }[] = [];
  for (let i = 0; i < 30; i++) {
    const role = (await b.inject("POST", "/api/v1/roles", {
      name: `Probe ${label} ${i}`,
      permissions: probePerms,
    })) as { id: string };
    const users = [];
    for (let j = 0; j < 4; j++) {
      const u = (await b.inject("POST", "/api/v1/users", {
        username: `probe-${i}-${j}`,
        email: `probe-${i}-${j}@bench.example`,
        firstName: "P",
        lastName: "Robe",
        roleId: role.id,
        password: PASSWORD,
        mustChangePassword: false,
      })) as { id: string };
      users.push(u.id);
    }
    probes.push({ roleId: role.id, users, perms: [...probePerms] });
  }
  const victims = (
    await db
      .selectFrom("users")
      .select("id")
      .where("tenant_id", "=", b.tenantId)
      .where("status", "=", "active")
      .where("username", "like", "grace.%")
      .limit(200)
      .execute()
  ).map((x) => x.id);
  const snapshot = await b.app.core.access.snapshot(b.tenantId);
  const qs = queries(snapshot, 50_000, 41, true);
  await b.app.listen({ port: 0, host: "127.0.0.1" });
  const base = `http://127.0.0.1:${(b.app.server.address() as AddressInfo).port}`;
  const headers = { authorization: `Bearer ${b.token}`, "content-type": "application/json" };
  const call = async (method: string, url: string, body?: unknown) => {
    const res = await fetch(base + url, {
      method,
      ...(body
        ? { headers, body: JSON.stringify(body) }
        : { headers: { authorization: headers.authorization } }),
    });
    if (res.status >= 300) throw new Error(`${method} ${url} → ${res.status} ${await res.text()}`);
    return (await res.json()) as { allowed?: boolean };
  };
  // One question in five is about a probe (a permission a write may revoke, or a victim).
  const r = rng(43);
  const question = (i: number): Q => {
    if (i % 5 === 0) {
      const p = pick(r, probes);
      return { userId: pick(r, p.users), permission: pick(r, probePerms) };
    }
    if (i % 5 === 1) return { userId: pick(r, victims), permission: "users.view" };
    return qs[i % qs.length]!;
  };
  // Revocations acknowledged so far: key → the time (performance.now()) the response arrived.
  const revokedAt = new Map<string, number>();
  let violations = 0;
  let verified = 0;
  const checkOne = async (i: number, latencies: number[]) => {
    const q = question(i);
    const start = performance.now();
    const d = await call("POST", "/api/v1/check", q);
    latencies.push(performance.now() - start);
    const probe = probes.find((p) => p.users.includes(q.userId));
    const keys = [`user:${q.userId}`, ...(probe ? [`role:${probe.roleId}:${q.permission}`] : [])];
    for (const k of keys) {
      const at = revokedAt.get(k);
      if (at !== undefined && at < start) {
        verified++;
        if (d.allowed) violations++;
      }
    }
  };
  const alone: number[] = [];
  await load(o.loops, o.seconds, 200_000, (i) => checkOne(i, alone));
  const mixed: number[] = [];
  let writes = 0;
  let probeTurn = 0;
  let victimTurn = 0;
  const res = await load(o.loops, o.seconds * 2, 200_000, async (i) => {
    if (i % 100 !== 99) return checkOne(i, mixed);
    writes++;
    if (writes % 2 === 0 && victimTurn < victims.length) {
      const id = victims[victimTurn++]!;
      await call("POST", `/api/v1/users/${id}/deactivate`);
      revokedAt.set(`user:${id}`, performance.now());
    } else {
      const p = probes[probeTurn++ % probes.length]!;
      const removed = p.perms.shift();
      if (!removed) return;
      await call("PATCH", `/api/v1/roles/${p.roleId}`, { permissions: p.perms });
      revokedAt.set(`role:${p.roleId}:${removed}`, performance.now());
    }
  });
  const p95 = (xs: number[]) =>
    percentile(
      [...xs].sort((a, b) => a - b),
      95,
    );
  console.log(
    `\n(d) 99% checks + 1% writes on ${label} (HTTP, ${o.loops} loops; writes: role PATCH removing a permission, deactivations)`,
  );
  console.log(`  checks alone: ${n0(alone.length)} checks, p95 ${ms(p95(alone))}`);
  console.log(
    `  mix:          ${n0(mixed.length)} checks + ${n0(writes)} writes (${n0(res.rps)} ops/s), check p95 ${ms(p95(mixed))} = ${(p95(mixed) / p95(alone)).toFixed(2)}× (goal ≤ 1.5×)`,
  );
  console.log(
    `  checks made after an acknowledged revocation: ${n0(verified)}, of which allowed: ${violations} (goal 0)`,
  );
  await b.app.close();
}
