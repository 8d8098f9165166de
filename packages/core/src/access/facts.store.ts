/**
 * The per-decision fact that is never cached: a user's patient grants. One indexed read, made only
 * when a collaborator's patient-scoped permission needs it. (Open emergency elevations are held in
 * the policy snapshot: opening and ending one bumps the policy version.)
 */
import type { Executor } from "../shared/tx.ts";
import type { PatientGrantFact } from "./decision.rules.ts";

export function createDecisionFactsStore(db: Executor, tenantId: string) {
  return {
    /** Every grant of one patient to one user (expiry is judged by decide()). */
    async patientGrants(userId: string, patientRef: string): Promise<PatientGrantFact[]> {
      const rows = await db
        .selectFrom("patient_grants")
        .select(["id", "workspace_id", "expires_at"])
        .where("tenant_id", "=", tenantId)
        .where("patient_ref", "=", patientRef)
        .where("user_id", "=", userId)
        .execute();
      return rows.map((r) => ({ id: r.id, workspaceId: r.workspace_id, expiresAt: r.expires_at }));
    },
  };
}

/** The same facts for many decisions at once (check/batch): one read each, whatever the batch size. */
export function createBatchFactsStore(db: Executor, tenantId: string) {
  return {
    /** Grants for each (user, patient) pair, keyed `${userId}\n${patientRef}`. */
    async patientGrants(
      pairs: readonly { userId: string; patientRef: string }[],
    ): Promise<Map<string, PatientGrantFact[]>> {
      const out = new Map<string, PatientGrantFact[]>();
      if (pairs.length === 0) return out;
      const wanted = new Set(pairs.map((p) => `${p.userId}\n${p.patientRef}`));
      const rows = await db
        .selectFrom("patient_grants")
        .select(["id", "user_id", "patient_ref", "workspace_id", "expires_at"])
        .where("tenant_id", "=", tenantId)
        .where("patient_ref", "in", [...new Set(pairs.map((p) => p.patientRef))])
        .where("user_id", "in", [...new Set(pairs.map((p) => p.userId))])
        .execute();
      for (const r of rows) {
        const key = `${r.user_id}\n${r.patient_ref}`;
        if (!wanted.has(key)) continue;
        const fact = { id: r.id, workspaceId: r.workspace_id, expiresAt: r.expires_at };
        const list = out.get(key);
        if (list) list.push(fact);
        else out.set(key, [fact]);
      }
      return out;
    },
  };
}
