/** Seeds a synthetic tenant for benchmarks straight into the database (fast, batched). */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { type Db, openDatabase } from "../packages/core/src/index.ts";
import { buildApp, type StaffgateApp } from "../packages/server/src/app.ts";
import { COUNTED_NOT_REFUSED } from "./rate-limits.ts";

const OPERATOR = "bench-operator-token-0123456789";
const PASSWORD = "bench-password-long-enough-1";

export interface BenchTenant {
  readonly app: StaffgateApp;
  readonly db: Db;
  readonly tenantId: string;
  /** The tenant's administrator, signed in. */
  readonly session: string;
}

/**
 * The HTTP benchmarks' starting point: the server on `url` (cheap hashing, the rate limit counted
 * but never refusing), tenant "bench" made by the operator, its administrator signed in, and 20
 * workspaces. The caller seeds users (seedUsers) and destroys `db` when done.
 */
export async function startBenchTenant(url: string): Promise<BenchTenant> {
  const db = openDatabase(url);
  const app = await buildApp({
    db,
    operatorToken: OPERATOR,
    hasher: { memoryCost: 1024, timeCost: 1 },
    rateLimits: COUNTED_NOT_REFUSED,
  });
  const post = async (u: string, token: string, payload: object) => {
    const res = await app.inject({
      method: "POST",
      url: u,
      headers: { authorization: `Bearer ${token}` },
      payload,
    });
    if (res.statusCode >= 300) throw new Error(`POST ${u} → ${res.statusCode} ${res.body}`);
    return res.json();
  };
  const tenant = await post("/api/v1/tenants", OPERATOR, {
    slug: "bench",
    name: "Bench",
    admin: {
      username: "admin",
      email: "admin@bench.example",
      firstName: "B",
      lastName: "A",
      password: PASSWORD,
    },
  });
  const signIn = await app.inject({
    method: "POST",
    url: "/api/v1/auth/login",
    payload: { tenant: "bench", login: "admin", password: PASSWORD },
  });
  const session = signIn.json().token as string;
  for (let w = 0; w < 20; w++)
    await post("/api/v1/workspaces", session, { slug: `ws-${w}`, name: `Workspace ${w}` });
  return { app, db, tenantId: tenant.id as string, session };
}

const FIRST = [
  "Ada",
  "Grace",
  "Alan",
  "Edsger",
  "Barbara",
  "Donald",
  "Frances",
  "John",
  "Margaret",
  "Niklaus",
  "Radia",
  "Ken",
  "Leslie",
  "Tony",
  "Lynn",
  "Dennis",
];
const LAST = [
  "Lovelace",
  "Hopper",
  "Turing",
  "Dijkstra",
  "Liskov",
  "Knuth",
  "Allen",
  "McCarthy",
  "Hamilton",
  "Wirth",
  "Perlman",
  "Thompson",
  "Lamport",
  "Hoare",
  "Conway",
  "Ritchie",
];
const WORK_ROLES = [
  "Radiation Oncologist",
  "Medical Physicist",
  "Dosimetrist",
  "Radiation Therapist",
  "Nurse",
  "Administrative",
];

export interface SeededTenant {
  readonly tenantId: string;
  readonly slug: string;
  readonly roleIds: string[];
  readonly workspaceIds: string[];
}

/** Adds `users` users (10% inactive, 2% virtual, 3% archived) to a tenant created through the API. */
export async function seedUsers(app: StaffgateApp, tenantId: string, users: number): Promise<void> {
  const db = app.core.deps.db.allTenants;
  const roles = await db.selectFrom("roles").select("id").where("tenant_id", "=", tenantId).execute();
  const workspaces = await db
    .selectFrom("workspaces")
    .select("id")
    .where("tenant_id", "=", tenantId)
    .execute();
  const now = new Date().toISOString();
  const batch = app.core.deps.db.dialect === "postgres" ? 1000 : 500;
  for (let start = 0; start < users; start += batch) {
    const rows = [];
    const access = [];
    for (let i = start; i < Math.min(users, start + batch); i++) {
      const first = FIRST[i % FIRST.length]!;
      const last = `${LAST[(i * 7) % LAST.length]}${i}`;
      const username = `${first.toLowerCase()}.${last.toLowerCase()}`;
      const email = `${username}@bench.example`;
      const status = i % 33 === 0 ? "archived" : i % 10 === 0 ? "inactive" : "active";
      const id = `usr_${randomBytes(16).toString("base64url")}`;
      const allWorkspaces = i % 4 !== 0;
      rows.push({
        tenant_id: tenantId,
        id,
        username,
        username_key: username,
        email,
        email_key: email,
        first_name: first,
        last_name: last,
        initials: `${first[0]}${last[0]}`,
        display_name: `${first} ${last}`,
        sort_name: `${last} ${first}`.toLowerCase(),
        search_text: `${first} ${last} ${username} ${email} emp${i}`.toLowerCase(),
        phone: "",
        work_role: WORK_ROLES[i % WORK_ROLES.length]!,
        professional_id: null,
        prescriber_id: null,
        qualifications: null,
        areas_of_expertise: null,
        employee_number: `emp${i}`,
        title: null,
        role_id: roles[i % roles.length]!.id,
        workspace_access_all: allWorkspaces ? (1 as const) : (0 as const),
        virtual: i % 50 === 0 ? (1 as const) : (0 as const),
        expires_at: null,
        status: status as "active",
        archived_from: status === "archived" ? "active" : null,
        locked: i % 97 === 0 ? (1 as const) : (0 as const),
        locked_until: null,
        failed_attempts: 0,
        must_change_password: 0 as const,
        mfa_enrolled: 0 as const,
        password_hash: null,
        last_login_at: i % 3 === 0 ? null : new Date(Date.parse(now) - (i % 365) * 86_400_000).toISOString(),
        created_at: now,
        created_by: null,
        updated_at: now,
        version: 1,
      });
      if (!allWorkspaces && workspaces.length > 0) {
        access.push({
          tenant_id: tenantId,
          user_id: id,
          workspace_id: workspaces[i % workspaces.length]!.id,
        });
      }
    }
    await db.insertInto("users").values(rows).execute();
    if (access.length > 0) await db.insertInto("user_workspaces").values(access).execute();
  }
}

const PG_URL = process.env.STAFFGATE_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/**
 * Runs a benchmark on a temporary SQLite file, then on a temporary PostgreSQL database named
 * `pgDatabase` when PostgreSQL is reachable (dropped afterwards); `--sqlite` or `--postgres` on
 * the command line runs it on that one only. Only an unreachable server is reported as skipped;
 * a failure in the run itself propagates.
 */
export async function onBothDatabases(
  run: (label: string, url: string) => Promise<void>,
  pgDatabase: string,
): Promise<void> {
  if (!process.argv.includes("--postgres")) {
    const dir = mkdtempSync(path.join(tmpdir(), "sg-bench-"));
    try {
      await run("SQLite", path.join(dir, "bench.db"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (process.argv.includes("--sqlite")) return;
  const admin = new pg.Client({ connectionString: PG_URL });
  try {
    await admin.connect();
  } catch (error) {
    console.log(`\nPostgreSQL: skipped (${error instanceof Error ? error.message : String(error)})`);
    return;
  }
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${pgDatabase} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${pgDatabase}`);
    await run("PostgreSQL", PG_URL.replace(/\/[^/]*$/, `/${pgDatabase}`));
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${pgDatabase} WITH (FORCE)`).catch(() => undefined);
    await admin.end().catch(() => undefined);
  }
}
