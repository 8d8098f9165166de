/** What an emergency elevation grants (PRODUCT.md §2): a tenant setting, by default the widest set. */
import type { Catalog } from "../catalog/catalog.rules.ts";

/** Every patient-scoped permission of the catalogue that is not `forbidden` for collaborators. */
export function emergencyPermissionSet(catalog: Catalog): string[] {
  return catalog.permissions
    .filter((p) => p.patientScoped && p.collaborator !== "forbidden")
    .map((p) => p.key);
}

/**
 * The tenant's set: its setting (null: the default), less anything the catalogue no longer allows
 * (a catalogue changed since the setting was saved never widens it).
 */
export function tenantEmergencySet(catalog: Catalog, setting: readonly string[] | null): string[] {
  const allowed = emergencyPermissionSet(catalog);
  if (setting === null) return allowed;
  const chosen = new Set(setting);
  return allowed.filter((key) => chosen.has(key));
}
