/**
 * What the signed-in administrator could grant (PRODUCT.md §2 "Guards": no privilege escalation),
 * judged as the server judges it, as far as the console can see: a tenant-level permission is
 * covered when the caller holds it at tenant level (`/auth/me`'s permissions, implications already
 * followed) and, if it reaches workspaces, also in each workspace where the caller's own
 * per-workspace role replaces their role; a workspace row's permission when the caller holds it in
 * that workspace (their effective permissions there, `reach.ts`; only as a collaborator covers only
 * a collaborator row). Without the reach (not loaded, or refused) a row is judged as at tenant level,
 * as before the reach was read: an approximation that may offer what the server then refuses. The
 * console uses it only to avoid offering what the server would refuse; the server stays the judge.
 */
import type { Me, Role, User } from "../../types.ts";
import type { CatalogPermission } from "./grants.ts";
import type { Reach } from "./reach.ts";

/** Grants as a role (or a user's private role) holds them. */
export interface GrantsLike {
  readonly permissions: readonly string[];
  readonly workspaces: readonly {
    readonly workspaceId: string;
    readonly permissions: readonly string[];
    readonly collaborator?: boolean;
  }[];
}

export interface Coverage {
  /**
   * True when the caller holds `key` (so may grant it): at tenant level, or in `workspaceId` (on a
   * collaborator row, holding it as a collaborator there is enough).
   */
  readonly holds: (key: string, workspaceId?: string, collaborator?: boolean) => boolean;
  /** The permissions in `grants` the caller does not hold, in catalogue order; empty: covered. */
  readonly excess: (grants: GrantsLike) => string[];
  /** "View PHI, Read Patients and 3 more": the labels of `keys` for a sentence. */
  readonly describe: (keys: readonly string[], max?: number) => string;
  /** `keys` in catalogue order. */
  readonly inOrder: (keys: Iterable<string>) => string[];
}

export interface Holding {
  /** `/auth/me`'s permissions: held at tenant level. */
  readonly permissions: readonly string[];
  /** Where the caller's own per-workspace roles replace their role. */
  readonly workspaceRoles: readonly { readonly workspaceId: string }[];
}

export const holdingOf = (me: Me): Holding => ({
  permissions: me.permissions,
  workspaceRoles: me.user.workspaceRoles,
});

export function coverageOf(
  held: Holding,
  catalog: readonly CatalogPermission[],
  reach?: Reach | null,
): Coverage {
  const holding = new Set(held.permissions);
  const order = new Map(catalog.map((p, i) => [p.key, i]));
  const labels = new Map(catalog.map((p) => [p.key, p.label]));
  const byKey = new Map(catalog.map((p) => [p.key, p]));
  const spans = (key: string) => byKey.get(key)?.scope !== "tenant";
  const holdsIn = (key: string, workspaceId: string, collaborator: boolean) => {
    // Tenant-only permissions ignore the workspace; without the reach, a row is judged as tenant level.
    if (!reach || !spans(key)) return holding.has(key);
    const there = reach.get(workspaceId);
    if (!there) return false;
    return (
      there.keys.has(key) ||
      (collaborator && byKey.get(key)?.patientScoped === true && there.collaboratorKeys.has(key))
    );
  };
  const inOrder = (keys: Iterable<string>) =>
    [...keys].sort((a, b) => (order.get(a) ?? 1e9) - (order.get(b) ?? 1e9));
  const ownRoleWorkspaces = held.workspaceRoles.map((w) => w.workspaceId);
  const holdsAtTenant = (key: string) =>
    holding.has(key) && (!spans(key) || ownRoleWorkspaces.every((w) => holdsIn(key, w, false)));
  return {
    holds: (key, workspaceId, collaborator = false) =>
      workspaceId === undefined ? holdsAtTenant(key) : holdsIn(key, workspaceId, collaborator),
    excess: (grants) => {
      const lacking = new Set(grants.permissions.filter((k) => !holdsAtTenant(k)));
      for (const row of grants.workspaces) {
        for (const k of row.permissions) {
          if (!holdsIn(k, row.workspaceId, row.collaborator === true)) lacking.add(k);
        }
      }
      return inOrder(lacking);
    },
    describe: (keys, max = 3) => {
      const named = keys.map((k) => labels.get(k) ?? k);
      if (named.length <= max) return named.join(", ");
      return `${named.slice(0, max).join(", ")} and ${named.length - max} more`;
    },
    inOrder,
  };
}

/**
 * The roles the caller covers, so may give (Create New User, Edit), copy or make an API token
 * with, and the others; `current` (the role a form holds already) counts as offered. The server
 * refuses the others with 403, so a form names them instead of offering them.
 */
export function offeredRoles<R extends GrantsLike & { readonly id: string }>(
  coverage: Coverage,
  roles: readonly R[],
  current = "",
): { readonly offered: R[]; readonly notOffered: R[] } {
  const offered = roles.filter((r) => r.id === current || coverage.excess(r).length === 0);
  return { offered, notOffered: roles.filter((r) => !offered.includes(r)) };
}

/**
 * Why roles are not offered, in one sentence ("Not offered: Administrator, Physicist. They grant
 * …, so only someone holding them can give them."); undefined when every role is.
 */
export function notOfferedWords(
  notOffered: readonly { readonly name: string }[],
  can = "give them",
  subject = "Not offered",
): string | undefined {
  if (notOffered.length === 0) return undefined;
  const names = notOffered.map((r) => r.name).join(", ");
  return `${subject}: ${names}. They grant permissions you do not hold, so only someone holding them can ${can}.`;
}

/**
 * What a user holds beyond the caller, by the user's role and per-workspace roles as the roles
 * list shows them, and a private role by its grants when they were read (`privateGrants`). A role
 * not known yet adds nothing: then nothing is said, and the server judges.
 */
export function userExcess(
  coverage: Coverage,
  user: Pick<User, "roleId" | "privateRole" | "workspaceRoles">,
  roles: ReadonlyMap<string, Role>,
  privateGrants?: GrantsLike,
): string[] {
  const role = user.privateRole ? privateGrants : roles.get(user.roleId);
  const keys = new Set(role ? coverage.excess(role) : []);
  for (const { workspaceId, roleId } of user.workspaceRoles) {
    const there = roles.get(roleId);
    if (!there) continue;
    for (const k of coverage.excess(grantsInWorkspace(there, workspaceId))) keys.add(k);
  }
  return coverage.inOrder(keys);
}

/**
 * What `role` gives held as a per-workspace role in `workspaceId`: there it replaces the user's
 * role, so its tenant-level grants count as that workspace's, with its row there (the server's
 * grantsInWorkspace).
 */
export function grantsInWorkspace(
  role: Pick<Role, "permissions" | "collaborator" | "workspaces">,
  workspaceId: string,
): GrantsLike {
  const row = role.workspaces.find((w) => w.workspaceId === workspaceId);
  return {
    permissions: [],
    workspaces: [
      { workspaceId, permissions: role.permissions, collaborator: role.collaborator },
      ...(row ? [row] : []),
    ],
  };
}
