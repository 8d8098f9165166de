/**
 * Account expiry (PRODUCT.md §2 `expiresAt`): archives users whose expiry has passed and ends their
 * sessions and tokens. This scheduled job is the one place allowed to scan users across tenants;
 * each user is then archived inside its own tenant's transaction like any other use case.
 */
import { countAdministrators } from "../access/admin-guard.ts";
import { endElevationsOf } from "../access/emergency-cutoff.ts";
import { isAdministratorRole } from "../access/grants.rules.ts";
import { appendAudit } from "../audit/audit-writer.ts";
import { endAccessOf } from "../auth/access-cutoff.ts";
import { loadRolesById } from "../roles/roles.table.ts";
import { type Ctx, noRequest, systemActor } from "../shared/context.ts";
import type { Deps } from "../shared/deps.ts";
import { inTenantTx } from "../shared/tx.ts";
import { createTenantStore } from "../tenants/tenants.store.ts";
import {
  anyExpiryDue,
  createUserActionsStore,
  findExpiredUsersAcrossTenants,
} from "../users/user-actions.store.ts";
import { createUserStore } from "../users/users.store.ts";
import { recordRunOutElevations } from "./emergency-expiry.ts";
import { exclusively } from "./job-lock.ts";

export interface ExpiryRun {
  readonly archived: number;
  readonly skipped: number;
  /** Emergency elevations whose time ran out, recorded as ended (emergency-expiry.ts). */
  readonly elevationsEnded?: number;
  readonly errors: readonly unknown[];
}

type Outcome = "archived" | "skipped" | "none";

async function expireOne(deps: Deps, tenantId: string, userId: string, at: string): Promise<Outcome> {
  return inTenantTx(deps, tenantId, async (trx) => {
    const row = await createUserStore(trx, tenantId).findUserRowById(userId);
    if (!row || row.status === "archived" || row.expires_at === null || row.expires_at > at) return "none";
    const ctx: Ctx = { ...noRequest, tenantId, actor: systemActor };
    const target = { type: "user", id: row.id, label: row.username } as const;
    const store = createUserActionsStore(trx, tenantId);
    const tenant = await createTenantStore(trx).findTenantById(tenantId);
    const catalog = tenant && deps.catalogs.get(tenant.catalog);
    if (!catalog) throw new Error(`tenant ${tenantId} has no known catalogue`);
    const role = (await loadRolesById(trx, tenantId, [row.role_id])).get(row.role_id);
    const heldAdministration =
      row.status === "active" &&
      row.virtual === 0 &&
      role !== undefined &&
      isAdministratorRole(catalog, role);
    // The count already leaves out expired users: zero means this user is the last one standing.
    if (heldAdministration && (await countAdministrators(trx, tenantId, catalog, at)) === 0) {
      // Audited once, not on every run, until something else happens to the user.
      if ((await store.lastActionOn(row.id)) === "user.expiry_skipped") return "skipped";
      await appendAudit(deps, trx, ctx, {
        action: "user.expiry_skipped",
        target,
        changes: { expiresAt: { before: row.expires_at } },
        outcome: "failure",
      });
      return "skipped";
    }
    // Conditional: when two instances run at once only the one whose update changed the row audits.
    if (!(await store.archiveUnlessArchived(row, at))) return "none";
    await endAccessOf(deps, trx, ctx, row.id, at, "user expired");
    await endElevationsOf(deps, trx, ctx, row, at, "user expired");
    await appendAudit(deps, trx, ctx, {
      action: "user.expired",
      target,
      changes: { status: { before: row.status, after: "archived" }, expiresAt: { before: row.expires_at } },
    });
    return "archived";
  });
}

/** A pass handles at most this many; the rest are picked up by the next run. */
const BATCH = 1000;

/**
 * One pass: every expired, not yet archived user of every tenant, each in its own transaction;
 * then every emergency elevation whose time ran out is recorded as ended.
 */
export async function archiveExpiredUsers(deps: Deps): Promise<ExpiryRun> {
  const at = deps.clock.now().toISOString();
  const due = await findExpiredUsersAcrossTenants(deps.db.allTenants, at, BATCH);
  let archived = 0;
  let skipped = 0;
  const errors: unknown[] = [];
  for (const u of due) {
    try {
      const outcome = await expireOne(deps, u.tenant_id, u.id, at);
      if (outcome === "archived") archived += 1;
      if (outcome === "skipped") skipped += 1;
    } catch (error) {
      // One broken tenant must not stop expiry everywhere else.
      errors.push(error);
    }
  }
  const elevationsEnded = await recordRunOutElevations(deps, at, BATCH, errors);
  return { archived, skipped, elevationsEnded, errors };
}

/**
 * Runs the job every `intervalMs`, and at once whenever the check every `dueCheckMs` finds an
 * account that reached its expiry since the last pass began (one index probe), so an account is
 * archived within about a second of its expiry rather than up to a whole interval later. An
 * account a pass had to skip (the last administrator) is retried by the interval only, not by
 * every check. Never overlaps itself; the timers do not keep the process alive. The returned stop
 * function waits for a run in progress, so the database can close after.
 */
export function startExpiryJob(
  deps: Deps,
  intervalMs: number,
  onRun: (run: ExpiryRun) => void = () => {},
  dueCheckMs = 1000,
): () => Promise<void> {
  let running: Promise<void> | null = null;
  /** When the last pass began: it handled every account due by then. */
  let passedAt: string | null = null;
  const failed = (error: unknown) => onRun({ archived: 0, skipped: 0, errors: [error] });
  const pass = () => {
    passedAt = deps.clock.now().toISOString();
    return exclusively(deps, "expiry", () => archiveExpiredUsers(deps)).then((run) => run && onRun(run));
  };
  const run = (check: boolean) => {
    if (running) return;
    const due = check
      ? anyExpiryDue(deps.db.allTenants, passedAt, deps.clock.now().toISOString())
      : Promise.resolve(true);
    running = due
      .then((yes) => (yes ? pass() : undefined))
      .catch(failed)
      .finally(() => {
        running = null;
      });
  };
  const timers = [setInterval(() => run(false), intervalMs), setInterval(() => run(true), dueCheckMs)];
  for (const timer of timers) timer.unref();
  return async () => {
    for (const timer of timers) clearInterval(timer);
    await running;
  };
}
