/**
 * A deployment's catalogue changes between starts (a new version of a custom file, a new preset
 * release). What that does to the roles already stored, checked and done at start-up:
 *  - the every-permission role (the catalogue's `"*"` role, or the Administrator a catalogue
 *    without one gets) is brought to exactly the catalogue's keys, audited as the system's change:
 *    PRODUCT.md §2 has the Administrator hold every permission, it is locked, and nobody could
 *    grant a permission that no one holds (nor take a dropped one out of a locked role);
 *  - a key any other role (or the emergency setting) holds that the catalogue no longer has stops
 *    start-up, naming the tenants, roles and keys: left alone, the role could not be saved again
 *    (its own keys are refused as unknown) and would lose what the key implied, silently.
 * Other preset roles are the tenant's own once created and are left as they are.
 */
import type { RoleRef } from "../access/grants.rules.ts";
import { appendAudit } from "../audit/audit-writer.ts";
import { ADMINISTRATOR_NAME, type Catalog } from "../catalog/catalog.rules.ts";
import type { TenantsTable } from "../db/schema.ts";
import { type Ctx, noRequest, systemActor } from "../shared/context.ts";
import type { Deps } from "../shared/deps.ts";
import { toJson } from "../shared/json.ts";
import { foldKey } from "../shared/text.rules.ts";
import { inTenantTx } from "../shared/tx.ts";
import { readSettings } from "../tenants/settings.rules.ts";
import { createTenantStore } from "../tenants/tenants.store.ts";
import { createRoleStore } from "./roles.store.ts";
import { loadTenantRoles } from "./roles.table.ts";

const PAGE = 500;

/** Every tenant whose catalogue is loaded, with it, a page at a time. */
async function* tenantsWithCatalog(deps: Deps): AsyncGenerator<{ tenant: TenantsTable; catalog: Catalog }> {
  const store = createTenantStore(deps.db.kysely);
  let after: string | null = null;
  for (;;) {
    const page = await store.listTenants(PAGE, after);
    for (const tenant of page) {
      const catalog = deps.catalogs.get(tenant.catalog);
      // A catalogue not loaded at all is another refusal (server/tenant-catalogs.ts).
      if (catalog) yield { tenant, catalog };
    }
    if (page.length < PAGE) return;
    after = page[page.length - 1]!.id;
  }
}

/** The keys a role holds anywhere (tenant level and workspace rows) that `catalog` lacks. */
function unknownKeys(catalog: Catalog, role: RoleRef): string[] {
  const keys = new Set([...role.permissions, ...role.workspaces.flatMap((w) => w.permissions)]);
  return [...keys].filter((k) => !catalog.byKey.has(k)).sort();
}

/** Whether `role` is its tenant's every-permission role (locked system role of that name). */
function everyPermissionRole(catalog: Catalog): (role: RoleRef) => boolean {
  const stars = catalog.roles.filter((r) => r.permissions === "*").map((r) => foldKey(r.name));
  const names = new Set(stars.length > 0 ? stars : [foldKey(ADMINISTRATOR_NAME)]);
  return (role) => role.system && role.locked && role.privateUserId === null && names.has(foldKey(role.name));
}

/** What start-up learns from one read of every tenant's roles (reviewCatalogs). */
export interface CatalogReview {
  /** Null when every stored grant names a key of its tenant's catalogue; otherwise the message to stop with. */
  readonly problem: string | null;
  /** The tenants whose every-permission role does not hold exactly its catalogue's keys. */
  readonly behind: readonly string[];
}

/** Whether `role` is the every-permission role and its keys differ from `all`. */
function lagging(isEveryPermission: (role: RoleRef) => boolean, all: readonly string[]) {
  return (role: RoleRef) =>
    isEveryPermission(role) &&
    (role.permissions.length !== all.length || all.some((k) => !role.permissions.includes(k)));
}

/** One pass over every tenant's roles and settings: the refusal, and the roles to bring up to date. */
export async function reviewCatalogs(deps: Deps): Promise<CatalogReview> {
  const lines: string[] = [];
  const behind: string[] = [];
  for await (const { tenant, catalog } of tenantsWithCatalog(deps)) {
    const found: string[] = [];
    const synced = everyPermissionRole(catalog);
    const stale = lagging(
      synced,
      catalog.permissions.map((p) => p.key),
    );
    let lags = false;
    for (const role of (await loadTenantRoles(deps.db.kysely, tenant.id)).values()) {
      if (synced(role)) {
        lags ||= stale(role);
        continue;
      }
      const keys = unknownKeys(catalog, role);
      const name = role.privateUserId ? `private role ${role.id}` : `role "${role.name}"`;
      if (keys.length > 0) found.push(`${name}: ${keys.join(", ")}`);
    }
    if (lags) behind.push(tenant.id);
    const emergency = (readSettings(tenant.settings).emergencyPermissions ?? []).filter(
      (k) => !catalog.byKey.has(k),
    );
    if (emergency.length > 0) found.push(`setting emergencyPermissions: ${emergency.sort().join(", ")}`);
    if (found.length > 0) {
      lines.push(`  tenant ${tenant.slug} (catalogue "${catalog.name}" ${catalog.version}):`);
      lines.push(...found.map((f) => `    ${f}`));
    }
  }
  const problem =
    lines.length === 0
      ? null
      : [
          "Stored roles or settings hold permissions that their tenant's catalogue no longer has:",
          ...lines,
          "Put the keys back in the catalogue file, or start with the catalogue that has them and take them out of these roles and settings first.",
        ].join("\n");
  return { problem, behind };
}

/**
 * Brings the every-permission role of each of `tenantIds` (reviewCatalogs' `behind`) to its
 * catalogue's keys, audited; how many roles changed.
 */
export async function grantAddedPermissions(deps: Deps, tenantIds: readonly string[]): Promise<number> {
  let changed = 0;
  for (const tenantId of tenantIds) {
    changed += await inTenantTx(deps, tenantId, async (trx) => {
      const tenant = await createTenantStore(trx).findTenantById(tenantId);
      const catalog = tenant && deps.catalogs.get(tenant.catalog);
      if (!catalog) return 0;
      const all = catalog.permissions.map((p) => p.key);
      const stale = lagging(everyPermissionRole(catalog), all);
      let n = 0;
      const ctx: Ctx = { ...noRequest, tenantId, actor: systemActor };
      const now = deps.clock.now().toISOString();
      const store = createRoleStore(trx, tenantId);
      for (const role of (await loadTenantRoles(trx, tenantId)).values()) {
        // Read again under the tenant lock: another instance starting at once may have done it.
        if (!stale(role)) continue;
        const row = await store.findRoleById(role.id);
        if (!row) continue;
        await store.updateRole(role.id, {
          permissions: toJson(all),
          updated_at: now,
          version: row.version + 1,
        });
        await appendAudit(deps, trx, ctx, {
          action: "role.updated",
          target: { type: "role", id: role.id, label: role.name },
          changes: { permissions: { before: role.permissions, after: all } },
        });
        n += 1;
      }
      return n;
    });
  }
  return changed;
}
