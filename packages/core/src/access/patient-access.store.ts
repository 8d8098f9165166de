/** SQL for the patient access grants of one tenant (the decision reads them in facts.store.ts). */

import type { Selectable } from "kysely";
import { pastKeyset } from "../db/keyset.ts";
import type { PatientGrantsTable } from "../db/schema.ts";
import type { Executor } from "../shared/tx.ts";

/** A new grant; its version is the number of the audit event that records it. */
export type NewPatientGrant = Omit<PatientGrantsTable, "tenant_id" | "version"> & {
  readonly version: number;
};

export interface PatientGrantRow extends Selectable<PatientGrantsTable> {
  readonly username: string;
  readonly display_name: string;
  readonly user_status: "invited" | "active" | "inactive" | "archived";
}

export function createPatientAccessStore(db: Executor, tenantId: string) {
  const withUser = () =>
    db
      .selectFrom("patient_grants as g")
      .innerJoin("users as u", (j) =>
        j.onRef("u.tenant_id", "=", "g.tenant_id").onRef("u.id", "=", "g.user_id"),
      )
      .selectAll("g")
      .select(["u.username", "u.display_name", "u.status as user_status"])
      .where("g.tenant_id", "=", tenantId);
  return {
    /** Grants on one patient, oldest first, keyset-paged on (created_at, id). */
    listForPatient(options: {
      patientRef: string;
      limit: number;
      after: readonly [string, string] | null;
      liveAt: string | null;
    }): Promise<PatientGrantRow[]> {
      let q = withUser()
        .where("g.patient_ref", "=", options.patientRef)
        .orderBy("g.created_at")
        .orderBy("g.id")
        .limit(options.limit);
      if (options.liveAt !== null) {
        const now = options.liveAt;
        q = q.where((eb) => eb.or([eb("g.expires_at", "is", null), eb("g.expires_at", ">", now)]));
      }
      if (options.after) q = q.where(pastKeyset("g.created_at", "g.id", ">", options.after));
      return q.execute();
    },

    findGrantById(id: string): Promise<PatientGrantRow | undefined> {
      return withUser().where("g.id", "=", id).executeTakeFirst();
    },

    /** The one grant of (user, patient, workspace), live or expired; workspaceId null means "every workspace". */
    findGrant(userId: string, patientRef: string, workspaceId: string | null) {
      const q = db
        .selectFrom("patient_grants")
        .selectAll()
        .where("tenant_id", "=", tenantId)
        .where("user_id", "=", userId)
        .where("patient_ref", "=", patientRef);
      return (
        workspaceId === null ? q.where("workspace_id", "is", null) : q.where("workspace_id", "=", workspaceId)
      )
        .orderBy("created_at")
        .orderBy("id")
        .executeTakeFirst();
    },

    async insertGrant(row: NewPatientGrant): Promise<void> {
      await db
        .insertInto("patient_grants")
        .values({ ...row, tenant_id: tenantId })
        .execute();
    },

    async refreshGrant(
      id: string,
      patch: Pick<PatientGrantsTable, "granted_by" | "reason" | "expires_at">,
    ): Promise<void> {
      await db
        .updateTable("patient_grants")
        .set((eb) => ({ ...patch, version: eb("version", "+", 1) }))
        .where("tenant_id", "=", tenantId)
        .where("id", "=", id)
        .execute();
    },

    /** A user's grants on a patient (optionally only the one for `workspaceId`). */
    grantsOf(userId: string, patientRef: string, workspaceId: string | undefined) {
      let q = db
        .selectFrom("patient_grants")
        .selectAll()
        .where("tenant_id", "=", tenantId)
        .where("user_id", "=", userId)
        .where("patient_ref", "=", patientRef);
      if (workspaceId !== undefined) q = q.where("workspace_id", "=", workspaceId);
      return q.orderBy("created_at").orderBy("id").execute();
    },

    async deleteGrants(ids: readonly string[]): Promise<void> {
      if (ids.length === 0) return;
      await db
        .deleteFrom("patient_grants")
        .where("tenant_id", "=", tenantId)
        .where("id", "in", [...ids])
        .execute();
    },
  };
}

/**
 * Serialises the tenant's writers without bumping its policy version (patient grants and
 * elevations are read fresh by every decision, so no cache needs telling): PostgreSQL locks the
 * tenant row FOR NO KEY UPDATE, the lock every `inTenantTx`'s UPDATE takes too; on SQLite every
 * transaction holds the file's write lock from its BEGIN IMMEDIATE (db/database.ts). Returns false when the tenant does not exist.
 *
 * Not FOR UPDATE: that one also blocks the FOR KEY SHARE lock that inserting any row referencing
 * the tenant takes (the foreign key check), so an audit-only transaction holding the audit head
 * and inserting its event, against this one holding the tenant and waiting for the audit head,
 * deadlocked (a 500, and a lost failed-sign-in count; found by the concurrency audit).
 */
export async function lockTenantRow(
  db: Executor,
  dialect: "sqlite" | "postgres",
  tenantId: string,
): Promise<boolean> {
  let q = db.selectFrom("tenants").select("id").where("id", "=", tenantId);
  if (dialect === "postgres") q = q.forNoKeyUpdate();
  return (await q.executeTakeFirst()) !== undefined;
}
