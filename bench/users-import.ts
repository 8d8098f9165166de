/**
 * `npm run bench:users-import [-- --users 10000 --rows 1000 --sqlite | --postgres]`: a CSV import of
 * `rows` new users into a tenant of `users`, on SQLite and PostgreSQL: the dry run's and the real
 * run's time, the statements per row (PostgreSQL: every query the pool's clients send), and the
 * tenant's sign-ins during a second import (one every 100 ms, in the same process, through the
 * full HTTP stack: the longest is how long the import held them).
 */
import pg from "pg";
import { PASSWORD, seedTenant, startApp } from "./decisions-tenant.ts";
import { onBothDatabases } from "./seed.ts";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const USERS = arg("users", 10_000);
const ROWS = arg("rows", 1_000);

// Counts PostgreSQL statements: the pool's clients are pg.Client instances.
let statements = 0;
const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
(pg.Client.prototype as unknown as { query: unknown }).query = function (this: unknown, ...args: unknown[]) {
  statements++;
  return query.apply(this, args);
};

const ms = (t0: number) => performance.now() - t0;

async function runOn(label: string, url: string): Promise<void> {
  const app = await startApp(url);
  const b = await seedTenant(app, "bench", USERS, 10_000);
  const csv = (prefix: string) =>
    [
      "email,firstName,lastName,role",
      ...Array.from({ length: ROWS }, (_, i) => `${prefix}${i}@import.example,N${i},L${i},${b.roleIds[20]}`),
    ].join("\n");
  const importing = (prefix: string, dryRun: boolean) =>
    app.inject({
      method: "POST",
      url: "/api/v1/users/import",
      headers: { authorization: `Bearer ${b.token}` },
      payload: { csv: csv(prefix), dryRun },
    });
  console.log(
    `\n=== ${label}: ${ROWS.toLocaleString("en")} new users into a tenant of ${USERS.toLocaleString("en")}`,
  );
  for (const dryRun of [true, false]) {
    statements = 0;
    const t0 = performance.now();
    const res = await importing("a", dryRun);
    if (res.statusCode !== 200) throw new Error(`${res.statusCode} ${res.body}`);
    const perRow = url.startsWith("postgres") ? `, ${(statements / ROWS).toFixed(1)} statements per row` : "";
    console.log(`  ${dryRun ? "dry run" : "import "}: ${(ms(t0) / 1000).toFixed(2)} s${perRow}`);
  }
  let done = false;
  const t0 = performance.now();
  const second = importing("b", false).then((res) => {
    done = true;
    return res;
  });
  const waits: number[] = [];
  while (!done) {
    const s0 = performance.now();
    const res = await app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { tenant: "bench", login: "admin", password: PASSWORD },
    });
    if (res.statusCode !== 200) throw new Error(`sign-in ${res.statusCode} ${res.body}`);
    waits.push(ms(s0));
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if ((await second).statusCode !== 200) throw new Error("the second import failed");
  waits.sort((x, y) => x - y);
  console.log(
    `  sign-ins during a second import (${(ms(t0) / 1000).toFixed(1)} s): ${waits.length}, p50 ${waits[waits.length >> 1]!.toFixed(0)} ms, longest ${waits.at(-1)!.toFixed(0)} ms`,
  );
  await app.close();
}

await onBothDatabases(runOn, "sg_bench_import");
