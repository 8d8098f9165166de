/**
 * bench/decisions (issue 5): the cost of a decision, one run, printing its numbers.
 *  (a) in-process decide() over the policy snapshot vs casbin enforceSync() (RBAC with domains, same
 *      answers, agreement checked) vs a bare Map.get loop;
 *  (b) HTTP on 127.0.0.1 (decisions-http.ts: a real listening server alone in this process, the
 *      load from a child process): POST /check vs GET /healthz, and check/batch of 100
 *      (decisions/s), with p50/p99, on SQLite and PostgreSQL;
 *  (c) decisions/s for tenants of 1,000, 10,000 and 100,000 users;
 *  (d) 99% checks + 1% writes (role PATCH removing a permission, deactivations): p95 under the mix
 *      vs checks alone, and no check allowed after its revocation was acknowledged.
 * Synthetic tenant (decisions-tenant.ts): 10,000 users, 200 roles, 50 workspaces, 100,000 patient
 * grants (direct SQL).
 * Run: npm run bench:decisions [-- --seconds 3 --rounds 3 --concurrency 16 --no-rate-limit --only http,scaling
 *      --sqlite --postgres --profile /tmp/p --no-compare]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { newEnforcer, newModelFromString, StringAdapter } from "casbin";
import pg from "pg";
import { decide } from "../packages/core/src/access/decision.rules.ts";
import type { PolicySnapshot } from "../packages/core/src/access/policy-snapshot.ts";
import { http } from "./decisions-http.ts";
import { factsOf, pathVsMap, pureRate } from "./decisions-inprocess.ts";
import { mix } from "./decisions-mix.ts";
import { scaling } from "./decisions-scaling.ts";
import { type Bench, type Q, queries, ROLES, seedTenant, startApp, WORKSPACES } from "./decisions-tenant.ts";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const SECONDS = arg("seconds", 3);
/** `--only inprocess,http,mix,scaling` runs those parts; `--sqlite` skips PostgreSQL. */
const ONLY = (() => {
  const i = process.argv.indexOf("--only");
  return i > 0 ? new Set((process.argv[i + 1] ?? "").split(",")) : null;
})();
const part = (name: string) => ONLY === null || ONLY.has(name);
const SQLITE_ONLY = process.argv.includes("--sqlite");
/** `--postgres` skips SQLite (PostgreSQL's figures without the JIT state SQLite's run leaves). */
const POSTGRES_ONLY = process.argv.includes("--postgres");
const CONCURRENCY = arg("concurrency", 16);
const ROUNDS = arg("rounds", 3);
const PROFILE = (() => {
  const i = process.argv.indexOf("--profile");
  return i > 0 ? process.argv[i + 1] : undefined;
})();
const PG_URL = process.env.STAFFGATE_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const GRANTS = 100_000;

const n0 = (x: number) => Math.round(x).toLocaleString("en-US");

/**
 * The same tenant as casbin RBAC with domains: grouping (user, role that applies, domain) and
 * p(role, domain, permission). casbin 5.9.0's built-in g() is async (it returns a Promise), and
 * enforceSync() takes that Promise as true, so every subject would match (seen in this bench: every
 * answer "allowed"). The matcher therefore calls gs(), a synchronous g over the same grouping lines.
 */
async function casbinOf(snapshot: PolicySnapshot) {
  const model = newModelFromString(`
[request_definition]
r = sub, dom, obj
[policy_definition]
p = sub, dom, obj
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = gs(r.sub, p.sub, r.dom) && r.dom == p.dom && r.obj == p.obj
`);
  const grouping = new Map<string, string>();
  const cat = snapshot.catalog;
  const TENANT = "tenant";
  const lines: string[] = [];
  const closure = (keys: readonly string[]) => new Set(keys.flatMap((k) => [...(cat.closure.get(k) ?? [k])]));
  // What holds with no patient named: a collaborator scope keeps neither patient-scoped nor forbidden ones.
  const keep = (keys: Set<string>, collaborator: boolean) =>
    [...keys].filter((k) => {
      const p = cat.byKey.get(k)!;
      return !collaborator || (p.collaborator !== "forbidden" && !p.patientScoped);
    });
  for (const role of snapshot.roles.values()) {
    const tenantKeys = closure(role.permissions);
    for (const k of keep(tenantKeys, role.collaborator)) lines.push(`p, ${role.id}, ${TENANT}, ${k}`);
    for (const ws of snapshot.workspaces) {
      const row = role.workspaces.find((w) => w.workspaceId === ws);
      const granted = new Set(
        keep(tenantKeys, role.collaborator).filter((k) => cat.byKey.get(k)!.scope !== "tenant"),
      );
      if (row) {
        for (const k of keep(closure(row.permissions), row.collaborator))
          if (!tenantKeys.has(k)) granted.add(k);
      }
      for (const k of granted) lines.push(`p, ${role.id}, ${ws}, ${k}`);
    }
  }
  const now = new Date().toISOString();
  for (const u of snapshot.users.values()) {
    const d = u.decision;
    if (d.status !== "active" || d.virtual || (d.expiresAt !== null && d.expiresAt <= now)) continue;
    grouping.set(`${u.id}\n${TENANT}`, u.roleId);
    for (const ws of snapshot.workspaces) {
      if (!u.workspaceAccessAll && !u.workspaces.includes(ws)) continue;
      grouping.set(`${u.id}\n${ws}`, u.workspaceRoles.get(ws) ?? u.roleId);
    }
  }
  const e = await newEnforcer(model, new StringAdapter(lines.join("\n")));
  await e.addFunction(
    "gs",
    (user: string, role: string, dom: string) => grouping.get(`${user}\n${dom}`) === role,
  );
  // Tenant-only permissions ignore the workspace (the caller maps the request, as decide() does).
  const enforce = (q: Q) =>
    e.enforceSync(
      q.userId,
      cat.byKey.get(q.permission)?.scope === "tenant" || !q.workspaceId ? TENANT : q.workspaceId,
      q.permission,
    );
  return { enforce, lines: lines.length + grouping.size };
}

