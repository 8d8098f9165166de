/**
 * An emergency elevation that runs out of time ends by itself (PRODUCT.md §2): decisions stop
 * using it at its `expiresAt` whatever this job does. The job writes down that it ended, so the
 * audit trail shows when break-the-glass access stopped (SECURITY.md K-3, K-6) and the record
 * reads `endedAt` = its time box, `endedBy` none. Like user expiry, the one cross-tenant scan;
 * each elevation is then ended inside its own tenant's transaction.
 */
import { appendAudit } from "../audit/audit-writer.ts";
import { type Ctx, noRequest, systemActor } from "../shared/context.ts";
import type { Deps } from "../shared/deps.ts";
import { inTenantTx } from "../shared/tx.ts";

/** Ends (on the record) every elevation whose time ran out by `at`; how many this pass. */
export async function recordRunOutElevations(
  deps: Deps,
  at: string,
  limit: number,
  errors: unknown[],
): Promise<number> {
  const due = await deps.db.kysely
    .selectFrom("emergency_access")
    .select(["tenant_id", "id"])
    .where("ended_at", "is", null)
    .where("expires_at", "<=", at)
    .orderBy("expires_at")
    .limit(limit)
    .execute();
  let ended = 0;
  for (const e of due) {
    try {
      if (await recordOne(deps, e.tenant_id, e.id, at)) ended += 1;
    } catch (error) {
      errors.push(error);
    }
  }
  return ended;
}

async function recordOne(deps: Deps, tenantId: string, id: string, at: string): Promise<boolean> {
  return inTenantTx(deps, tenantId, async (trx) => {
    const row = await trx
      .selectFrom("emergency_access as e")
      .innerJoin("users as u", (j) =>
        j.onRef("u.tenant_id", "=", "e.tenant_id").onRef("u.id", "=", "e.user_id"),
      )
      .select(["e.expires_at", "u.username"])
      .where("e.tenant_id", "=", tenantId)
      .where("e.id", "=", id)
      .where("e.ended_at", "is", null)
      .where("e.expires_at", "<=", at)
      .executeTakeFirst();
    if (!row) return false;
    // Conditional: when two instances run at once only the one whose update changed the row audits.
    const res = await trx
      .updateTable("emergency_access")
      .set({ ended_at: row.expires_at })
      .where("tenant_id", "=", tenantId)
      .where("id", "=", id)
      .where("ended_at", "is", null)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) return false;
    const ctx: Ctx = { ...noRequest, tenantId, actor: systemActor };
    await appendAudit(deps, trx, ctx, {
      action: "emergency_access.ended",
      target: { type: "emergency_access", id, label: row.username },
      changes: {
        endedAt: { before: null, after: row.expires_at },
        cause: { before: null, after: "its time ran out" },
      },
    });
    return true;
  });
}
