/**
 * bench/decisions (issue 5): the cost of a decision, one run, printing its numbers.
 *  (a) in-process decide() over the policy snapshot vs casbin enforceSync() (RBAC with domains, same
 *      answers, agreement checked) vs a bare Map.get loop;
 *  (b) HTTP on 127.0.0.1 (real listen, plain concurrent fetch loops): POST /check vs GET /healthz,
 *      and check/batch of 100 (decisions/s), with p50/p99, on SQLite and PostgreSQL;
 *  (c) decisions/s for tenants of 1,000, 10,000 and 100,000 users;
 *  (d) 99% checks + 1% writes (role PATCH removing a permission, deactivations): p95 under the mix
 *      vs checks alone, and no check allowed after its revocation was acknowledged.
 * Synthetic tenant: 10,000 users, 200 roles, 50 workspaces, 100,000 patient grants (direct SQL).
 * Run: npm run bench:decisions [-- --seconds 3 --concurrency 16]
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { newEnforcer, newModelFromString, StringAdapter } from "casbin";
import { sql } from "kysely";
import pg from "pg";
import { decide } from "../packages/core/src/access/decision.rules.ts";
import type { PolicySnapshot } from "../packages/core/src/access/policy-snapshot.ts";
import { decideFromSnapshot } from "../packages/core/src/access/snapshot-decide.ts";
import { openDatabase } from "../packages/core/src/index.ts";
import { buildApp, type StaffgateApp } from "../packages/server/src/app.ts";
import { seedUsers } from "./seed.ts";
import { percentile } from "./stats.ts";

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
const CONCURRENCY = arg("concurrency", 16);
const OPERATOR = "bench-operator-token-0123456789";
const PASSWORD = "bench-password-long-enough-1";
const PG_URL = process.env.STAFFGATE_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const WORKSPACES = 50;
const ROLES = 200;
const GRANTS = 100_000;

/** A small deterministic PRNG (mulberry32), so every run asks the same questions. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)]!;
const n0 = (x: number) => Math.round(x).toLocaleString("en-US");
const ms = (x: number) => `${x.toFixed(2)} ms`;

interface Bench {
  app: StaffgateApp;
  tenantId: string;
  slug: string;
  token: string;
  workspaceIds: string[];
  roleIds: string[];
  inject: (method: "GET" | "POST" | "PATCH", url: string, payload?: unknown) => Promise<unknown>;
}

async function startApp(url: string): Promise<StaffgateApp> {
  const db = openDatabase(url);
  const app = await buildApp({
    db,
    operatorToken: OPERATOR,
    hasher: { memoryCost: 1024, timeCost: 1 },
    jobs: false,
  });
  app.addHook("onClose", async () => db.destroy());
  return app;
}

/** A tenant through the API (workspaces, roles), then users, per-workspace roles and grants by SQL. */
async function seedTenant(app: StaffgateApp, slug: string, users: number, grants: number): Promise<Bench> {
  const req = async (method: "GET" | "POST" | "PATCH", url: string, token: string, payload?: unknown) => {
    const res = await app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(payload ? { payload: payload as object } : {}),
    });
    if (res.statusCode >= 300) throw new Error(`${method} ${url} → ${res.statusCode} ${res.body}`);
    return res.body ? res.json() : undefined;
  };
  const tenant = (await req("POST", "/api/v1/tenants", OPERATOR, {
    slug,
    name: slug,
    admin: {
      username: "admin",
      email: `admin@${slug}.example`,
      firstName: "B",
      lastName: "A",
      password: PASSWORD,
    },
  })) as { id: string };
  const login = await app.inject({
    method: "POST",
    url: "/api/v1/auth/login",
    payload: { tenant: slug, login: "admin", password: PASSWORD },
  });
  const token = (login.json() as { token: string }).token;
  const inject = (method: "GET" | "POST" | "PATCH", url: string, payload?: unknown) =>
    req(method, url, token, payload);
  const workspaceIds: string[] = [];
  for (let w = 0; w < WORKSPACES; w++) {
    workspaceIds.push(
      ((await inject("POST", "/api/v1/workspaces", { slug: `ws-${w}`, name: `W${w}` })) as { id: string }).id,
    );
  }
  // 200 roles (the preset's 5 + 195): tenant-level grants, workspace rows, collaborators of both kinds.
  const r = rng(7);
  const tenantOnly = [
    "custom_metrics.manage",
    "scorecard_templates.manage",
    "renaming_rules.manage",
    "checklist_templates.manage",
    "users.view",
    "audit.view",
  ];
  const patient = [
    "patients.read",
    "patients.phi",
    "patients.write",
    "patients.contour",
    "patients.download_dicom",
    "patients.delete",
  ];
  const collections = ["collections.read", "collections.write", "collections.delete"];
  const existing = (
    await app.core.deps.db.kysely
      .selectFrom("roles")
      .select("id")
      .where("tenant_id", "=", tenant.id)
      .execute()
  ).length;
  for (let i = 0; i < ROLES - existing; i++) {
    const kind = i % 10;
    const rows = (count: number, perms: string[], collaborator: boolean) =>
      [...new Set(Array.from({ length: count }, () => pick(r, workspaceIds)))].map((workspaceId) => ({
        workspaceId,
        permissions: [pick(r, perms), pick(r, perms)],
        collaborator,
      }));
    const body =
      kind === 0
        ? { permissions: [pick(r, patient), pick(r, tenantOnly)], collaborator: true, workspaces: [] }
        : kind === 1
          ? { permissions: [pick(r, tenantOnly)], collaborator: false, workspaces: rows(3, patient, true) }
          : {
              permissions: [
                pick(r, tenantOnly),
                pick(r, patient),
                ...(kind % 2 ? [pick(r, collections)] : []),
              ],
              collaborator: false,
              workspaces: rows(4, [...patient, ...collections], false),
            };
    await inject("POST", "/api/v1/roles", { name: `Bench role ${i}`, ...body });
  }
  await seedUsers(app, tenant.id, users);
  const db = app.core.deps.db.kysely;
  const roleIds = (
    await db.selectFrom("roles").select("id").where("tenant_id", "=", tenant.id).execute()
  ).map((x) => x.id);
  const userIds = (
    await db
      .selectFrom("users")
      .select("id")
      .where("tenant_id", "=", tenant.id)
      .where("username", "!=", "admin")
      .execute()
  ).map((x) => x.id);
  const batch = app.core.deps.db.dialect === "postgres" ? 1000 : 400;
  // Per-workspace roles for one user in ten.
  const wsRoles = [];
  for (let i = 0; i < userIds.length; i += 10) {
    for (const workspaceId of new Set([pick(r, workspaceIds), pick(r, workspaceIds)])) {
      wsRoles.push({
        tenant_id: tenant.id,
        user_id: userIds[i]!,
        workspace_id: workspaceId,
        role_id: pick(r, roleIds),
      });
    }
  }
  for (let i = 0; i < wsRoles.length; i += batch) {
    await db
      .insertInto("user_workspace_roles")
      .values(wsRoles.slice(i, i + batch))
      .execute();
  }
  // Patient grants: a quarter for one workspace, a tenth with an expiry (half of those passed).
  const now = Date.now();
  const created = new Date(now).toISOString();
  for (let start = 0; start < grants; start += batch) {
    const rows = [];
    for (let i = start; i < Math.min(grants, start + batch); i++) {
      rows.push({
        tenant_id: tenant.id,
        id: `pgr_${randomBytes(12).toString("base64url")}`,
        user_id: userIds[(i * 7919) % userIds.length]!,
        patient_ref: `PAT-${i % Math.max(1, Math.floor(grants / 4))}`,
        workspace_id: i % 4 === 0 ? workspaceIds[i % workspaceIds.length]! : null,
        granted_by: null,
        reason: "bench",
        expires_at:
          i % 10 === 0 ? new Date(now + (i % 20 === 0 ? -3_600_000 : 3_600_000)).toISOString() : null,
        created_at: created,
      });
    }
    await db.insertInto("patient_grants").values(rows).execute();
  }
  await sql`${sql.raw(app.core.deps.db.dialect === "postgres" ? "ANALYZE" : "ANALYZE")}`.execute(db);
  app.core.access.forgetSnapshots();
  return { app, tenantId: tenant.id, slug, token, workspaceIds, roleIds, inject };
}

