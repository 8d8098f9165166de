/** What a role grants, and whether one set of grants covers another (pure). */
import type { Catalog } from "../catalog/catalog.rules.ts";

export interface WorkspaceGrant {
  readonly workspaceId: string;
  readonly permissions: readonly string[];
  readonly collaborator: boolean;
}

/** A role's grants: tenant-level permissions and per-workspace rows (PRODUCT.md §2). */
export interface RoleGrants {
  readonly permissions: readonly string[];
  readonly collaborator: boolean;
  readonly workspaces: readonly WorkspaceGrant[];
}

export interface RoleRef extends RoleGrants {
  readonly id: string;
  readonly name: string;
  readonly locked: boolean;
  readonly system: boolean;
  readonly privateUserId: string | null;
}

/** Keys granted at tenant level, implications followed. */
export function tenantLevelKeys(catalog: Catalog, role: RoleGrants): Set<string> {
  const out = new Set<string>();
  for (const k of role.permissions) for (const c of catalog.closure.get(k) ?? []) out.add(c);
  return out;
}

/** True when `role` holds `key` at tenant level. Tenant-only permissions exist only there. */
export function holdsAtTenantLevel(catalog: Catalog, role: RoleGrants, key: string): boolean {
  return role.permissions.some((k) => catalog.closure.get(k)?.has(key));
}

/** A per-workspace role applies only in its workspace: its tenant-level grants become that workspace's row. */
export function grantsInWorkspace(role: RoleGrants, workspaceId: string): RoleGrants {
  return {
    permissions: [],
    collaborator: false,
    workspaces: [
      { workspaceId, permissions: role.permissions, collaborator: role.collaborator },
      ...role.workspaces.filter((w) => w.workspaceId === workspaceId),
    ],
  };
}

/** A holder of tenant-wide grants, and per workspace the role that applies there. */
export interface Holder {
  readonly role: RoleGrants;
  readonly workspaceRoles: ReadonlyMap<string, RoleGrants>;
  /**
   * The holder's active workspaces (PRODUCT.md §2: no permission applies in a workspace the user is
   * not active in): in any other workspace the holder holds nothing, so grants nothing there.
   */
  readonly activeIn: "all" | ReadonlySet<string>;
}

export function isActiveIn(holder: Pick<Holder, "activeIn">, workspaceId: string): boolean {
  return holder.activeIn === "all" || holder.activeIn.has(workspaceId);
}

/**
 * The workspaces that `access` reaches and `actor` is not active in: [] when none, "all" when
 * `access` is every workspace (including those created later) and the actor's is a list. Giving
 * someone access there, or acting on someone active there, would reach beyond the actor's own
 * (found by the issue 3 re-walk: an administrator limited to one workspace widened their own
 * access, and others', to every workspace).
 */
export function accessBeyond(
  actor: Pick<Holder, "activeIn">,
  access: "all" | Iterable<string>,
): "all" | string[] {
  if (actor.activeIn === "all") return [];
  if (access === "all") return "all";
  return [...new Set(access)].filter((w) => !isActiveIn(actor, w));
}

interface Capability {
  readonly keys: ReadonlySet<string>;
  /** Keys the holder has only as a collaborator (restricted to granted patients). */
  readonly collaboratorKeys: ReadonlySet<string>;
}

function capabilityIn(catalog: Catalog, holder: Holder, workspaceId: string | null): Capability {
  const keys = new Set<string>();
  const collaboratorKeys = new Set<string>();
  if (workspaceId !== null && !isActiveIn(holder, workspaceId)) return { keys, collaboratorKeys };
  const role = (workspaceId && holder.workspaceRoles.get(workspaceId)) || holder.role;
  const add = (perms: readonly string[], collaborator: boolean) => {
    for (const k of perms) {
      for (const c of catalog.closure.get(k) ?? []) {
        if (collaborator && catalog.byKey.get(c)?.patientScoped) {
          if (!keys.has(c)) collaboratorKeys.add(c);
        } else {
          keys.add(c);
          collaboratorKeys.delete(c);
        }
      }
    }
  };
  add(role.permissions, role.collaborator);
  if (workspaceId) {
    const row = role.workspaces.find((w) => w.workspaceId === workspaceId);
    if (row) add(row.permissions, row.collaborator);
  }
  return { keys, collaboratorKeys };
}

