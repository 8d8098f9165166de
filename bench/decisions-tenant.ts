/**
 * bench/decisions' synthetic tenant (issue 5): workspaces and roles through the API, then users
 * (seed.ts), per-workspace roles and patient grants by direct SQL; and the questions the benchmark
 * asks (a deterministic PRNG, so every run asks the same ones).
 */
import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import type { PolicySnapshot } from "../packages/core/src/access/policy-snapshot.ts";
import { openDatabase } from "../packages/core/src/index.ts";
import { buildApp, type StaffgateApp } from "../packages/server/src/app.ts";
import { COUNTED_NOT_REFUSED } from "./rate-limits.ts";
import { seedUsers } from "./seed.ts";

export const OPERATOR = "bench-operator-token-0123456789";
export const PASSWORD = "bench-password-long-enough-1";
export const WORKSPACES = 50;
export const ROLES = 200;

/** A small deterministic PRNG (mulberry32), so every run asks the same questions. */
export function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
export const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)]!;

export interface Bench {
  app: StaffgateApp;
  tenantId: string;
  slug: string;
  token: string;
  workspaceIds: string[];
  roleIds: string[];
  inject: (method: "GET" | "POST" | "PATCH", url: string, payload?: unknown) => Promise<unknown>;
}

export async function startApp(url: string): Promise<StaffgateApp> {
  const db = openDatabase(url);
  const app = await buildApp({
    db,
    operatorToken: OPERATOR,
    hasher: { memoryCost: 1024, timeCost: 1 },
    // `--no-rate-limit` measures what the limit's bookkeeping costs (an A/B against the default).
    rateLimits: process.argv.includes("--no-rate-limit") ? false : COUNTED_NOT_REFUSED,
    jobs: false,
  });
  app.addHook("onClose", async () => db.destroy());
  return app;
}

/** A tenant through the API (workspaces, roles), then users, per-workspace roles and grants by SQL. */
export async function seedTenant(
  app: StaffgateApp,
  slug: string,
  users: number,
  grants: number,
): Promise<Bench> {
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
    await app.core.deps.db.allTenants
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
  const db = app.core.deps.db.allTenants;
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
  await sql`ANALYZE`.execute(db);
  app.core.access.forgetSnapshots();
  return { app, tenantId: tenant.id, slug, token, workspaceIds, roleIds, inject };
}

export interface Q {
  userId: string;
  permission: string;
  workspaceId?: string;
  patientRef?: string;
}

/** Questions a clinical application asks: random users, permissions, workspaces; some patients. */
/**
 * `count` questions about random users, permissions, workspaces (and patients); with `activeUsers`,
 * only about that many users, drawn once at random from the tenant (the staff at work at a time).
 */
export function queries(
  snapshot: PolicySnapshot,
  count: number,
  seed: number,
  patients: boolean,
  activeUsers?: number,
): Q[] {
  const r = rng(seed);
  const all = [...snapshot.users.keys()];
  // Without repeats (a partial Fisher-Yates shuffle), so every tenant has that many different users asked about.
  const users = all;
  if (activeUsers !== undefined) {
    for (let i = 0; i < activeUsers && i < all.length - 1; i++) {
      const j = i + Math.floor(r() * (all.length - i));
      [all[i], all[j]] = [all[j]!, all[i]!];
    }
    all.length = Math.min(activeUsers, all.length);
  }
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