interface Q {
  userId: string;
  permission: string;
  workspaceId?: string;
  patientRef?: string;
}

/** Questions a clinical application asks: random users, permissions, workspaces; some patients. */
function queries(snapshot: PolicySnapshot, count: number, seed: number, patients: boolean): Q[] {
  const r = rng(seed);
  const users = [...snapshot.users.keys()];
  const perms = snapshot.catalog.permissions.map((p) => p.key);
  const ws = [...snapshot.workspaces];
  const out: Q[] = [];
  for (let i = 0; i < count; i++) {
    const q: Q = { userId: pick(r, users), permission: pick(r, perms) };
    if (r() < 0.7) q.workspaceId = pick(r, ws);
    if (patients && r() < 0.2) q.patientRef = `PAT-${Math.floor(r() * 25_000)}`;
    out.push(q);
  }
  return out;
}

const factsOf = (snapshot: PolicySnapshot, q: Q, now: string) => ({
  catalog: snapshot.catalog,
  now,
  user: snapshot.users.get(q.userId)?.decision,
  viaApiToken: false,
  ...(q.workspaceId ? { workspaceExists: snapshot.workspaces.has(q.workspaceId) } : {}),
  patientGrants: [],
  emergencies: [],
});

/**
 * Decisions per second over a snapshot, for about `seconds`: `memo` uses the production entry point
 * (decideFromSnapshot, the per-user memo, falling back to decide() with facts); otherwise the pure
 * decide() from scratch every time.
 */
