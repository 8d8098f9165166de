/**
 * Purging audit events past the tenant's retention horizon (PRODUCT.md §6, HIPAA 164.316(b)(2)(i)).
 *
 * Decisions (docs/decisions.md, "Audit retention"):
 * - On request (API, console, CLI), and by the hourly retention job (jobs/retention.job.ts,
 *   PRODUCT.md §7): either way only past the horizon, and audited.
 * - The cut-off is a seq, not a time: the events purged are a prefix of the chain (those before
 *   the first event at or after the cut-off), so the chain that remains starts from one known hash,
 *   kept in the head row as the anchor, and is verified from it link by link.
 * - The prefix is verified before it is deleted: a broken link there is refused (409), because
 *   purging it would destroy the evidence that the trail was tampered with.
 */
import type { AuditPurgeRequest, AuditPurgeResponse } from "@staffgate/contract";
import type { Ctx } from "../shared/context.ts";
import type { Deps } from "../shared/deps.ts";
import { AppError } from "../shared/errors.ts";
import { type Executor, inChangeTx, inTx } from "../shared/tx.ts";
import { readSettings } from "../tenants/settings.rules.ts";
import { type AuditStore, createAuditStore } from "./audit.store.ts";
import type { ChainCheck } from "./audit-chain.rules.ts";
import { walkLinks } from "./audit-links.ts";
import { appendAudit } from "./audit-writer.ts";

const DAY_MS = 86_400_000;

/**
 * `quiet`: the scheduled job's runs record a purge only when it deleted something (a person's
 * request is recorded either way).
 */
export async function purgeAudit(
  deps: Deps,
  ctx: Ctx,
  body: AuditPurgeRequest,
  options: { readonly quiet?: boolean } = {},
): Promise<AuditPurgeResponse> {
  try {
    return await purgeInTx(deps, ctx, body, options);
  } catch (error) {
    if (!options.quiet && error instanceof AppError && REFUSED.has(error.code))
      await recordRefused(deps, ctx, body, error.code);
    throw error;
  }
}

/**
 * A purge refused because it reached inside the retention period or a broken chain: an attempt to
 * remove evidence (ASVS 16.3.3), recorded in a transaction of its own (the refused one rolled back)
 * whether it came from the API, the console or the CLI (the inspector audit: it left no trace).
 */
const REFUSED = new Set(["AUDIT_RETENTION", "AUDIT_CHAIN_BROKEN"]);

async function recordRefused(deps: Deps, ctx: Ctx, body: AuditPurgeRequest, code: string): Promise<void> {
  // Not a change: it claims no Idempotency-Key, so the refused request, sent again, runs again
  // (claimed here, the refusal answered 409 "carried out" after waiting for an answer never kept).
  await inTx(deps, (trx) =>
    appendAudit(deps, trx, ctx, {
      action: "audit.purge_refused",
      target: { type: "audit", id: null, label: null },
      changes: {
        before: { after: body.before === undefined ? null : new Date(body.before).toISOString() },
        code: { after: code },
      },
      outcome: "denied",
    }),
  );
}

/** Events deleted per statement, all in the purge's one transaction (about 35 ms on SQLite). */
const PURGE_DELETE_CHUNK = 5_000;

/**
 * Two steps, so that a long backlog holds the tenant's chain (and every audited write of the
 * tenant, sign-ins included) for its delete only, not for its walk as well (docs/decisions.md,
 * "A purge walks before it takes the chain"):
 * 1. the walk of the events to purge, before the lock: they cannot change (the append-only
 *    trigger), so what it verified holds while the anchor it started from is still the anchor.
 *    It decides nothing: a refusal or a break found here is found again under the lock;
 * 2. under the lock, one transaction as before: the cut-off and the retention read again, the walk
 *    continued over what passed the horizon meanwhile (or done again from a moved anchor), the link
 *    out of the last event checked, the anchor moved, the events deleted (the trigger's own refusal
 *    rolls it all back) and the purge audited. No event at or below the anchor outlives the commit
 *    that moved it, so one there still means tampering (verify says so).
 */
