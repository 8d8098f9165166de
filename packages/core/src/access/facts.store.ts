/**
 * The per-decision fact that is never cached: a user's patient grants. One indexed read per
 * decision or batch, made only when a collaborator's patient-scoped permission needs it. (Open
 * emergency elevations are held in the policy snapshot: opening and ending one bumps the policy
 * version.)
 */
import { sql } from "kysely";
import { jsonList } from "../db/json-list.ts";
import { namedPrepared } from "../db/named-prepared.ts";
import { planStable } from "../db/plan-stable.ts";
import type { Executor } from "../shared/tx.ts";
import type { PatientGrantFact } from "./decision.rules.ts";

interface GrantRow {
  id: string;
  user_id: string;
  patient_ref: string;
  workspace_id: string | null;
  expires_at: string | null;
}

/**
 * The grants of a list of (user, patient) pairs, the pairs passed as one JSON text (db/json-list.ts).
 * Each pair is one lookup on patient_grants_patient_idx (tenant_id, patient_ref, user_id).
 */
const grantsOfPairs = namedPrepared<{ pairs: string; tenantId: string }, GrantRow>(
  "staffgate_grants_of_pairs",
  ["pairs", "tenantId"],
  (db, v) => {
    const { from, item } = jsonList(db, v.pairs, "p");
    return db
      .selectFrom(from)
      .innerJoin("patient_grants as g", (join) =>
        join
          .on("g.tenant_id", "=", planStable(v.tenantId))
          .on(sql<boolean>`g.patient_ref = ${item(1)}`)
          .on(sql<boolean>`g.user_id = ${item(0)}`),
      )
      .select(["g.id", "g.user_id", "g.patient_ref", "g.workspace_id", "g.expires_at"]);
  },
);

/** The same facts for many decisions at once (check/batch): one read each, whatever the batch size. */
export function createBatchFactsStore(db: Executor, tenantId: string) {
  return {
    /** Grants for each (user, patient) pair, keyed `${userId}\n${patientRef}`. */
    async patientGrants(
      pairs: readonly { userId: string; patientRef: string }[],
    ): Promise<Map<string, PatientGrantFact[]>> {
      const out = new Map<string, PatientGrantFact[]>();
      if (pairs.length === 0) return out;
      const wanted = new Map(pairs.map((p) => [`${p.userId}\n${p.patientRef}`, [p.userId, p.patientRef]]));
      const rows = await grantsOfPairs.rows(db, { pairs: JSON.stringify([...wanted.values()]), tenantId });
      for (const r of rows) {
        const key = `${r.user_id}\n${r.patient_ref}`;
        const fact = { id: r.id, workspaceId: r.workspace_id, expiresAt: r.expires_at };
        const list = out.get(key);
        if (list) list.push(fact);
        else out.set(key, [fact]);
      }
      return out;
    },
  };
}
