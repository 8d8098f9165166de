/**
 * The tenant security policy (PRODUCT.md §5): read and change it. A change runs in a tenant
 * transaction, which bumps the policy version, so every instance's decision cache and the next
 * sign-in see it at once; the settings' own version is the tenant row's `version` (the ETag).
 * The bounds are validated by the contract (UpdateSettingsBody) before this runs.
 */
import type { Settings, UpdateSettingsBody } from "@staffgate/contract";
import { currentHolder } from "../access/current-holder.ts";
import { emergencyPermissionSet } from "../access/emergency-set.ts";
import { appendAudit, diffChanges } from "../audit/audit-writer.ts";
import type { Caller } from "../auth/caller.ts";
import { confineUnenrolledSessions } from "../auth/mfa-confine.ts";
import type { Catalog } from "../catalog/catalog.rules.ts";
import type { TenantsTable } from "../db/schema.ts";
import { loadRolesById } from "../roles/roles.table.ts";
import type { Ctx } from "../shared/context.ts";
import type { Deps } from "../shared/deps.ts";
import { AppError, invalid } from "../shared/errors.ts";
import { inTenantTx, type Trx } from "../shared/tx.ts";
import { expectVersion } from "../shared/versions.ts";
import { ensureCoversRole } from "../users/user-input.ts";
import { DEFAULT_SETTINGS, readSettings, type TenantSettings } from "./settings.rules.ts";
import { createTenantStore } from "./tenants.store.ts";

export const SETTINGS_KEYS = Object.keys(DEFAULT_SETTINGS) as (keyof TenantSettings & string)[];

/** Only the known fields, whatever else an older or newer build left in the JSON. */
export function pickSettings(settings: TenantSettings): TenantSettings {
  const out: Record<string, unknown> = {};
  for (const key of SETTINGS_KEYS) out[key] = settings[key];
  return out as unknown as TenantSettings;
}

/**
 * The default role for provisioned users must be one of the tenant's formal roles (never a private
 * one), and one the setter could give by hand: every user the identity provider sends without a
 * group gets it (pentest audit, 2026-12-06: a limited administrator named the Administrator role,
 * and the next hire provisioned held it).
 */
async function ensureDefaultRole(trx: Trx, caller: Caller, tenantId: string, roleId: string): Promise<void> {
  const role = (await loadRolesById(trx, tenantId, [roleId])).get(roleId);
  if (!role || role.privateUserId !== null) {
    throw invalid("scimDefaultRoleId", "is not one of the tenant's roles");
  }
  ensureCoversRole(caller, await currentHolder(trx, caller), role, "scimDefaultRoleId");
}

/** An emergency set may only narrow the default one: patient permissions a collaborator may hold. */
function ensureEmergencySet(catalog: Catalog, keys: readonly string[]): void {
  const allowed = new Set(emergencyPermissionSet(catalog));
  keys.forEach((key, i) => {
    if (!allowed.has(key)) {
      throw invalid(
        `emergencyPermissions.${i}`,
        `is not a patient-scoped permission an emergency may grant (one of: ${[...allowed].sort().join(", ")})`,
      );
    }
  });
}

function toSettings(row: TenantsTable): Settings {
  return { ...pickSettings(readSettings(row.settings)), version: row.version };
}

export function createSettingsService(deps: Deps) {
  return {
    async getSettings(ctx: Ctx): Promise<Settings> {
      const row = await createTenantStore(deps.db.kysely).findTenantById(ctx.tenantId);
      if (!row) throw new AppError("TENANT_NOT_FOUND");
      return toSettings(row);
    },

    /** Applies the fields present in `patch`; a no-op patch changes nothing and keeps the version. */
    /**
     * `keepSessionId`: the session making the change is not confined to MFA enrolment by it (the
     * administrator turning the requirement on would lose the page mid-change); it is at its next
     * sign-in.
     */
    async updateSettings(
      caller: Caller,
      ctx: Ctx,
      patch: UpdateSettingsBody,
      ifMatch?: number,
      keepSessionId: string | null = null,
    ): Promise<Settings> {
      return inTenantTx(deps, ctx.tenantId, async (trx) => {
        // The tenant row is locked by the policy-version bump of inTenantTx.
        const row = await createTenantStore(trx).findTenantById(ctx.tenantId);
        if (!row) throw new AppError("TENANT_NOT_FOUND");
        expectVersion(row.version, ifMatch);
        const before = pickSettings(readSettings(row.settings));
        const after: Record<string, unknown> = { ...before };
        for (const key of SETTINGS_KEYS) {
          const value = patch[key];
          if (value !== undefined) after[key] = value;
        }
        const next = after as unknown as TenantSettings;
        if (patch.scimDefaultRoleId && patch.scimDefaultRoleId !== before.scimDefaultRoleId)
          await ensureDefaultRole(trx, caller, ctx.tenantId, patch.scimDefaultRoleId);
        if (patch.emergencyPermissions) {
          const catalog = deps.catalogs.get(row.catalog);
          if (catalog) ensureEmergencySet(catalog, patch.emergencyPermissions);
          after.emergencyPermissions = [...new Set(patch.emergencyPermissions)].sort();
        }
        const changes = diffChanges(before as unknown as Record<string, unknown>, after, SETTINGS_KEYS);
        if (Object.keys(changes).length === 0) return toSettings(row);
        const updated: TenantsTable = {
          ...row,
          settings: JSON.stringify(next),
          version: row.version + 1,
          updated_at: deps.clock.now().toISOString(),
        };
        await trx
          .updateTable("tenants")
          .set({ settings: updated.settings, version: updated.version, updated_at: updated.updated_at })
          .where("id", "=", ctx.tenantId)
          .execute();
        const confined =
          next.mfaRequired !== before.mfaRequired
            ? await confineUnenrolledSessions(deps, trx, ctx.tenantId, next, keepSessionId)
            : 0;
        await appendAudit(deps, trx, ctx, {
          action: "settings.updated",
          target: { type: "tenant", id: row.id, label: row.slug },
          changes: confined > 0 ? { ...changes, sessionsConfinedToEnrolment: { after: confined } } : changes,
        });
        return toSettings(updated);
      });
    },
  };
}

export type SettingsService = ReturnType<typeof createSettingsService>;
