/**
 * Audit retention (PRODUCT.md §6 and §7 "scheduled jobs (expiry, retention)"): every hour, each
 * tenant's events past its `auditRetentionDays` are purged as the system, through the same use
 * case as a person's purge (audit-purge.ts: verified first, anchored, audited). A tenant with
 * nothing past its horizon costs one index probe and records nothing. One instance runs a pass
 * (job-lock.ts); were two to run at once, the purge takes the tenant's audit head lock, and the
 * second finds nothing left to delete.
 */
import { purgeAudit } from "../audit/audit-purge.ts";
import { type Ctx, noRequest, systemActor } from "../shared/context.ts";
import type { Deps } from "../shared/deps.ts";
import { readSettings } from "../tenants/settings.rules.ts";
import { exclusively } from "./job-lock.ts";

const DAY_MS = 86_400_000;

export interface RetentionRun {
  readonly purged: number;
  readonly tenants: number;
  /** Each failure with its tenant (null: the pass itself failed). */
  readonly errors: readonly RetentionFailure[];
}

export interface RetentionFailure {
  readonly tenantId: string | null;
  readonly error: unknown;
}

/** One pass over every tenant. */
export async function purgeAuditPastRetention(deps: Deps): Promise<RetentionRun> {
  const now = deps.clock.now().getTime();
  const tenants = await deps.db.kysely.selectFrom("tenants").select(["id", "settings"]).execute();
  let purged = 0;
  let touched = 0;
  const errors: RetentionFailure[] = [];
  for (const tenant of tenants) {
    const horizon = new Date(now - readSettings(tenant.settings).auditRetentionDays * DAY_MS).toISOString();
    try {
      const old = await deps.db.kysely
        .selectFrom("audit_events")
        .select("seq")
        .where("tenant_id", "=", tenant.id)
        .where("at", "<", horizon)
        .limit(1)
        .executeTakeFirst();
      if (!old) continue;
      const ctx: Ctx = { ...noRequest, tenantId: tenant.id, actor: systemActor };
      const run = await purgeAudit(deps, ctx, { before: horizon }, { quiet: true });
      purged += run.purged;
      if (run.purged > 0) touched += 1;
    } catch (error) {
      // A broken chain in one tenant (409) must not stop retention everywhere else; it is
      // reported on every run until someone looks.
      errors.push({ tenantId: tenant.id, error });
    }
  }
  return { purged, tenants: touched, errors };
}

/** Runs a pass soon after start and then every `intervalMs`; never overlaps itself. */
export function startRetentionJob(
  deps: Deps,
  intervalMs: number,
  onRun: (run: RetentionRun) => void = () => {},
  firstRunMs = 10_000,
): () => Promise<void> {
  let running: Promise<void> | null = null;
  const run = () => {
    if (running) return;
    running = exclusively(deps, "retention", () => purgeAuditPastRetention(deps))
      .then(
        (result) => result && onRun(result),
        (error: unknown) => onRun({ purged: 0, tenants: 0, errors: [{ tenantId: null, error }] }),
      )
      .finally(() => {
        running = null;
      });
  };
  const first = setTimeout(run, firstRunMs);
  const timer = setInterval(run, intervalMs);
  first.unref();
  timer.unref();
  return async () => {
    clearTimeout(first);
    clearInterval(timer);
    await running;
  };
}