async function inProcess(b: Bench): Promise<void> {
  const snapshot = await b.app.core.access.snapshot(b.tenantId);
  const qs = queries(snapshot, 100_000, 11, false);
  const now = new Date().toISOString();
  console.log("\n(a) in-process, one decision at a time (no patient: casbin has no patient grants)");
  const t0 = performance.now();
  const casbin = await casbinOf(snapshot);
  console.log(
    `  casbin model: ${n0(casbin.lines)} policy + grouping lines, loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  let agree = 0;
  let allowed = 0;
  const sample = qs.slice(0, 3_000);
  const sampleEnd = performance.now() + 20_000;
  let compared = 0;
  for (const q of sample) {
    if (performance.now() > sampleEnd) break;
    compared++;
    const a = decide(factsOf(snapshot, q, now), q, { steps: false }).allowed;
    if (a === casbin.enforce(q)) agree++;
    if (a) allowed++;
  }
  console.log(`  agreement decide() vs casbin: ${n0(agree)}/${n0(compared)} (${n0(allowed)} allowed)`);
  const pureR = pureRate(snapshot, qs, SECONDS);
  // The production path and a bare Map.get over the same users, in the same order, alternating.
  const compare = pathVsMap(snapshot, qs);
  compare.warm();
  for (let r = 0; r < ROUNDS; r++) compare.round(SECONDS);
  const vs = compare.result();
  let cDone = 0;
  const cStart = performance.now();
  const cEnd = cStart + SECONDS * 1000;
  while (performance.now() < cEnd && cDone < qs.length) {
    casbin.enforce(qs[cDone]!);
    cDone++;
  }
  const casbinRate = cDone / ((performance.now() - cStart) / 1000);
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  console.log(`  decide(), pure, from scratch each time: ${n0(pureR).padStart(12)} /s`);
  console.log(`  decision, production path (tables):    ${n0(vs.decisions).padStart(12)} /s`);
  console.log(
    `  casbin enforceSync:  ${n0(casbinRate).padStart(12)} /s   decision = ${(vs.decisions / casbinRate).toFixed(0)}× casbin (goal ≥ 100×)`,
  );
  console.log(
    `  bare Map.get loop:   ${n0(vs.mapGets).padStart(12)} /s   decision = ${pct(vs.decisions / vs.mapGets)} of it (goal ≥ 20%); by round ${vs.shares.map(pct).join(", ")}; ${ROUNDS} rounds × ${SECONDS} s each, alternating; others ${Math.round(100 * vs.others)}%`,
  );
}

async function runOn(label: string, url: string, full: boolean): Promise<void> {
  const t0 = Date.now();
  const app = await startApp(url);
  const b = await seedTenant(app, "bench", 10_000, GRANTS);
  console.log(
    `\n=== ${label}: 10,000 users, ${ROLES} roles, ${WORKSPACES} workspaces, ${n0(GRANTS)} grants seeded in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
  if (full && part("inprocess")) await inProcess(b);
  if (part("http"))
    await http(b, label, {
      seconds: SECONDS,
      rounds: ROUNDS,
      loops: CONCURRENCY,
      profile: PROFILE ? `${PROFILE}-${label.toLowerCase()}` : undefined,
      compareFetch: !process.argv.includes("--no-compare"),
    });
  // A fresh app per phase (an app listens once), on the same database.
  const app2 = await startApp(url);
  const b2: Bench = {
    ...b,
    app: app2,
    inject: async (method, u, payload) => {
      const res = await app2.inject({
        method,
        url: u,
        headers: { authorization: `Bearer ${b.token}` },
        ...(payload ? { payload: payload as object } : {}),
      });
      if (res.statusCode >= 300) throw new Error(`${method} ${u} → ${res.statusCode} ${res.body}`);
      return res.json();
    },
  };
  if (part("mix")) await mix(b2, label, { seconds: SECONDS, loops: CONCURRENCY });
  if (part("scaling")) {
    const app3 = await startApp(url);
    await scaling(app3, label, { seconds: SECONDS, rounds: ROUNDS, loops: CONCURRENCY });
    await app3.close();
  }
}

const dir = mkdtempSync(path.join(tmpdir(), "sg-bench-decisions-"));
try {
  if (!POSTGRES_ONLY) await runOn("SQLite", path.join(dir, "bench.db"), true);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const admin = new pg.Client({ connectionString: PG_URL });
try {
  if (SQLITE_ONLY) throw new Error("--sqlite");
  await admin.connect();
  await admin.query("DROP DATABASE IF EXISTS sg_bench_decisions WITH (FORCE)");
  await admin.query("CREATE DATABASE sg_bench_decisions");
  await runOn("PostgreSQL", PG_URL.replace(/\/[^/]*$/, "/sg_bench_decisions"), false);
  await admin.query("DROP DATABASE IF EXISTS sg_bench_decisions WITH (FORCE)").catch(() => undefined);
} catch (error) {
  console.log(`\nPostgreSQL: failed or skipped (${error instanceof Error ? error.message : String(error)})`);
} finally {
  await admin.end().catch(() => undefined);
}
