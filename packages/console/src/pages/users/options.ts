/**
 * What the Users page chooses from: the tenant's formal roles, workspaces and work roles, loaded
 * once for the filters, the table and the create/edit form.
 */
import type { Staffgate } from "@staffgate/sdk";
import type { Role } from "../../types.ts";

export type Workspace = Awaited<ReturnType<Staffgate["workspaces"]["list"]>>["items"][number];
export type WorkRole = Awaited<ReturnType<Staffgate["permissions"]["list"]>>["workRoles"][number];

export interface UserOptions {
  /** Formal roles only: private roles are made by "Edit Permissions", never chosen. */
  readonly roles: readonly Role[];
  readonly workspaces: readonly Workspace[];
  readonly workRoles: readonly WorkRole[];
  readonly roleName: (id: string) => string | undefined;
}

/** Every page of a cursor list (a tenant has tens of roles and workspaces, not thousands). */
async function all<T>(
  page: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>,
): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 20; i++) {
    const p = await page(cursor);
    out.push(...p.items);
    if (!p.nextCursor) break;
    cursor = p.nextCursor;
  }
  return out;
}

export async function loadUserOptions(api: Staffgate): Promise<UserOptions> {
  const [roles, workspaces, catalog] = await Promise.all([
    all((cursor) => api.roles.list({ limit: 200, ...(cursor ? { cursor } : {}) })),
    all((cursor) => api.workspaces.list({ limit: 200, ...(cursor ? { cursor } : {}) })),
    api.permissions.list(),
  ]);
  const names = new Map(roles.map((r) => [r.id, r.name]));
  return {
    roles: roles.filter((r) => !r.private),
    workspaces,
    workRoles: catalog.workRoles,
    roleName: (id) => names.get(id),
  };
}
