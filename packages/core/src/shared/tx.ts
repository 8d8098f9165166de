/**
 * Use-case transactions. A tenant transaction first bumps the tenant's policy version: that one
 * statement locks the tenant row (serialising writers of one tenant, which keeps guards such as
 * "one administrator remains" true under concurrency) and tells every decision cache that the
 * tenant's policy changed.
 */
import { type Kysely, sql, type Transaction } from "kysely";
import type { Database } from "../db/schema.ts";
import type { Deps } from "./deps.ts";
import { AppError } from "./errors.ts";
import { failpoint } from "./failpoint.ts";
import { claimIdempotencyKey, idempotencyScope } from "./idempotency.ts";

export type Trx = Transaction<Database>;
export type Executor = Kysely<Database> | Trx;

/** What runs once a transaction has committed (never on rollback). */
const afterCommit = new WeakMap<Trx, (() => unknown)[]>();
/** What runs last inside a transaction, when its work has succeeded, before it commits. */
const beforeCommits = new WeakMap<Trx, (() => Promise<unknown>)[]>();
/** Transactions opened by run() and not yet over: the only ones whose before-commit work runs. */
const open = new WeakSet<Trx>();

/** How long the use case waits, at most, for what its commit started (COMMIT_WAIT_MS below). */
export const COMMIT_WAIT_MS = 2_000;

/**
 * Runs `fn` once `trx` commits, never when it rolls back: e.g. logging what it recorded. A promise
 * `fn` returns is waited for (at most COMMIT_WAIT_MS, its failure ignored) before the use case
 * returns: the printing of a queued email, so the answer comes once its link can be read.
 */
export function onCommit(trx: Trx, fn: () => unknown): void {
  const queued = afterCommit.get(trx);
  if (queued) queued.push(fn);
  else afterCommit.set(trx, [fn]);
}

/** Throws unless `trx` is a use-case transaction still doing its work (not yet committing or over). */
export function assertOpen(trx: Trx): void {
  if (!open.has(trx)) throw new Error("not inside a use-case transaction's work (shared/tx.ts)");
}

/**
 * Runs `fn` inside `trx` once its work has succeeded, just before it commits (a failure rolls the
 * whole transaction back). The audit writer's flush: its lock is then held only until the commit.
 */
export function beforeCommit(trx: Trx, fn: () => Promise<unknown>): void {
  assertOpen(trx);
  const queued = beforeCommits.get(trx);
  if (queued) queued.push(fn);
  else beforeCommits.set(trx, [fn]);
}

/** `change`: a request's change (not bookkeeping or an audit-only event), where `before_commit` fires. */
async function run<T>(deps: Deps, work: (trx: Trx) => Promise<T>, change = false): Promise<T> {
  let current: Trx | undefined;
  const result = await deps.db.kysely.transaction().execute(async (trx) => {
    current = trx;
    open.add(trx);
    try {
      const done = await work(trx);
      // The work is over: nothing may queue more (it would never be written).
      open.delete(trx);
      const last = beforeCommits.get(trx);
      for (let i = 0; last && i < last.length; i++) await last[i]!();
      if (change) failpoint("before_commit");
      return done;
    } finally {
      open.delete(trx);
    }
  });
  const queued = current && afterCommit.get(current);
  // After the commit nothing may turn the use case's success into a failure.
  const waits: Promise<unknown>[] = [];
  if (queued)
    for (const fn of queued)
      try {
        const started = fn();
        if (started instanceof Promise) waits.push(started.catch(() => {}));
      } catch {}
  if (waits.length > 0) await waitAtMost(Promise.all(waits), COMMIT_WAIT_MS);
  // Not acknowledged until every other instance's kept reads have seen it (db/pg-change-watch.ts).
  if (deps.db.settle) await deps.db.settle();
  return result;
}

export async function inTenantTx<T>(
  deps: Deps,
  tenantId: string,
  work: (trx: Trx) => Promise<T>,
): Promise<T> {
  // A request sent with an Idempotency-Key claims it with its first change, under the tenant lock.
  const scope = idempotencyScope.getStore();
  return run(
    deps,
    async (trx) => {
      const bumped = await trx
        .updateTable("tenants")
        .set((eb) => ({ policy_version: eb("policy_version", "+", 1) }))
        .where("id", "=", tenantId)
        .executeTakeFirst();
      if (Number(bumped.numUpdatedRows) !== 1) throw new AppError("TENANT_NOT_FOUND");
      // Delivered on commit (never on rollback): other instances refresh their decision cache early.
      if (deps.db.dialect === "postgres")
        await sql`SELECT pg_notify('staffgate_policy', ${tenantId})`.execute(trx);
      await claimRequestKey(deps, trx, tenantId, scope);
      return work(trx);
    },
    true,
  );
}

/**
 * In a change's transaction: claims the Idempotency-Key the request runs under, if any
 * (shared/idempotency.ts). Claimed only if this commits: a use case that rolls back and tries
 * again claims again.
 */
export async function claimRequestKey(
  deps: Deps,
  trx: Trx,
  tenantId: string,
  scope = idempotencyScope.getStore(),
): Promise<void> {
  if (!scope || scope.claimed || scope.tenantId !== tenantId) return;
  await claimIdempotencyKey(trx, scope, deps.clock.now());
  onCommit(trx, () => {
    scope.claimed = true;
  });
}

/**
 * A change that does not bump the policy version (sessions, MFA, one's own password, an audit
 * purge, an emergency review, patient grants): an ordinary transaction that claims the request's
 * Idempotency-Key, after `lock` when the use case takes a lock first.
 */
export async function inChangeTx<T>(
  deps: Deps,
  tenantId: string,
  work: (trx: Trx) => Promise<T>,
  lock?: (trx: Trx) => Promise<void>,
): Promise<T> {
  const scope = idempotencyScope.getStore();
  return run(
    deps,
    async (trx) => {
      await lock?.(trx);
      await claimRequestKey(deps, trx, tenantId, scope);
      return work(trx);
    },
    true,
  );
}

/**
 * A transaction that does not change policy and is not a request's change (sign-in bookkeeping,
 * audit-only events such as a refusal): it claims no Idempotency-Key.
 */
export async function inTx<T>(deps: Deps, work: (trx: Trx) => Promise<T>): Promise<T> {
  return run(deps, work);
}

/** Waits for `work`, but not longer than `ms` (it goes on unwaited), and never throws. */
export async function waitAtMost(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    timer.unref();
  });
  try {
    await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