/**
 * What creating or uploading a patient takes (DOMAIN.md §3.5 rule 3, ProKnow: "Write Patients" and
 * "View PHI"), each where the catalogue has it. A collaborator's restricted hold counts: creating
 * the patient is how a collaborator comes to hold it.
 */
export const PATIENT_CREATION_KEYS = ["patients.write", "patients.phi"] as const;

/** What a holder lacks, to create patients, in a catalogue with none of PATIENT_CREATION_KEYS. */
export const ANY_PATIENT_PERMISSION = "a patient-scoped permission";

/**
 * The patient-creation permissions `holder` lacks in `workspaceId` (at tenant level when null),
 * in the catalogue's order; [] when it could have created a patient there. Nothing applies in a
 * workspace the holder is not active in, so there it lacks them all. A catalogue of its own with
 * neither key asks for any patient-scoped permission there (ANY_PATIENT_PERMISSION when none):
 * asking for nothing believed the report of anyone, in any workspace (the issue 5 re-walk).
 */
export function lacksToCreatePatients(
  catalog: Catalog,
  holder: Holder,
  workspaceId: string | null,
): string[] {
  const cap = capabilityIn(catalog, holder, workspaceId);
  const keys = PATIENT_CREATION_KEYS.filter((k) => catalog.byKey.has(k));
  if (keys.length === 0) {
    const patient = (k: string) => catalog.byKey.get(k)?.patientScoped === true;
    const asCollaborator = (k: string) => catalog.byKey.get(k)?.collaborator !== "forbidden";
    const holds = [...cap.keys].some(patient) || [...cap.collaboratorKeys].some(asCollaborator);
    return holds ? [] : [ANY_PATIENT_PERMISSION];
  }
  return keys.filter((k) => !cap.keys.has(k) && !cap.collaboratorKeys.has(k));
}

/** One permission that a grant would give beyond what the actor holds. */
export interface Excess {
  readonly workspaceId: string | null;
  readonly permission: string;
}

/**
 * The permissions in `grant` that `actor` does not hold itself (no privilege escalation, SECURITY.md
 * G-52). Holding a patient permission only as a collaborator does not cover granting it without
 * the collaborator restriction.
 */
export function excessOver(catalog: Catalog, actor: Holder, grant: RoleGrants): Excess[] {
  const out: Excess[] = [];
  const check = (workspaceId: string | null, perms: readonly string[], collaborator: boolean) => {
    const cap = capabilityIn(catalog, actor, workspaceId);
    const seen = new Set(out.filter((e) => e.workspaceId === workspaceId).map((e) => e.permission));
    for (const k of perms) {
      for (const c of catalog.closure.get(k) ?? []) {
        if (seen.has(c)) continue;
        seen.add(c);
        const restricted = collaborator && catalog.byKey.get(c)?.patientScoped === true;
        const held = cap.keys.has(c) || (restricted && cap.collaboratorKeys.has(c));
        if (!held) out.push({ workspaceId, permission: c });
      }
    }
  };
  check(null, grant.permissions, grant.collaborator);
  // A tenant-level grant applies in every workspace, including those where a per-workspace role
  // replaces the actor's own role: the actor must hold it there too (PRODUCT.md §3 step 3).
  const spanning = grant.permissions.filter((k) => catalog.byKey.get(k)?.scope === "tenant+workspace");
  for (const workspaceId of actor.workspaceRoles.keys()) check(workspaceId, spanning, grant.collaborator);
  for (const row of grant.workspaces) {
    check(row.workspaceId, row.permissions, row.collaborator);
  }
  return out;
}

/** The administration pair a tenant must always keep on one active, non-virtual user. */
export const ADMINISTRATION_KEYS = ["users.manage", "roles.manage"] as const;

export function isAdministratorRole(catalog: Catalog, role: RoleGrants): boolean {
  return ADMINISTRATION_KEYS.every((k) => holdsAtTenantLevel(catalog, role, k));
}

/**
 * A patient grant as its audit events record it (granted: `after`; revoked or removed: `before`),
 * with `patientRef` as the patient's trail (`GET /audit?patientRef=`) finds it.
 */
export function grantChanges(
  side: "before" | "after",
  patientRef: string,
  g: { workspace_id: string | null; reason: string | null; expires_at: string | null },
): Record<string, { before?: unknown; after?: unknown }> {
  return {
    patientRef: { [side]: patientRef },
    workspaceId: { [side]: g.workspace_id },
    reason: { [side]: g.reason },
    expiresAt: { [side]: g.expires_at },
  };
}
