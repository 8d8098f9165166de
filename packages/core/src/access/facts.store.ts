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

    /** Open elevations of each user at `now`, keyed by user id. */
    async openEmergencies(userIds: readonly string[], now: string): Promise<Map<string, EmergencyFact[]>> {
      const out = new Map<string, EmergencyFact[]>();
      if (userIds.length === 0) return out;
      const rows = await db
        .selectFrom("emergency_access")
        .select(["id", "user_id", "workspace_id", "patient_ref", "expires_at", "permissions"])
        .where("tenant_id", "=", tenantId)
        .where("user_id", "in", [...new Set(userIds)])
        .where("expires_at", ">", now)
        .where("ended_at", "is", null)
        .execute();
      for (const r of rows) {
        const fact: EmergencyFact = {
          id: r.id,
          workspaceId: r.workspace_id,
          patientRef: r.patient_ref,
          expiresAt: r.expires_at,
          permissions: new Set(parseJson<string[]>(r.permissions, [])),
        };
        const list = out.get(r.user_id);
        if (list) list.push(fact);
        else out.set(r.user_id, [fact]);
      }
      return out;
    },
  };
}
