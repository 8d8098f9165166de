/**
 * What the Users page chooses from: the tenant's formal roles, workspaces and work roles, loaded
 * once for the filters, the table and the create/edit form; and the permission catalogue, by
 * which a role's grants are compared with the caller's and refusals name permissions by label.
 */
import type { Staffgate } from "@staffgate/sdk";
import { listAll } from "../../listAll.ts";
import type { Role } from "../../types.ts";
import type { CatalogPermission } from "../roles/grants.ts";
import { loadReach, type Reach } from "../roles/reach.ts";

export type Workspace = Awaited<ReturnType<Staffgate["workspaces"]["list"]>>["items"][number];
export type WorkRole = Awaited<ReturnType<Staffgate["permissions"]["list"]>>["workRoles"][number];

export interface UserOptions {
  /** Formal roles only: private roles are made by "Edit Permissions", never chosen. */
  readonly roles: readonly Role[];
  readonly workspaces: readonly Workspace[];
  readonly workRoles: readonly WorkRole[];
  readonly roleName: (id: string) => string | undefined;
  /** Formal roles by id (what a user's role grants). */
  readonly rolesById: ReadonlyMap<string, Role>;
  readonly catalog: readonly CatalogPermission[];
  /** What the caller holds in each workspace (null: not known; rows are then judged as tenant level). */
  readonly reach: Reach | null;
}

/** A work role as a choice: work roles have no id, their name is the value. */
export const byName = (w: WorkRole) => ({ id: w.name, name: w.name });

/** A tenant has tens of roles and workspaces, not thousands: the choices stop at 4,000. */
const MAX_PAGES = 20;

export async function loadUserOptions(api: Staffgate, callerId: string): Promise<UserOptions> {
  const [roles, workspaces, catalog, reach] = await Promise.all([
    listAll((page) => api.roles.list(page), MAX_PAGES),
    listAll((page) => api.workspaces.list(page), MAX_PAGES),
    api.permissions.list(),
    loadReach(api, callerId).catch(() => null),
  ]);
  const names = new Map(roles.map((r) => [r.id, r.name]));
  const formal = roles.filter((r) => !r.private);
  return {
    roles: formal,
    workspaces,
    workRoles: catalog.workRoles,
    roleName: (id) => names.get(id),
    rolesById: new Map(formal.map((r) => [r.id, r])),
    catalog: catalog.items,
    reach,
  };
}
