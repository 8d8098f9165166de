/**
 * The effective-permissions grid as data: what each cell says (from the API's matrix, which runs
 * the same decision as check), the catalogue grouped by category, and the names that replace ids.
 */
import type { Staffgate } from "@staffgate/sdk";

export type Effective = Awaited<ReturnType<Staffgate["access"]["effectivePermissions"]>>;
export type Permission = Awaited<ReturnType<Staffgate["permissions"]["list"]>>["items"][number];
export type Workspace = Awaited<ReturnType<Staffgate["workspaces"]["list"]>>["items"][number];
export type UserRecord = Awaited<ReturnType<Staffgate["users"]["get"]>>;
export type Explained = Awaited<ReturnType<Staffgate["access"]["explain"]>>;
export type Reason = Explained["reason"];

/**
 * `collaborator`: allowed only for a patient shared with the user. `emergency`: allowed only
 * through an open emergency access. `tenant-only`: a permission the workspace does not change
 * (check answers as in the Tenant column).
 */
export type CellState = "allowed" | "emergency" | "collaborator" | "denied" | "tenant-only";

export interface GridData {
  readonly user: UserRecord;
  readonly effective: Effective;
  readonly permissions: readonly Permission[];
  /** The tenant's workspaces in the matrix's order, with names where the list had them. */
  readonly workspaces: readonly { id: string; name: string; access: boolean; roleId: string | null }[];
  readonly roleNames: ReadonlyMap<string, string>;
}

export function cellState(data: GridData, permission: Permission, workspaceId: string | null): CellState {
  if (workspaceId === null) {
    if (data.effective.tenant.includes(permission.key)) return "allowed";
    return data.effective.tenantCollaboratorPermissions.includes(permission.key) ? "collaborator" : "denied";
  }
  if (permission.scope === "tenant") return "tenant-only";
  const ws = data.effective.workspaces.find((w) => w.workspaceId === workspaceId);
  if (ws?.emergencyPermissions.includes(permission.key)) return "emergency";
  if (ws?.permissions.includes(permission.key)) return "allowed";
  return ws?.collaboratorPermissions.includes(permission.key) ? "collaborator" : "denied";
}

export const CELL_TEXT: Readonly<Record<Exclude<CellState, "tenant-only">, { mark: string; text: string }>> =
  {
    allowed: { mark: "✓", text: "Allowed" },
    emergency: { mark: "!", text: "Emergency access" },
    collaborator: { mark: "◐", text: "Only granted patients" },
    denied: { mark: "✕", text: "Denied" },
  };

/** Categories in catalogue order, each with its permissions in catalogue order. */
export function byCategory(permissions: readonly Permission[]): { category: string; items: Permission[] }[] {
  const groups = new Map<string, Permission[]>();
  for (const p of permissions) {
    const list = groups.get(p.category);
    if (list) list.push(p);
    else groups.set(p.category, [p]);
  }
  return [...groups].map(([category, items]) => ({ category, items }));
}

/** A permission matches the filter text by label, key or description. */
export function matches(p: Permission, text: string): boolean {
  const t = text.trim().toLowerCase();
  if (!t) return true;
  return [p.label, p.key, p.description].some((s) => s.toLowerCase().includes(t));
}

export function buildGrid(
  user: UserRecord,
  effective: Effective,
  permissions: readonly Permission[],
  workspaces: readonly Workspace[],
  roles: readonly { id: string; name: string }[],
): GridData {
  const names = new Map(workspaces.map((w) => [w.id, w.name]));
  const wsRoles = new Map(user.workspaceRoles.map((r) => [r.workspaceId, r.roleId]));
  return {
    user,
    effective,
    permissions,
    workspaces: effective.workspaces
      .map((w) => ({
        id: w.workspaceId,
        name: names.get(w.workspaceId) ?? w.workspaceId,
        access: user.workspaceAccess === "all" || user.workspaceAccess.includes(w.workspaceId),
        roleId: wsRoles.get(w.workspaceId) ?? null,
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    roleNames: new Map([
      ...roles.map((r): [string, string] => [r.id, r.name]),
      // A private role is not listed among roles.
      ...(user.privateRole ? [[user.roleId, "Private role"] as [string, string]] : []),
    ]),
  };
}

/** Every page of a cursor-paged list (workspaces and roles are short; the bound is a safeguard). */
export async function allPages<T>(
  load: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>,
  maxPages = 50,
): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < maxPages; i++) {
    const page = await load(cursor);
    out.push(...page.items);
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return out;
}
