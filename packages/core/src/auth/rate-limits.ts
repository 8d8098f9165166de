/**
 * The budgets of the general request rate limit (SECURITY.md H-56; the buckets are in
 * packages/server/src/http/rate-limit.ts; docs/security/auth-controls.md §10 explains them).
 */

/** Budgets per minute, in cost units; 0 turns a bucket off. */
export interface RateLimits {
  /** One session's or API token's budget for the administration API. */
  readonly perCaller: number;
  /** One tenant's budget for the administration API, all its callers together. */
  readonly perTenant: number;
  /** One caller's decision requests. */
  readonly decisionsPerCaller: number;
  /** One tenant's decision requests. */
  readonly decisionsPerTenant: number;
}

/**
 * The administration budgets are far above what a person in the console or an identity provider
 * syncing sends, and bind a script reading the tenant out; the decision budgets are above what one
 * instance answers on small hosts (bench/README.md), so they bind only a runaway client.
 */
export const DEFAULT_RATE_LIMITS: RateLimits = {
  perCaller: 30_000,
  perTenant: 150_000,
  decisionsPerCaller: 600_000,
  decisionsPerTenant: 1_200_000,
};

/** What an export or import of a whole tenant's users or audit costs. */
export const BULK_COST = 1_000;

/** A page of a list costs 1 + its size / LIST_COST_DIVISOR (a page of 200 costs 101). */
export const LIST_COST_DIVISOR = 2;