async function purgeInTx(
  deps: Deps,
  ctx: Ctx,
  body: AuditPurgeRequest,
  options: { readonly quiet?: boolean },
): Promise<AuditPurgeResponse> {
  const walked = await walkBeforeLock(deps, ctx.tenantId, body);
  return inChangeTx(deps, ctx.tenantId, async (trx) => {
    // A no-op update takes the head row's lock first, so appends and other purges wait for this one.
    const head = await trx
      .updateTable("audit_heads")
      .set((eb) => ({ purged_through_seq: eb.ref("purged_through_seq") }))
      .where("tenant_id", "=", ctx.tenantId)
      .returning(["seq", "hash", "purged_through_seq", "purged_through_hash"])
      .executeTakeFirst();
    // Read after the lock: a settings change is audited, so it takes the same lock before it
    // commits, and a purge never uses a retention older than one already acknowledged.
    const { before, horizon, retentionDays } = await cutOff(deps, trx, ctx.tenantId, body);
    const store = createAuditStore(trx, ctx.tenantId);
    let purged = 0;
    let anchorSeq = head ? Number(head.purged_through_seq) : 0;
    if (head) {
      const throughSeq = await lastBefore(trx, ctx.tenantId, before, Number(head.seq));
      if (throughSeq > anchorSeq) {
        const anchor = { seq: anchorSeq, hash: head.purged_through_hash };
        const state = await walkOn(store, anchor, walked, throughSeq);
        if (!state.ok || state.lastSeq !== throughSeq) {
          throw new AppError(
            "AUDIT_CHAIN_BROKEN",
            `The chain breaks at seq ${state.firstBrokenSeq ?? state.lastSeq + 1}, inside the events to purge`,
          );
        }
        // The link out of the last one too: an event rewritten with its own hash recomputed passes
        // the walk, and only what chains to it tells (the next event's prev_hash, or the head's
        // hash when nothing follows); purging it would take the evidence and leave the break
        // blamed on an untouched event (review, 2026-12-07).
        const chainsOn =
          throughSeq < Number(head.seq)
            ? (
                await trx
                  .selectFrom("audit_events")
                  .select("prev_hash")
                  .where("tenant_id", "=", ctx.tenantId)
                  .where("seq", "=", throughSeq + 1)
                  .executeTakeFirst()
              )?.prev_hash
            : head.hash;
        if (chainsOn !== state.lastHash) {
          throw new AppError(
            "AUDIT_CHAIN_BROKEN",
            `The chain breaks after seq ${throughSeq}, where the events to purge end`,
          );
        }
        await trx
          .updateTable("audit_heads")
          .set({ purged_through_seq: throughSeq, purged_through_hash: state.lastHash })
          .where("tenant_id", "=", ctx.tenantId)
          .execute();
        for (let from = anchorSeq; from < throughSeq; from += PURGE_DELETE_CHUNK) {
          const deleted = await trx
            .deleteFrom("audit_events")
            .where("tenant_id", "=", ctx.tenantId)
            .where("seq", ">", from)
            .where("seq", "<=", Math.min(throughSeq, from + PURGE_DELETE_CHUNK))
            .executeTakeFirst();
          purged += Number(deleted.numDeletedRows);
          // On SQLite every statement runs on this thread: a turn of the event loop between chunks
          // lets reads through (a decision, a list), which the transaction does not hold.
          await new Promise((resolve) => setImmediate(resolve));
        }
        anchorSeq = throughSeq;
      }
    }
    if (options.quiet && purged === 0) return { purged, purgedThroughSeq: anchorSeq, before, horizon };
    await appendAudit(deps, trx, ctx, {
      action: "audit.purged",
      target: { type: "audit", id: null, label: null },
      changes: {
        before: { after: before },
        purged: { after: purged },
        purgedThroughSeq: { after: anchorSeq },
        retentionDays: { after: retentionDays },
      },
    });
    return { purged, purgedThroughSeq: anchorSeq, before, horizon };
  });
}

