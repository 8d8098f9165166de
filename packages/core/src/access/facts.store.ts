/**
 * The per-decision facts that are never cached: a user's patient grants and open emergency
 * elevations. Each is one indexed read, made only when the decision needs it.
 */

import { parseJson } from "../shared/json.ts";
import type { Executor } from "../shared/tx.ts";
import type { EmergencyFact, PatientGrantFact } from "./decision.rules.ts";

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

    /** The user's elevations that have not expired or been ended by hand at `now`. */
    async openEmergencies(userId: string, now: string): Promise<EmergencyFact[]> {
      const rows = await db
        .selectFrom("emergency_access")
        .select(["id", "workspace_id", "patient_ref", "expires_at", "permissions"])
        .where("tenant_id", "=", tenantId)
        .where("user_id", "=", userId)
        .where("expires_at", ">", now)
        .where("ended_at", "is", null)
        .execute();
      return rows.map((r) => ({
        id: r.id,
        workspaceId: r.workspace_id,
        patientRef: r.patient_ref,
        expiresAt: r.expires_at,
        permissions: new Set(parseJson<string[]>(r.permissions, [])),
      }));
    },
  };
}
