/** SQL for the emergency-access elevations of one tenant (decisions read the open ones from the policy snapshot). */

import type { Catalog } from "../catalog/catalog.rules.ts";
import { pastKeyset } from "../db/keyset.ts";
import type { EmergencyAccessTable } from "../db/schema.ts";
import type { Executor } from "../shared/tx.ts";
import type { EmergencyFact } from "./decision.rules.ts";
import { openElevationSet } from "./emergency-set.ts";

export interface EmergencyRow extends EmergencyAccessTable {
  readonly username: string;
  readonly display_name: string;
}

export interface EmergencyListFilter {
  readonly now: string;
  readonly status?: "open" | "ended" | undefined;
  readonly reviewed?: boolean | undefined;
  /** Only this user's elevations. */
  readonly userId?: string | undefined;
}

export function createEmergencyStore(db: Executor, tenantId: string) {
  const withUser = () =>
    db
      .selectFrom("emergency_access as e")
      .innerJoin("users as u", (j) =>
        j.onRef("u.tenant_id", "=", "e.tenant_id").onRef("u.id", "=", "e.user_id"),
      )
      .selectAll("e")
      .select(["u.username", "u.display_name"])
      .where("e.tenant_id", "=", tenantId);
  return {
    async insert(row: Omit<EmergencyAccessTable, "tenant_id">): Promise<void> {
      await db
        .insertInto("emergency_access")
        .values({ ...row, tenant_id: tenantId })
        .execute();
    },

    findById(id: string): Promise<EmergencyRow | undefined> {
      return withUser().where("e.id", "=", id).executeTakeFirst();
    },

    /** Newest first, keyset-paged on (opened_at, id) descending. */
    list(filter: EmergencyListFilter, limit: number, after: readonly [string, string] | null) {
      let q = withUser().orderBy("e.opened_at", "desc").orderBy("e.id", "desc").limit(limit);
      const { now } = filter;
      if (filter.userId !== undefined) q = q.where("e.user_id", "=", filter.userId);
      if (filter.status === "open") q = q.where("e.ended_at", "is", null).where("e.expires_at", ">", now);
      if (filter.status === "ended") {
        q = q.where((eb) => eb.or([eb("e.ended_at", "is not", null), eb("e.expires_at", "<=", now)]));
      }
      if (filter.reviewed !== undefined)
        q = q.where("e.reviewed_at", filter.reviewed ? "is not" : "is", null);
      if (after) q = q.where(pastKeyset("e.opened_at", "e.id", "<", after));
      return q.execute();
    },

    /** Ends every elevation of `userId` still open at `now`; their ids (for the audit). */
    async endOpenOf(
      userId: string,
      now: string,
      by: string,
    ): Promise<{ id: string; patient_ref: string | null }[]> {
      return db
        .updateTable("emergency_access")
        .set({ ended_at: now, ended_by: by })
        .where("tenant_id", "=", tenantId)
        .where("user_id", "=", userId)
        .where("ended_at", "is", null)
        .where("expires_at", ">", now)
        .returning(["id", "patient_ref"])
        .execute();
    },

    /** Ends every elevation naming `workspaceId` still open at `now`; their ids and users (for the audit). */
    async endOpenNaming(workspaceId: string, now: string, by: string) {
      const open = await withUser()
        .where("e.workspace_id", "=", workspaceId)
        .where("e.ended_at", "is", null)
        .where("e.expires_at", ">", now)
        .execute();
      if (open.length === 0) return [];
      await db
        .updateTable("emergency_access")
        .set({ ended_at: now, ended_by: by })
        .where("tenant_id", "=", tenantId)
        .where(
          "id",
          "in",
          open.map((e) => e.id),
        )
        .execute();
      return open.map((e) => ({ id: e.id, username: e.username, patient_ref: e.patient_ref }));
    },

    /**
     * Records an elevation whose time ran out as ended at its time box; false when it is already
     * recorded (two instances running the job at once: only one audits).
     */
    async recordRunOut(id: string, endedAt: string): Promise<boolean> {
      const res = await db
        .updateTable("emergency_access")
        .set({ ended_at: endedAt })
        .where("tenant_id", "=", tenantId)
        .where("id", "=", id)
        .where("ended_at", "is", null)
        .executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },

    /** Ends an elevation that is still open at `now`; false when it had already ended or expired. */
    async end(id: string, now: string, by: string): Promise<boolean> {
      const res = await db
        .updateTable("emergency_access")
        .set({ ended_at: now, ended_by: by })
        .where("tenant_id", "=", tenantId)
        .where("id", "=", id)
        .where("ended_at", "is", null)
        .where("expires_at", ">", now)
        .executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },

    /** Records the review unless one is recorded already (false then): a review is a sign-off, once. */
    async review(id: string, at: string, by: string, note: string): Promise<boolean> {
      const res = await db
        .updateTable("emergency_access")
        .set({ reviewed_at: at, reviewed_by: by, review_note: note })
        .where("tenant_id", "=", tenantId)
        .where("id", "=", id)
        .where("reviewed_at", "is", null)
        .executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },

    /** Active, unexpired, non-virtual users on one of `roleIds`: whom to notify. */
    activeUsersWithRoles(roleIds: readonly string[], now: string) {
      if (roleIds.length === 0) return Promise.resolve([]);
      return db
        .selectFrom("users")
        .select(["id", "email", "display_name"])
        .where("tenant_id", "=", tenantId)
        .where("status", "=", "active")
        .where("virtual", "=", 0)
        .where("role_id", "in", [...roleIds])
        .where((eb) => eb.or([eb("expires_at", "is", null), eb("expires_at", ">", now)]))
        .orderBy("id")
        .execute();
    },
  };
}

/**
 * The tenant's elevations that are neither ended nor expired at `now`, grouped by user, each granting
 * what it was opened with as far as the tenant's emergency set (`setting`) still allows it.
 */
export async function loadOpenEmergencies(
  db: Executor,
  tenantId: string,
  now: string,
  catalog: Catalog,
  setting: readonly string[] | null,
): Promise<Map<string, EmergencyFact[]>> {
  const rows = await db
    .selectFrom("emergency_access")
    .select(["id", "user_id", "workspace_id", "patient_ref", "expires_at", "permissions"])
    .where("tenant_id", "=", tenantId)
    .where("ended_at", "is", null)
    .where("expires_at", ">", now)
    .execute();
  const out = new Map<string, EmergencyFact[]>();
  for (const r of rows) {
    const list = out.get(r.user_id) ?? [];
    list.push({
      id: r.id,
      workspaceId: r.workspace_id,
      patientRef: r.patient_ref,
      expiresAt: r.expires_at,
      // As the tenant's setting allows now (a settings change reloads the snapshot).
      permissions: openElevationSet(catalog, JSON.parse(r.permissions) as string[], setting),
    });
    out.set(r.user_id, list);
  }
  return out;
}

/** Elevations of every tenant whose time ran out by `at` and are not yet recorded as ended (the expiry job's scan). */
export function findRunOutAcrossTenants(
  db: Executor,
  at: string,
  limit: number,
): Promise<{ tenant_id: string; id: string }[]> {
  return db
    .selectFrom("emergency_access")
    .select(["tenant_id", "id"])
    .where("ended_at", "is", null)
    .where("expires_at", "<=", at)
    .orderBy("expires_at")
    .limit(limit)
    .execute();
}