/** What a purge may reach: `before` (default: the horizon), refused past the horizon. */
async function cutOff(deps: Deps, db: Executor, tenantId: string, body: AuditPurgeRequest) {
  const tenant = await db
    .selectFrom("tenants")
    .select("settings")
    .where("id", "=", tenantId)
    .executeTakeFirst();
  if (!tenant) throw new AppError("TENANT_NOT_FOUND");
  const now = deps.clock.now().getTime();
  const retentionDays = readSettings(tenant.settings).auditRetentionDays;
  const horizon = new Date(now - retentionDays * DAY_MS).toISOString();
  const before = body.before === undefined ? horizon : new Date(body.before).toISOString();
  if (before > horizon) {
    throw new AppError(
      "AUDIT_RETENTION",
      `Events are kept for ${retentionDays} days: only events before ${horizon} may be purged`,
      { errors: [{ path: "before", message: `must not be after ${horizon}` }] },
    );
  }
  return { before, horizon, retentionDays };
}

/** The last seq of the prefix before `before`: the events before the first one at or after it. */
async function lastBefore(db: Executor, tenantId: string, before: string, headSeq: number): Promise<number> {
  const keep = await db
    .selectFrom("audit_events")
    .select((eb) => eb.fn.min("seq").as("seq"))
    .where("tenant_id", "=", tenantId)
    .where("at", ">=", before)
    .executeTakeFirst();
  return keep?.seq == null ? headSeq : Number(keep.seq) - 1;
}

interface Walked {
  readonly anchor: { readonly seq: number; readonly hash: string };
  readonly state: ChainCheck;
}

/**
 * Step 1: the walk of what the purge would take, outside any transaction. Nothing is decided here:
 * a refusal or a break found now is found again under the lock, which alone answers.
 */
async function walkBeforeLock(deps: Deps, tenantId: string, body: AuditPurgeRequest): Promise<Walked | null> {
  try {
    const store = createAuditStore(deps.db.kysely, tenantId);
    const head = await store.findHead();
    if (!head) return null;
    const { before } = await cutOff(deps, deps.db.kysely, tenantId, body);
    const throughSeq = await lastBefore(deps.db.kysely, tenantId, before, head.seq);
    if (throughSeq <= head.anchorSeq) return null;
    const anchor = { seq: head.anchorSeq, hash: head.anchorHash };
    return { anchor, state: await walkLinks(store, anchor, throughSeq) };
  } catch {
    return null;
  }
}

/**
 * Step 2's walk: continued from where step 1 stopped when the anchor is the one it started from,
 * seq and hash, and every event it walked is still there (no UPDATE passes the trigger; a DELETE
 * does at or below an anchor, which write access can move and put back: the second review's
 * script removed one event that way while step 1 walked). Else done again from the anchor.
 */
async function walkOn(
  store: AuditStore,
  anchor: { readonly seq: number; readonly hash: string },
  walked: Walked | null,
  throughSeq: number,
): Promise<ChainCheck> {
  const same = walked?.anchor.seq === anchor.seq && walked.anchor.hash === anchor.hash;
  const done = same && walked.state.ok && walked.state.lastSeq <= throughSeq ? walked.state : null;
  if (!done || (await store.countEvents(anchor.seq, done.lastSeq)) !== done.lastSeq - anchor.seq)
    return walkLinks(store, anchor, throughSeq);
  if (done.lastSeq === throughSeq) return done;
  const rest = await walkLinks(store, { seq: done.lastSeq, hash: done.lastHash }, throughSeq, true);
  return { ...rest, checked: done.checked + rest.checked };
}
