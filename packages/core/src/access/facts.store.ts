/**
 * The per-decision fact that is never cached: a user's patient grants. One indexed read, made only
 * when a collaborator's patient-scoped permission needs it. (Open emergency elevations are held in
 * the policy snapshot: opening and ending one bumps the policy version.)
 */
import { PostgresAdapter, sql } from "kysely";
import { namedPrepared } from "../db/named-prepared.ts";
import { planStable } from "../db/plan-stable.ts";
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

interface GrantRow {
  id: string;
  user_id: string;
  patient_ref: string;
  workspace_id: string | null;
  expires_at: string | null;
}

/**
 * The grants of a list of (user, patient) pairs, the pairs passed as one JSON text: one statement
 * text whatever the batch, so it is prepared once (SQLite's statement cache) or planned once per
 * connection (PostgreSQL), where `IN (…)` lists of every length were a new statement each time.
 * Each pair is one lookup on patient_grants_patient_idx (tenant_id, patient_ref, user_id).
 */
const grantsOfPairs = namedPrepared<{ pairs: string; tenantId: string }, GrantRow>(
  "staffgate_grants_of_pairs",
  ["pairs", "tenantId"],
  (db, v) => {
    const pg = db.getExecutor().adapter instanceof PostgresAdapter;
    const pairs = pg
      ? sql<{ value: unknown }>`jsonb_array_elements(cast(${v.pairs} as jsonb))`.as("p")
      : sql<{ value: unknown }>`json_each(${v.pairs})`.as("p");
    const [user, patient] = pg
      ? [sql`p.value->>0`, sql`p.value->>1`]
      : [sql`json_extract(p.value, '$[0]')`, sql`json_extract(p.value, '$[1]')`];
    return db
      .selectFrom(pairs)
      .innerJoin("patient_grants as g", (join) =>
        join
          .on("g.tenant_id", "=", planStable(v.tenantId))
          .on(sql<boolean>`g.patient_ref = ${patient}`)
          .on(sql<boolean>`g.user_id = ${user}`),
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
