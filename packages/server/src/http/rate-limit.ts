/**
 * The general request rate limit (SECURITY.md H-56, ASVS 2.4.1; docs/security/auth-controls.md §10):
 * token buckets per caller (a session or an API token) and per tenant, in two classes so that
 * the clinical application's decisions never queue behind administration and the other way round.
 *
 * - `api`: everything but decisions. A request costs 1, a page of a list 1 + limit/2 (a page
 *   of 200 costs 101), an export or import of a whole tenant 1,000: paging a tenant's 100,000
 *   users out costs about 50,500, past a caller's minute.
 * - `decision`: check, check/batch, explain, who-can, effective permissions; 1 per request.
 *
 * A bucket holds one minute's budget and refills continuously, so a burst of a minute's worth
 * passes and a steady rate above it is refused: 429 THROTTLED with Retry-After (the seconds
 * until the request would pass). Both the caller's and the tenant's buckets must hold the cost,
 * and a refused request takes nothing from either. The operator and anonymous requests are not
 * counted here (sign-in and forgot-password have their own throttles in the database).
 *
 * Counts live in this instance's memory: they protect this instance's CPU and its database
 * connections, which is what they are for; behind a balancer of N instances a caller may reach
 * N times the figure (docs/decisions.md, "Request rate limit").
 */
import {
  AppError,
  BULK_COST,
  type Caller,
  type Clock,
  LIST_COST_DIVISOR,
  type RateLimits,
} from "@staffgate/core";
import type { FastifyRequest, onRequestHookHandler } from "fastify";

/** What a route costs; set on each route by route.ts (`config.rate`). */
export type RateClass = "api" | "list" | "scim-list" | "bulk" | "decision";

const MINUTE_MS = 60_000;

export interface Bucket {
  level: number;
  at: number;
}

/** Token buckets by key, each holding `capacity` a minute and refilled continuously. */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private sweptAt = 0;

  /** The bucket of `key`, refilled up to `now` (a new one is full): one lookup per request. */
  at(key: string, capacity: number, now: number): Bucket {
    let b = this.buckets.get(key);
    if (b === undefined) {
      this.sweep(now);
      b = { level: capacity, at: now };
      this.buckets.set(key, b);
    } else if (now > b.at) {
      b.level = Math.min(capacity, b.level + ((now - b.at) * capacity) / MINUTE_MS);
      b.at = now;
    }
    return b;
  }

  get size(): number {
    return this.buckets.size;
  }

  /** About once a minute: a bucket untouched for a minute is full again, the same as missing. */
  private sweep(now: number): void {
    if (now - this.sweptAt < MINUTE_MS) return;
    this.sweptAt = now;
    for (const [key, b] of this.buckets) if (now - b.at >= MINUTE_MS) this.buckets.delete(key);
  }
}

/** Seconds until `cost` fits in the bucket, 0 when it fits now (a cost above the budget waits for a full bucket). */
export function secondsUntil(b: Bucket, capacity: number, cost: number): number {
  const need = Math.min(cost, capacity);
  return b.level >= need ? 0 : Math.ceil((((need - b.level) / capacity) * MINUTE_MS) / 1000);
}

function spend(b: Bucket, capacity: number, cost: number): void {
  b.level -= Math.min(cost, capacity);
}

/**
 * The cost of one request of a class. A list's page size comes from `limit` (default 50); a SCIM
 * list's from `count`, and a SCIM query without one costs 1: identity providers look users up
 * one at a time with `filter=userName eq …`, which answers one row.
 */
export function costOf(rate: RateClass, query: unknown): number {
  if (rate === "bulk") return BULK_COST;
  if (rate !== "list" && rate !== "scim-list") return 1;
  const q = query as Record<string, unknown> | undefined;
  const raw = rate === "list" ? q?.limit : q?.count;
  if (raw === undefined && rate === "scim-list") return 1;
  const size = typeof raw === "string" ? Number.parseInt(raw, 10) : Number.NaN;
  return 1 + Math.floor(Math.min(Number.isFinite(size) && size > 0 ? size : 50, 1000) / LIST_COST_DIVISOR);
}

/** A session by its id, an API token by its id: both unique, and strings the request already holds. */
function callerKey(caller: Caller): string {
  return caller.sessionId ?? caller.actor.id ?? caller.actor.type;
}

/** A refusal is reported once per bucket per this long, with how many there were (a flood logs little). */
const REPORT_EVERY_MS = 10_000;

export interface Refusal {
  readonly scope: "caller" | "tenant";
  readonly retryAfter: number;
  /** Refusals of this bucket since the last report, this one included. */
  readonly refused: number;
}

export interface RateLimiter {
  /** The onRequest hook of a tenant route of this class, or undefined when its budgets are off. */
  hookFor(rate: RateClass): onRequestHookHandler | undefined;
}

/**
 * Route-level hooks (route.ts adds one to each tenant route), so the class is known without a
 * per-request lookup; they run after the authentication hook, and are callbacks: nothing to
 * await, so the decision fast path stays synchronous.
 */
export function createRateLimiter(
  clock: Clock,
  limits: RateLimits,
  report: (request: FastifyRequest, refusal: Refusal) => void,
): RateLimiter {
  const api = { callers: new TokenBuckets(), tenants: new TokenBuckets() };
  const decisions = { callers: new TokenBuckets(), tenants: new TokenBuckets() };
  const reported = new Map<string, { at: number; refused: number }>();
  const refuse = (request: FastifyRequest, key: string, refusal: Omit<Refusal, "refused">, now: number) => {
    const last = reported.get(key);
    if (last && now - last.at < REPORT_EVERY_MS) {
      last.refused++;
      return;
    }
    if (reported.size > 10_000) reported.clear();
    reported.set(key, { at: now, refused: 0 });
    report(request, { ...refusal, refused: (last?.refused ?? 0) + 1 });
  };
  return {
    hookFor(rate) {
      const decision = rate === "decision";
      const perCaller = decision ? limits.decisionsPerCaller : limits.perCaller;
      const perTenant = decision ? limits.decisionsPerTenant : limits.perTenant;
      if (perCaller === 0 && perTenant === 0) return undefined;
      const { callers, tenants } = decision ? decisions : api;
      const fixedCost = rate === "list" || rate === "scim-list" ? undefined : costOf(rate, undefined);
      return (request, _reply, done) => {
        const caller = request.caller;
        if (!caller) return done();
        const cost = fixedCost ?? costOf(rate, request.query);
        const now = clock.now().getTime();
        const cKey = callerKey(caller);
        const own = perCaller > 0 ? callers.at(cKey, perCaller, now) : undefined;
        const shared = perTenant > 0 ? tenants.at(caller.tenantId, perTenant, now) : undefined;
        const callerWait = own ? secondsUntil(own, perCaller, cost) : 0;
        const tenantWait = shared ? secondsUntil(shared, perTenant, cost) : 0;
        if (callerWait > 0 || tenantWait > 0) {
          const retryAfter = Math.max(callerWait, tenantWait);
          const scope = callerWait > 0 ? "caller" : "tenant";
          const key = `${rate}:${scope === "caller" ? cKey : caller.tenantId}`;
          refuse(request, key, { scope, retryAfter }, now);
          return done(
            new AppError("THROTTLED", "Too many requests; try again after the time in Retry-After", {
              extensions: { retryAfter },
            }),
          );
        }
        if (own) spend(own, perCaller, cost);
        if (shared) spend(shared, perTenant, cost);
        done();
      };
    },
  };
}
