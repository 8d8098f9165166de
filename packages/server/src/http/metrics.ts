/**
 * Prometheus metrics (PRODUCT.md §7 "Operations"): `GET /metrics` for the operator token, or for a
 * scraper on this machine (SECURITY.md 72: monitoring is not exposed to the world; Prometheus sends
 * a bearer token from elsewhere, a local agent needs none). "This machine" is a loopback peer with
 * no proxy header: a reverse proxy on the same host adds X-Forwarded-For (or Forwarded), so what it
 * relays from the world still needs the token.
 *
 * Per request the cost must stay near nothing (`/check` answers in tens of microseconds), so the
 * onResponse hook finds a cached child of each metric by one string key and bumps it; everything
 * else (users, sessions, outbox, open emergency access) is counted by the database at scrape time.
 * Labels are bounded: the route's pattern (`/api/v1/users/:id`), never a raw path, id or tenant.
 */
import { AppError, type Core, lockedAtSql } from "@staffgate/core";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { type RouteOptions, route } from "./route.ts";

/** Seconds; `/check` lives in the first buckets, a sign-in (argon2) around 0.01–0.1. */
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

interface RouteChildren {
  readonly count: { inc(): void };
  readonly seconds: { observe(value: number): void };
}

export function createMetrics(core: Core) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const requests = new Counter({
    name: "staffgate_http_requests_total",
    help: "HTTP requests answered, by method, route pattern and status",
    labelNames: ["method", "route", "status"] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "staffgate_http_request_duration_seconds",
    help: "Time from the request's arrival to its answer, by method and route pattern",
    labelNames: ["method", "route"] as const,
    buckets: BUCKETS,
    registers: [registry],
  });
  const children = new Map<string, RouteChildren>();

  // Metrics count over every tenant by design.
  const db = core.deps.db.allTenants;
  const gauge = (name: string, help: string, read: (g: Gauge) => Promise<void>, labelNames: string[] = []) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        await read(this);
      },
    });
  const now = () => core.deps.clock.now().toISOString();
  const count = async (q: { executeTakeFirst(): Promise<{ n: number | string | bigint } | undefined> }) =>
    Number((await q.executeTakeFirst())?.n ?? 0);

  gauge("staffgate_tenants", "Tenants", async (g) => {
    g.set(await count(db.selectFrom("tenants").select((eb) => eb.fn.countAll().as("n"))));
  });
  gauge(
    "staffgate_users",
    "Users of every tenant, by status (virtual integration users included)",
    async (g) => {
      g.reset();
      const rows = await db
        .selectFrom("users")
        .select(["status", (eb) => eb.fn.countAll().as("n")])
        .groupBy("status")
        .execute();
      for (const r of rows) g.set({ status: r.status }, Number(r.n));
    },
    ["status"],
  );
  gauge("staffgate_users_locked", "Users locked now by failed sign-ins", async (g) => {
    const at = now();
    g.set(
      await count(
        db
          .selectFrom("users")
          .select((eb) => eb.fn.countAll().as("n"))
          .where((eb) => lockedAtSql(eb, at)),
      ),
    );
  });
  gauge("staffgate_sessions", "Sessions within their absolute limit (ended ones are deleted)", async (g) => {
    g.set(
      await count(
        db
          .selectFrom("sessions")
          .select((eb) => eb.fn.countAll().as("n"))
          .where("expires_at", ">", now()),
      ),
    );
  });
  gauge("staffgate_outbox_pending", "Emails waiting to be sent", async (g) => {
    g.set(
      await count(
        db
          .selectFrom("outbox")
          .select((eb) => eb.fn.countAll().as("n"))
          .where("sent_at", "is", null),
      ),
    );
  });
  gauge("staffgate_emergency_access_open", "Emergency elevations open now", async (g) => {
    g.set(
      await count(
        db
          .selectFrom("emergency_access")
          .select((eb) => eb.fn.countAll().as("n"))
          .where("ended_at", "is", null)
          .where("expires_at", ">", now()),
      ),
    );
  });

  const watch = core.deps.db.changes;
  if (watch && core.deps.db.dialect === "postgres")
    gauge(
      "staffgate_change_watch_trusted",
      "PostgreSQL: 1 while this instance holds its lease and answers kept reads without a round trip (db/pg-change-watch.ts); 0 while it reads on every request",
      async (g) => {
        g.set(Number.isNaN(watch.dataVersion()) ? 0 : 1);
      },
    );

  return Object.assign(registry, {
    /** The onResponse hook's work: one map lookup and two increments. */
    observe(request: FastifyRequest, reply: FastifyReply): void {
      const route = request.routeOptions.url ?? "unmatched";
      const key = `${request.method} ${route} ${reply.statusCode}`;
      let child = children.get(key);
      if (!child) {
        // Unmatched paths share one label, so a scan of random paths cannot grow the map.
        child = {
          count: requests.labels(request.method, route, String(reply.statusCode)),
          seconds: duration.labels(request.method, route),
        };
        children.set(key, child);
      }
      child.count.inc();
      child.seconds.observe(reply.elapsedTime / 1000);
    },
  });
}

export type Metrics = ReturnType<typeof createMetrics>;

export function installMetrics(app: FastifyInstance, core: Core, options: RouteOptions): void {
  const metrics = createMetrics(core);
  app.addHook("onResponse", (request, reply, done) => {
    metrics.observe(request, reply);
    done();
  });
  route(app, options, {
    method: "GET",
    url: "/metrics",
    summary:
      "Prometheus metrics: HTTP requests and latency by route, users, sessions, outbox, process (operator token, or none from this machine)",
    tags: ["operations"],
    auth: "public",
    status: 200,
    response: null,
    raw: true,
    produces: { [metrics.contentType]: "Prometheus text exposition format" },
    otherResponses: {
      401: "UNAUTHENTICATED: from another machine without the operator token",
      403: "FORBIDDEN: a tenant's session or API token",
    },
    handler: async ({ request, reply }) => {
      if (!request.operator && !fromThisMachine(request)) {
        // A tenant's session or API token is authenticated, just not permitted here: 403, not 401.
        const signedIn = request.caller !== undefined || request.csrfRejected === true;
        throw new AppError(
          signedIn ? "FORBIDDEN" : "UNAUTHENTICATED",
          options.operatorApi === false
            ? "Metrics are read from this machine only: this server was started without STAFFGATE_OPERATOR_TOKEN"
            : "The operator token is required, except from this machine",
        );
      }
      const text = await metrics.metrics();
      reply.code(200).header("content-type", metrics.contentType).send(text);
    },
  });
}

const LOOPBACK = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);

/** A peer on this machine that relays nobody (no proxy header). */
function fromThisMachine(request: FastifyRequest): boolean {
  const h = request.headers;
  if (h["x-forwarded-for"] !== undefined || h.forwarded !== undefined || h["x-real-ip"] !== undefined)
    return false;
  return LOOPBACK.has(request.socket.remoteAddress ?? "");
}
