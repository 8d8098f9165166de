/**
 * bench/users-list: on a tenant of 100,000 users, p50/p95 of a filtered, searched page of 50 and
 * of `GET /seats`, over HTTP (in-process inject), on SQLite and on PostgreSQL.
 * Run: npm run bench:users-list [-- --users 100000 --runs 200]
 */
import { sql } from "kysely";
import { onBothDatabases, seedUsers, startBenchTenant } from "./seed.ts";
import { fmt, measure } from "./stats.ts";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const USERS = arg("users", 100_000);
const RUNS = arg("runs", 200);

async function run(label: string, url: string): Promise<void> {
  const { app, db, tenantId, session: token } = await startBenchTenant(url);
  const inject = async (method: "GET" | "POST", u: string, bearer: string) => {
    const res = await app.inject({ method, url: u, headers: { authorization: `Bearer ${bearer}` } });
    if (res.statusCode >= 300) throw new Error(`${method} ${u} → ${res.statusCode} ${res.body}`);
    return res.json();
  };
  const seedStart = Date.now();
  await seedUsers(app, tenantId, USERS);
  // Fresh statistics, as autovacuum or a periodic ANALYZE gives a long-running deployment.
  await sql`${sql.raw(db.dialect === "postgres" ? "VACUUM ANALYZE" : "ANALYZE")}`.execute(
    app.core.deps.db.allTenants,
  );
  const seeded = Date.now() - seedStart;
  const roles = await app.core.deps.db.allTenants
    .selectFrom("roles")
    .select("id")
    .where("tenant_id", "=", tenantId)
    .execute();
  const terms = [
    "lovelace1",
    "hopper",
    "grace.turing",
    "emp4242",
    "knuth99",
    "zzz-no-match",
    "ada",
    "wirth12",
  ];
  const role = (i: number) => roles[i % roles.length]!.id;
  const term = (i: number) => encodeURIComponent(terms[i % terms.length]!);
  const cases: [string, (i: number) => string][] = [
    ["searched page of 50 (status + q)", (i) => `/api/v1/users?status=active&q=${term(i)}&limit=50`],
    [
      "filtered, searched page (workRole + virtual + q)",
      (i) => `/api/v1/users?status=active&workRole=Nurse&virtual=false&q=${term(i * 3)}&limit=50`,
    ],
    [
      "filtered by role (formal or per-workspace)",
      (i) => `/api/v1/users?status=active&roleId=${role(i)}&limit=50`,
    ],
    [
      "filtered by role + workRole + one-letter q (scan)",
      (i) => `/api/v1/users?status=active&roleId=${role(i)}&workRole=Nurse&q=${"aegk"[i % 4]}&limit=50`,
    ],
    ["first page, default sort", () => "/api/v1/users?limit=50"],
    ["GET /seats", () => "/api/v1/seats"],
    ["GET /auth/me (the per-request floor)", () => "/api/v1/auth/me"],
  ];
  console.log(
    `\n${label}: ${USERS.toLocaleString()} users seeded in ${(seeded / 1000).toFixed(1)} s, ${RUNS} runs each`,
  );
  for (const [name, url] of cases) {
    const r = await measure(RUNS, async (i) => {
      await inject("GET", url(i), token);
    });
    console.log(`  ${name.padEnd(52)} p50 ${fmt(r.p50).padStart(10)}  p95 ${fmt(r.p95).padStart(10)}`);
  }
  await app.close();
  await db.destroy();
}

await onBothDatabases(run, "sg_bench_users");
