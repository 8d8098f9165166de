/**
 * The practice's profile: its display name and time zone (GET/PATCH /api/v1/tenant). A change runs
 * in a tenant transaction like a settings change (policy version bumped, audited as
 * `tenant.updated`), since the name is a context word of the password rule and every instance
 * must judge the next password by the new one. The ETag is the tenant row's version, which the
 * security settings share: both are one row.
 */
import type { TenantProfile, UpdateTenantProfileBody } from "@staffgate/contract";
import { appendAudit, diffChanges } from "../audit/audit-writer.ts";
import type { TenantsTable } from "../db/schema.ts";
import type { Ctx } from "../shared/context.ts";
import type { Deps } from "../shared/deps.ts";
import { AppError } from "../shared/errors.ts";
import { inTenantTx } from "../shared/tx.ts";
import { expectVersion } from "../shared/versions.ts";
import { createTenantStore } from "./tenants.store.ts";

const PROFILE_KEYS = ["name", "timeZone"] as const;

function toProfile(row: TenantsTable): TenantProfile {
  return { id: row.id, slug: row.slug, name: row.name, timeZone: row.time_zone, version: row.version };
}

export function createTenantProfileService(deps: Deps) {
  return {
    async getProfile(ctx: Ctx): Promise<TenantProfile> {
      const row = await createTenantStore(deps.db.kysely).findTenantById(ctx.tenantId);
      if (!row) throw new AppError("TENANT_NOT_FOUND");
      return toProfile(row);
    },

    /** Applies the fields present; a patch that changes nothing keeps the version and writes nothing. */
    updateProfile(ctx: Ctx, patch: UpdateTenantProfileBody, ifMatch?: number): Promise<TenantProfile> {
      return inTenantTx(deps, ctx.tenantId, async (trx) => {
        const row = await createTenantStore(trx).findTenantById(ctx.tenantId);
        if (!row) throw new AppError("TENANT_NOT_FOUND");
        expectVersion(row.version, ifMatch);
        const before = toProfile(row);
        const after = {
          ...before,
          name: patch.name ?? before.name,
          timeZone: patch.timeZone ?? before.timeZone,
        };
        const changes = diffChanges(before, after, PROFILE_KEYS);
        if (Object.keys(changes).length === 0) return before;
        const updated: TenantsTable = {
          ...row,
          name: after.name,
          time_zone: after.timeZone,
          version: row.version + 1,
          updated_at: deps.clock.now().toISOString(),
        };
        await trx
          .updateTable("tenants")
          .set({
            name: updated.name,
            time_zone: updated.time_zone,
            version: updated.version,
            updated_at: updated.updated_at,
          })
          .where("id", "=", ctx.tenantId)
          .execute();
        await appendAudit(deps, trx, ctx, {
          action: "tenant.updated",
          target: { type: "tenant", id: row.id, label: row.slug },
          changes,
        });
        return toProfile(updated);
      });
    },
  };
}

export type TenantProfileService = ReturnType<typeof createTenantProfileService>;
