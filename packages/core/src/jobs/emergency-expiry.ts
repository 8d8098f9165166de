/**
 * An emergency elevation that runs out of time ends by itself (PRODUCT.md §2): decisions stop
 * using it at its `expiresAt` whatever this job does. The job writes down that it ended, so the
 * audit trail shows when break-the-glass access stopped (SECURITY.md K-3, K-6) and the record
 * reads `endedAt` = its time box, `endedBy` none. Like user expiry, the one cross-tenant scan;
 * each elevation is then ended inside its own tenant's transaction.
 */

import { createEmergencyStore, findRunOutAcrossTenants } from "../access/emergency.store.ts";
import { patientOfElevation } from "../access/emergency-cutoff.ts";
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
  let ended = 0;
  for (const e of await findRunOutAcrossTenants(deps.db.allTenants, at, limit)) {
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
    const store = createEmergencyStore(trx, tenantId);
    const row = await store.findById(id);
    if (!row || row.ended_at !== null || row.expires_at > at) return false;
    if (!(await store.recordRunOut(id, row.expires_at))) return false;
    const ctx: Ctx = { ...noRequest, tenantId, actor: systemActor };
    await appendAudit(deps, trx, ctx, {
      action: "emergency_access.ended",
      target: { type: "emergency_access", id, label: row.username },
      changes: {
        endedAt: { before: null, after: row.expires_at },
        cause: { before: null, after: "its time ran out" },
        ...patientOfElevation(row.patient_ref),
      },
    });
    return true;
  });
}
