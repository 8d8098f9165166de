/**
 * What a patient access grant unlocks, and whether its grantor could have granted that (pure).
 *
 * A collaborator's patient-scoped permissions hold only for patients with a live grant
 * (PRODUCT.md §3 step 5), so a grant on one patient makes those permissions hold for that patient:
 * it grants them. No privilege escalation (PRODUCT.md §2) then asks that the grantor hold each of
 * them, in the same place and without the collaborator restriction, before giving them away. A
 * permission the grantee already holds without restriction, or never holds, is unaffected by a
 * grant and asks nothing of the grantor.
 */
import type { Catalog } from "../catalog/catalog.rules.ts";
import { type Excess, excessOver, type Holder, type RoleGrants } from "./grants.rules.ts";

/** Permissions a grant makes hold in one place: tenant level (`null`) or one workspace. */
export interface Unlocked {
  readonly workspaceId: string | null;
  readonly permissions: readonly string[];
}

/** A patient grant unlocks a key a collaborator holds: patient-scoped and not forbidden to them. */
function needsGrant(catalog: Catalog, key: string): boolean {
  const p = catalog.byKey.get(key);
  return p?.patientScoped === true && p.collaborator !== "forbidden";
}

const isTenantOnly = (catalog: Catalog, key: string) => catalog.byKey.get(key)?.scope === "tenant";

/**
 * The keys `holder` has in a place only as a collaborator, i.e. those a patient grant would make
 * hold there. Judged as decide() judges them: the tenant level is the user's role; in a workspace
 * the per-workspace role (or else the user's role) applies, its tenant-level keys first, then its
 * row for that workspace; tenant-only keys are always the tenant level's.
 */
export function collaboratorOnlyAt(catalog: Catalog, holder: Holder, workspaceId: string | null): string[] {
  const out = new Set<string>();
  const add = (perms: readonly string[], collaborator: boolean, skip: ReadonlySet<string>) => {
    if (!collaborator) return;
    for (const k of perms) {
      for (const c of catalog.closure.get(k) ?? []) {
        if (skip.has(c) || !needsGrant(catalog, c)) continue;
        if (workspaceId !== null && isTenantOnly(catalog, c)) continue;
        out.add(c);
      }
    }
  };
  const role: RoleGrants = (workspaceId && holder.workspaceRoles.get(workspaceId)) || holder.role;
  add(role.permissions, role.collaborator, new Set());
  if (workspaceId !== null) {
    // The row counts only for keys the role does not already grant at tenant level (decide()).
    const atTenantLevel = new Set<string>();
    for (const k of role.permissions) for (const c of catalog.closure.get(k) ?? []) atTenantLevel.add(c);
    const row = role.workspaces.find((w) => w.workspaceId === workspaceId);
    if (row) add(row.permissions, row.collaborator, atTenantLevel);
  }
  return [...out].sort();
}

/** Every workspace where either holder's grants differ from its tenant-level ones. */
function workspacesOf(...holders: Holder[]): string[] {
  const out = new Set<string>();
  for (const h of holders) {
    for (const w of h.workspaceRoles.keys()) out.add(w);
    for (const row of h.role.workspaces) out.add(row.workspaceId);
  }
  return [...out].sort();
}

/**
 * What a grant to `grantee` unlocks: limited to one workspace, the keys it holds only as a
 * collaborator there (and its tenant-only ones, which a check naming that workspace also
 * reaches); for every workspace, those of the tenant level and of each workspace. A workspace
 * named by neither holder is the tenant level again, so it needs no place of its own.
 */
export function unlockedByPatientGrant(
  catalog: Catalog,
  grantee: Holder,
  grantWorkspaceId: string | null,
  grantor?: Holder,
): Unlocked[] {
  const places: Unlocked[] = [];
  const push = (workspaceId: string | null, permissions: readonly string[]) => {
    if (permissions.length > 0) places.push({ workspaceId, permissions });
  };
  if (grantWorkspaceId !== null) {
    push(
      null,
      collaboratorOnlyAt(catalog, grantee, null).filter((k) => isTenantOnly(catalog, k)),
    );
    push(grantWorkspaceId, collaboratorOnlyAt(catalog, grantee, grantWorkspaceId));
    return places;
  }
  push(null, collaboratorOnlyAt(catalog, grantee, null));
  for (const w of workspacesOf(grantee, ...(grantor ? [grantor] : []))) {
    push(w, collaboratorOnlyAt(catalog, grantee, w));
  }
  return places;
}

const NO_WORKSPACE_ROLES: ReadonlyMap<string, RoleGrants> = new Map();

/**
 * The permissions a patient grant would give `grantee` that `grantor` does not hold in the same
 * place without the collaborator restriction (excessOver's notion of holding, and decide()'s:
 * a grantor who holds a key only as a collaborator holds it for granted patients only, so it
 * cannot unlock it for any patient). Empty means the grantor may make the grant.
 */
export function patientGrantExcess(
  catalog: Catalog,
  grantor: Holder,
  grantee: Holder,
  grantWorkspaceId: string | null,
): Excess[] {
  const out: Excess[] = [];
  for (const place of unlockedByPatientGrant(catalog, grantee, grantWorkspaceId, grantor)) {
    const unlocked = new Set(place.permissions);
    // Each place on its own: at tenant level only the grantor's role counts (a per-workspace role
    // of theirs is judged as its own place, if the grant reaches it).
    const excess =
      place.workspaceId === null
        ? excessOver(
            catalog,
            { role: grantor.role, workspaceRoles: NO_WORKSPACE_ROLES },
            { permissions: place.permissions, collaborator: false, workspaces: [] },
          )
        : excessOver(catalog, grantor, {
            permissions: [],
            collaborator: false,
            workspaces: [
              { workspaceId: place.workspaceId, permissions: place.permissions, collaborator: false },
            ],
          });
    const short = new Set(excess.filter((e) => unlocked.has(e.permission)).map((e) => e.permission));
    for (const k of collaboratorOnlyAt(catalog, grantor, place.workspaceId)) {
      if (unlocked.has(k)) short.add(k);
    }
    for (const permission of [...short].sort()) out.push({ workspaceId: place.workspaceId, permission });
  }
  return out;
}
