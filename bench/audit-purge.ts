/**
 * `npm run bench:audit-purge [-- --events 200000 --sqlite | --postgres]`: a purge of a backlog of
 * `events` audit events past the retention horizon (what follows a retention lowered by years),
 * on SQLite and PostgreSQL: how long the purge takes, and the tenant's sign-ins during it (one
 * every 50 ms, in the same process, through the full HTTP stack: the longest is how long the
 * purge held the tenant's audit chain, which every audited write waits for), and the event loop's
 * longest stall (on SQLite a statement blocks the thread, and with it every request).
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { appendAudit } from "../packages/core/src/audit/audit-writer.ts";
import { createFakeClock, openDatabase } from "../packages/core/src/index.ts";
import { systemActor } from "../packages/core/src/shared/context.ts";
import { inChangeTx } from "../packages/core/src/shared/tx.ts";
import { buildApp } from "../packages/server/src/app.ts";
import { OPERATOR, PASSWORD } from "./decisions-tenant.ts";
import { onBothDatabases } from "./seed.ts";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const EVENTS = arg("events", 200_000);
const PER_TX = 2_000;
const YEAR_MS = 365 * 86_400_000;

const ms = (t0: number) => performance.now() - t0;

async function runOn(label: string, url: string): Promise<void> {
  const clock = createFakeClock("2019-01-01T00:00:00.000Z");
  const db = openDatabase(url);
  const app = await buildApp({
    db,
    clock,
    operatorToken: OPERATOR,
    hasher: { memoryCost: 1024, timeCost: 1 },
    rateLimits: false,
    jobs: false,
  });
  try {
    const created = await app.inject({
      method: "POST",
      url: "/api/v1/tenants",
      headers: { authorization: `Bearer ${OPERATOR}` },
      payload: {
        slug: "purge",
        name: "Purge",
        admin: {
          username: "admin",
          email: "admin@purge.example",
          firstName: "A",
          lastName: "B",
          password: PASSWORD,
        },
      },
    });
    if (created.statusCode !== 201) throw new Error(`${created.statusCode} ${created.body}`);
    const tenantId = (created.json() as { id: string }).id;
    const deps = app.core.deps;
    const ctx = { tenantId, actor: systemActor, ip: "10.0.0.1", userAgent: "bench", requestId: null };
    const t0 = performance.now();
    for (let done = 0; done < EVENTS; done += PER_TX) {
      await inChangeTx(deps, tenantId, async (trx) => {
        for (let i = done; i < Math.min(EVENTS, done + PER_TX); i++) {
          await appendAudit(deps, trx, ctx, {
            action: "user.updated",
            target: { type: "user", id: `u${i % 1000}`, label: `user${i % 1000}` },
            changes: { firstName: { before: `A${i}`, after: `B${i}` } },
          });
        }
      });
      clock.advance(60_000);
    }
    console.log(
      `\n=== ${label}: ${EVENTS.toLocaleString("en")} events past the horizon (written in ${(ms(t0) / 1000).toFixed(1)} s)`,
    );
    clock.advance(7 * YEAR_MS);
    const signIn = () =>
      app.inject({
        method: "POST",
        url: "/api/v1/auth/login",
        payload: { tenant: "purge", login: "admin", password: PASSWORD },
      });
    const login = await signIn();
    if (login.statusCode !== 200) throw new Error(`sign-in ${login.statusCode} ${login.body}`);
    const token = (login.json() as { token: string }).token;
    let done = false;
    // On SQLite a statement runs on this thread: a long delete stalls every request, not only the
    // tenant's audited writes, and a sign-in cannot even start meanwhile.
    const stalls = monitorEventLoopDelay({ resolution: 10 });
    stalls.enable();
    const p0 = performance.now();
    const purge = app
      .inject({
        method: "POST",
        url: "/api/v1/audit/purge",
        headers: { authorization: `Bearer ${token}` },
        payload: {},
      })
      .then((res) => {
        done = true;
        return res;
      });
    const waits: number[] = [];
    while (!done) {
      const s0 = performance.now();
      const res = await signIn();
      if (res.statusCode !== 200) throw new Error(`sign-in ${res.statusCode} ${res.body}`);
      waits.push(ms(s0));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const res = await purge;
    if (res.statusCode !== 200) throw new Error(`purge ${res.statusCode} ${res.body}`);
    const took = ms(p0);
    stalls.disable();
    waits.sort((x, y) => x - y);
    console.log(
      `  purge: ${(res.json() as { purged: number }).purged.toLocaleString("en")} events in ${(took / 1000).toFixed(2)} s; sign-ins during it: ${waits.length}, p50 ${waits[waits.length >> 1]!.toFixed(0)} ms, longest ${waits.at(-1)!.toFixed(0)} ms; event loop's longest stall ${(stalls.max / 1e6).toFixed(0)} ms`,
    );
    const verify = await app.inject({
      method: "GET",
      url: "/api/v1/audit/verify",
      headers: { authorization: `Bearer ${token}` },
    });
    console.log(`  verify afterwards: ${verify.statusCode} ${verify.body.slice(0, 120)}`);
  } finally {
    await app.close();
    await db.destroy();
  }
}

await onBothDatabases(runOn, "sg_bench_purge");
