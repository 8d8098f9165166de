/**
 * Every tenant's catalogue must be loaded: a tenant whose catalogue is missing (created with
 * STAFFGATE_CATALOG=/path/custom.json, restarted without it) would sign in and then be refused
 * every request, with /readyz answering 200 and nothing logged. So start-up (and every CLI command
 * on the database) stops instead, saying which tenants and what to set.
 */
import { type CatalogReview, type Core, reviewCatalogs } from "@staffgate/core";

const PAGE = 500;

/**
 * `problem` is null when every tenant's catalogue is loaded and has every key the tenant's roles
 * and settings hold (core roles/catalog-upgrade.ts), otherwise the message to stop with; `behind`
 * names the tenants whose every-permission role start-up brings up to date.
 */
export async function reviewTenantCatalogs(core: Core, configured: string): Promise<CatalogReview> {
  const unloaded = await unloadedCatalogsProblem(core, configured);
  if (unloaded) return { problem: unloaded, behind: [] };
  return reviewCatalogs(core.deps);
}

/** Null when every tenant's catalogue is loaded; otherwise the message to stop with. */
async function unloadedCatalogsProblem(core: Core, configured: string): Promise<string | null> {
  const missing = new Map<string, string[]>();
  let cursor: string | null = null;
  do {
    const page = await core.tenants.listTenants(PAGE, cursor);
    for (const tenant of page.items) {
      if (core.deps.catalogs.get(tenant.catalog)) continue;
      missing.set(tenant.catalog, [...(missing.get(tenant.catalog) ?? []), tenant.slug]);
    }
    cursor = page.nextCursor;
  } while (cursor);
  if (missing.size === 0) return null;
  const lines = [...missing].map(
    ([catalog, slugs]) =>
      `  catalogue "${catalog}": tenant${slugs.length > 1 ? "s" : ""} ${[...slugs].sort().join(", ")}`,
  );
  return [
    "Tenants use a permission catalogue that is not loaded:",
    ...lines,
    `Set STAFFGATE_CATALOG (now "${configured}") to the JSON file of that catalogue, as when the tenants were created.`,
    `Loaded: ${core.deps.catalogs.names().join(", ")}.`,
  ].join("\n");
}
