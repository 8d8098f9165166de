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
import { inChangeTx } from "../shared/tx.ts";
import { readSettings } from "../tenants/settings.rules.ts";
import { createAuditStore } from "./audit.store.ts";
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
  await inChangeTx(deps, ctx.tenantId, (trx) =>
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

async function purgeInTx(
  deps: Deps,
  ctx: Ctx,
  body: AuditPurgeRequest,
  options: { readonly quiet?: boolean },
): Promise<AuditPurgeResponse> {
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
    const tenant = await trx
      .selectFrom("tenants")
      .select("settings")
      .where("id", "=", ctx.tenantId)
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

    const store = createAuditStore(trx, ctx.tenantId);
    let purged = 0;
    let anchorSeq = head ? Number(head.purged_through_seq) : 0;
    if (head) {
      const keep = await trx
        .selectFrom("audit_events")
        .select((eb) => eb.fn.min("seq").as("seq"))
        .where("tenant_id", "=", ctx.tenantId)
        .where("at", ">=", before)
        .executeTakeFirst();
      const throughSeq = keep?.seq == null ? Number(head.seq) : Number(keep.seq) - 1;
      if (throughSeq > anchorSeq) {
        const state = await walkLinks(store, { seq: anchorSeq, hash: head.purged_through_hash }, throughSeq);
        if (!state.ok || state.lastSeq !== throughSeq) {
          throw new AppError(
            "AUDIT_CHAIN_BROKEN",
            `The chain breaks at seq ${state.firstBrokenSeq ?? state.lastSeq + 1}, inside the events to purge`,
          );
        }
        // The link out of the last one too: an event rewritten with its own hash recomputed passes
        // the walk, and only what chains to it tells (the next event's prev_hash, or the head's
        // hash when nothing follows); deleting it would take the evidence and leave the break
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
        const deleted = await trx
          .deleteFrom("audit_events")
          .where("tenant_id", "=", ctx.tenantId)
          .where("seq", "<=", throughSeq)
          .executeTakeFirst();
        purged = Number(deleted.numDeletedRows);
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
