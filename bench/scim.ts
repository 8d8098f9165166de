/**
 * bench/scim: on a tenant of 10,000 users (seed.ts), p50/p95 of SCIM 2.0 requests as an identity
 * provider sends them (an Administrator API token as the bearer), over HTTP (in-process inject), on
 * SQLite and on PostgreSQL: pages, index-narrowed equality filters, a filter that reads every user,
 * Groups with and without members, and a PATCH (one tenant transaction).
 * Run: npm run bench:scim [-- --users 10000 --runs 200 --scan-runs 20]
 */
import { sql } from "kysely";
import { onBothDatabases, seedUsers, startBenchTenant } from "./seed.ts";
import { fmt, measure } from "./stats.ts";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const USERS = arg("users", 10_000);
const RUNS = arg("runs", 200);
/** The filter that reads every user is timed with fewer runs. */
const SCAN_RUNS = arg("scan-runs", 20);
/** seed.ts's family names are `${LAST[k]}${i}`: "Hop" matches one in 16 (Hopper…), none by index. */
const SCAN_PREFIX = "Hop";

interface ScimList {
  totalResults: number;
  itemsPerPage: number;
  Resources: Record<string, unknown>[];
}

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`bench/scim: ${message}`);
}

async function run(label: string, url: string): Promise<void> {
  const { app, db, tenantId, session } = await startBenchTenant(url);
  const inject = async (method: "GET" | "POST" | "PATCH", u: string, token: string, payload?: unknown) => {
    const res = await app.inject({
      method,
      url: u,
      headers: {
        authorization: `Bearer ${token}`,
        ...(payload ? { "content-type": "application/scim+json" } : {}),
      },
      ...(payload ? { payload: JSON.stringify(payload) } : {}),
    });
    if (res.statusCode !== 200 && !(method === "POST" && res.statusCode === 201))
      throw new Error(`${method} ${u} → ${res.statusCode} ${res.body}`);
    return res.json();
  };
  const kysely = app.core.deps.db.allTenants;
  const administrator = await kysely
    .selectFrom("roles")
    .select("id")
    .where("tenant_id", "=", tenantId)
    .where("name", "=", "Administrator")
    .where("private_user_id", "is", null)
    .executeTakeFirstOrThrow();
  const { token } = await inject("POST", "/api/v1/api-tokens", session, {
    name: "bench-scim",
    roleId: administrator.id,
  });
  check(typeof token === "string" && token.length > 0, "no API token in the answer");

  const seedStart = Date.now();
  await seedUsers(app, tenantId, USERS);
  // Fresh statistics, as autovacuum or a periodic ANALYZE gives a long-running deployment.
  await sql`${sql.raw(db.dialect === "postgres" ? "VACUUM ANALYZE" : "ANALYZE")}`.execute(kysely);
  const seeded = Date.now() - seedStart;

  // People SCIM sees (not archived, not virtual), spread over the tenant: the equality filters'
  // and the PATCH's subjects.
  const people = await kysely
    .selectFrom("users")
    .select(["id", "username", "email"])
    .where("tenant_id", "=", tenantId)
    .where("status", "<>", "archived")
    .where("virtual", "=", 0)
    .where("username", "<>", "admin")
    .execute();
  check(people.length >= 100, `only ${people.length} seeded people visible`);
  const sample = Array.from({ length: 64 }, (_, k) => people[Math.floor((k * people.length) / 64)]!);
  const visible = people.length + 1; // and the tenant's administrator
  const q = (s: string) => encodeURIComponent(s);

  const list = (expectAtLeast: number, exactly?: number) => async (u: string) => {
    const body = (await inject("GET", u, token)) as ScimList;
    check(Array.isArray(body.Resources), `${u}: no Resources`);
    check(body.Resources.length >= expectAtLeast, `${u}: ${body.Resources.length} resources`);
    if (exactly !== undefined)
      check(body.totalResults === exactly, `${u}: totalResults ${body.totalResults}`);
    return body;
  };
  let scanMatches = 0;
  let patches = 0;
  const cases: [string, number, (i: number) => Promise<void>][] = [
    [
      "Users, first page (count=100)",
      RUNS,
      async () => {
        const body = await list(100)("/scim/v2/Users?count=100");
        check(body.totalResults === visible, `totalResults ${body.totalResults}, expected ${visible}`);
      },
    ],
    [
      "Users, startIndex=5001&count=100",
      RUNS,
      async () =>
        void (await list(Math.min(100, visible - 5000))("/scim/v2/Users?startIndex=5001&count=100")),
    ],
    [
      'userName eq "…" (index)',
      RUNS,
      async (i) => {
        const p = sample[i % sample.length]!;
        const body = await list(1, 1)(`/scim/v2/Users?filter=${q(`userName eq "${p.username}"`)}`);
        check(body.Resources[0]!.id === p.id, "userName eq found another user");
      },
    ],
    [
      'emails.value eq "…" (index)',
      RUNS,
      async (i) => {
        const p = sample[(i * 7) % sample.length]!;
        const body = await list(1, 1)(`/scim/v2/Users?filter=${q(`emails.value eq "${p.email}"`)}`);
        check(body.Resources[0]!.id === p.id, "emails.value eq found another user");
      },
    ],
    [
      `name.familyName sw "${SCAN_PREFIX}" (reads every user)`,
      SCAN_RUNS,
      async () => {
        const body = await list(100)(
          `/scim/v2/Users?filter=${q(`name.familyName sw "${SCAN_PREFIX}"`)}&count=100`,
        );
        scanMatches = body.totalResults;
      },
    ],
    [
      "Groups?excludedAttributes=members",
      RUNS,
      async () => {
        const body = await list(1)("/scim/v2/Groups?excludedAttributes=members");
        check(
          body.Resources.every((g) => g.members === undefined),
          "members listed although excluded",
        );
      },
    ],
    [
      "Groups (with members)",
      RUNS,
      async () => {
        const body = await list(1)("/scim/v2/Groups");
        const members = body.Resources.reduce(
          (n, g) => n + (Array.isArray(g.members) ? g.members.length : 0),
          0,
        );
        check(members >= people.length, `${members} members listed for ${people.length} people`);
      },
    ],
    [
      "PATCH Users/{id} replace title (write)",
      RUNS,
      async (i) => {
        const p = sample[i % sample.length]!;
        const title = `Bench title ${i}`;
        const body = await inject("PATCH", `/scim/v2/Users/${p.id}`, token, {
          schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
          Operations: [{ op: "replace", path: "title", value: title }],
        });
        check(body.title === title, `PATCH answered title ${JSON.stringify(body.title)}`);
        patches += 1;
      },
    ],
  ];

  console.log(
    `\n${label}: ${USERS.toLocaleString()} users seeded in ${(seeded / 1000).toFixed(1)} s ` +
      `(${visible.toLocaleString()} visible to SCIM), ${RUNS} runs each (scan: ${SCAN_RUNS})`,
  );
  for (const [name, runs, fn] of cases) {
    await fn(0); // warm-up, and the answer checked once before timing
    const r = await measure(runs, fn);
    console.log(
      `  ${name.padEnd(46)} p50 ${fmt(r.p50).padStart(11)}  p95 ${fmt(r.p95).padStart(11)}  (${runs} runs)`,
    );
  }
  console.log(
    `  scan matches: ${scanMatches.toLocaleString()} of ${visible.toLocaleString()}; PATCHes applied: ${patches}`,
  );
  await app.close();
  await db.destroy();
}

await onBothDatabases(run, "sg_bench_scim");