function decideRate(snapshot: PolicySnapshot, qs: readonly Q[], seconds: number, memo = false): number {
  const now = new Date().toISOString();
  let done = 0;
  let allowed = 0;
  const end = performance.now() + seconds * 1000;
  const start = performance.now();
  while (performance.now() < end && done < 200_000_000) {
    for (let i = 0; i < qs.length; i++) {
      const q = qs[i]!;
      const d =
        (memo ? decideFromSnapshot(snapshot, q, now) : undefined) ??
        decide(factsOf(snapshot, q, now), q, { steps: false });
      if (d.allowed) allowed++;
    }
    done += qs.length;
  }
  if (allowed < 0) console.log(allowed);
  return done / ((performance.now() - start) / 1000);
}

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
  // Bare Map.get over the same users.
  let found = 0;
  let gets = 0;
  const mStart = performance.now();
  const mEnd = mStart + SECONDS * 1000;
  while (performance.now() < mEnd && gets < 1_000_000_000) {
    for (let i = 0; i < qs.length; i++) if (snapshot.users.get(qs[i]!.userId) !== undefined) found++;
    gets += qs.length;
  }
  const mapRate = gets / ((performance.now() - mStart) / 1000);
  const pureR = decideRate(snapshot, qs, SECONDS);
  decideRate(snapshot, qs, 0.5, true); // warm the memo, as a serving instance's would be
  const decideR = decideRate(snapshot, qs, SECONDS, true);
  let cDone = 0;
  const cStart = performance.now();
  const cEnd = cStart + SECONDS * 1000;
  while (performance.now() < cEnd && cDone < qs.length) {
    casbin.enforce(qs[cDone]!);
    cDone++;
  }
  const casbinRate = cDone / ((performance.now() - cStart) / 1000);
  console.log(`  decide(), pure, from scratch each time: ${n0(pureR).padStart(12)} /s`);
  console.log(`  decision, production path (memo):      ${n0(decideR).padStart(12)} /s`);
  console.log(
    `  casbin enforceSync:  ${n0(casbinRate).padStart(12)} /s   decide() = ${(decideR / casbinRate).toFixed(0)}× casbin (goal ≥ 100×)`,
  );
  console.log(
    `  bare Map.get loop:   ${n0(mapRate).padStart(12)} /s   decide() = ${((100 * decideR) / mapRate).toFixed(1)}% of it (goal ≥ 20%)${found < 0 ? "!" : ""}`,
  );
}

