/**
 * Every benchmark runs the server with the request rate limit on (its bookkeeping is in the
 * figures) but with budgets no run reaches: the benchmarks measure throughput, not the limit.
 */
export const COUNTED_NOT_REFUSED = {
  perCaller: 1e12,
  perTenant: 1e12,
  decisionsPerCaller: 1e12,
  decisionsPerTenant: 1e12,
} as const;
