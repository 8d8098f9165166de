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

/**
 * What an open elevation grants now: the set it was opened with, within the tenant's set as it is
 * now, each with what it implies. A setting narrowed while an elevation is open narrows it at the
 * very next decision (issue 5 item 5: a settings change is seen at once); a widened setting does
 * not widen it (that takes a new elevation, with its own reason).
 */
export function openElevationSet(
  catalog: Catalog,
  opened: readonly string[],
  setting: readonly string[] | null,
): Set<string> {
  const closed = (keys: readonly string[]) => {
    const all = new Set(keys);
    for (const k of keys) for (const implied of catalog.closure.get(k) ?? []) all.add(implied);
    return all;
  };
  const allowedNow = closed(tenantEmergencySet(catalog, setting));
  return new Set([...closed(opened)].filter((key) => allowedNow.has(key)));
}