/** `concurrency` fetch loops for about `seconds` (and at most `maxRequests`); latencies in ms. */
async function load(
  seconds: number,
  maxRequests: number,
  one: (i: number) => Promise<void>,
): Promise<{ rps: number; p50: number; p95: number; p99: number; count: number; samples: number[] }> {
  const samples: number[] = [];
  let next = 0;
  const end = performance.now() + seconds * 1000;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
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

async function http(b: Bench, label: string): Promise<void> {
  await b.app.listen({ port: 0, host: "127.0.0.1" });
  const base = `http://127.0.0.1:${(b.app.server.address() as AddressInfo).port}`;
  const headers = { authorization: `Bearer ${b.token}`, "content-type": "application/json" };
  const snapshot = await b.app.core.access.snapshot(b.tenantId);
  const qs = queries(snapshot, 50_000, 23, true);
  const post = async (url: string, body: unknown) => {
    const res = await fetch(base + url, { method: "POST", headers, body: JSON.stringify(body) });
    if (res.status !== 200) throw new Error(`${url} → ${res.status} ${await res.text()}`);
    return res.json() as Promise<unknown>;
  };
  // Warm up (JIT, pools, snapshot).
  for (let i = 0; i < 200; i++) await post("/api/v1/check", qs[i]);
  const healthz = await load(SECONDS, 500_000, async () => {
    const res = await fetch(`${base}/healthz`);
    await res.arrayBuffer();
  });
  const check = await load(SECONDS, 500_000, async (i) => {
    await post("/api/v1/check", qs[i % qs.length]);
  });
  const batches = await load(SECONDS, 100_000, async (i) => {
    const from = (i * 100) % (qs.length - 100);
    await post("/api/v1/check/batch", { checks: qs.slice(from, from + 100) });
  });
  console.log(
    `\n(b) HTTP on ${label} (127.0.0.1, ${CONCURRENCY} concurrent fetch loops, ${SECONDS} s each; 20% of checks name a patient)`,
  );
  const row = (name: string, r: { rps: number; p50: number; p99: number }, extra = "") =>
    console.log(
      `  ${name.padEnd(22)} ${n0(r.rps).padStart(8)} req/s  p50 ${ms(r.p50).padStart(9)}  p99 ${ms(r.p99).padStart(9)}${extra}`,
    );
  row("GET /healthz", healthz);
  row("POST /check", check, `   = ${((100 * check.rps) / healthz.rps).toFixed(0)}% of healthz (goal ≥ 60%)`);
  row(
    "POST /check/batch ×100",
    batches,
    `   = ${n0(batches.rps * 100)} decisions/s (goal ≥ 200,000 on SQLite)`,
  );
  await b.app.close();
}

async function scaling(app: StaffgateApp): Promise<void> {
  console.log(
    "\n(c) cost as the tenant grows (SQLite; 10,000 grants each; in-process decide() and HTTP check/batch ×100)",
  );
  for (const users of [1_000, 10_000, 100_000]) {
    const b = await seedTenant(app, `scale-${users}`, users, 10_000);
    const snapshot = await b.app.core.access.snapshot(b.tenantId);
    const qs = queries(snapshot, 100_000, 31, false);
    const rate = decideRate(snapshot, qs, SECONDS);
    const hq = queries(snapshot, 20_000, 37, true);
    const r = await load(SECONDS, 50_000, async (i) => {
      const from = (i * 100) % (hq.length - 100);
      await b.inject("POST", "/api/v1/check/batch", { checks: hq.slice(from, from + 100) });
    });
    console.log(
      `  ${n0(users).padStart(7)} users: decide() ${n0(rate).padStart(11)} /s   check/batch ×100 (inject) ${n0(r.rps * 100).padStart(8)} decisions/s  p50 ${ms(r.p50)}`,
    );
  }
}

/** 99% checks and 1% writes (revocations), against checks alone; no check allowed after its revocation. */
async function mix(b: Bench, label: string): Promise<void> {
  const db = b.app.core.deps.db.kysely;
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
  await load(SECONDS, 200_000, (i) => checkOne(i, alone));
  const mixed: number[] = [];
  let writes = 0;
  let probeTurn = 0;
  let victimTurn = 0;
  const res = await load(SECONDS * 2, 200_000, async (i) => {
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
    `\n(d) 99% checks + 1% writes on ${label} (HTTP, ${CONCURRENCY} loops; writes: role PATCH removing a permission, deactivations)`,
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

async function runOn(label: string, url: string, full: boolean): Promise<void> {
  const t0 = Date.now();
  const app = await startApp(url);
  const b = await seedTenant(app, "bench", 10_000, GRANTS);
  console.log(
    `\n=== ${label}: 10,000 users, ${ROLES} roles, ${WORKSPACES} workspaces, ${n0(GRANTS)} grants seeded in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
  if (full && part("inprocess")) await inProcess(b);
  if (part("http")) await http(b, label);
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
  if (part("mix")) await mix(b2, label);
  if (full && part("scaling")) {
    const app3 = await startApp(url);
    await scaling(app3);
    await app3.close();
  }
}

const dir = mkdtempSync(path.join(tmpdir(), "sg-bench-decisions-"));
try {
  await runOn("SQLite", path.join(dir, "bench.db"), true);
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
