/**
 * What the signed-in administrator could grant (PRODUCT.md §2 "Guards": no privilege escalation),
 * judged the simple, conservative way: a permission is covered when the caller holds it at tenant
 * level (`/auth/me`'s permissions, implications already followed), on a workspace row as at tenant
 * level. The console uses it only to avoid offering what the server would refuse; the server stays
 * the judge (it also weighs collaborator flags and the caller's per-workspace roles).
 */
import type { Role, User } from "../../types.ts";
import type { CatalogPermission } from "./grants.ts";

/** Grants as a role (or a user's private role) holds them. */
export interface GrantsLike {
  readonly permissions: readonly string[];
  readonly workspaces: readonly { readonly permissions: readonly string[] }[];
}

export interface Coverage {
  /** True when the caller holds `key` (so may grant it). */
  readonly holds: (key: string) => boolean;
  /** The permissions in `grants` the caller does not hold, in catalogue order; empty: covered. */
  readonly excess: (grants: GrantsLike) => string[];
  /** "View PHI, Read Patients and 3 more": the labels of `keys` for a sentence. */
  readonly describe: (keys: readonly string[], max?: number) => string;
}

export function coverageOf(held: readonly string[], catalog: readonly CatalogPermission[]): Coverage {
  const holding = new Set(held);
  const order = new Map(catalog.map((p, i) => [p.key, i]));
  const labels = new Map(catalog.map((p) => [p.key, p.label]));
  const holds = (key: string) => holding.has(key);
  return {
    holds,
    excess: (grants) => {
      const keys = new Set([...grants.permissions, ...grants.workspaces.flatMap((w) => w.permissions)]);
      return [...keys].filter((k) => !holds(k)).sort((a, b) => (order.get(a) ?? 1e9) - (order.get(b) ?? 1e9));
    },
    describe: (keys, max = 3) => {
      const named = keys.map((k) => labels.get(k) ?? k);
      if (named.length <= max) return named.join(", ");
      return `${named.slice(0, max).join(", ")} and ${named.length - max} more`;
    },
  };
}

/**
 * What a user holds beyond the caller, by the user's role and per-workspace roles as the roles
 * list shows them. A private role is not listed (nor is a role not loaded yet): then nothing is
 * known and nothing is said, and the server judges.
 */
export function userExcess(
  coverage: Coverage,
  user: Pick<User, "roleId" | "privateRole" | "workspaceRoles">,
  roles: ReadonlyMap<string, Role>,
): string[] {
  if (user.privateRole) return [];
  const held = [user.roleId, ...user.workspaceRoles.map((w) => w.roleId)].flatMap((id) => {
    const role = roles.get(id);
    return role ? [role] : [];
  });
  const keys = new Set(held.flatMap((r) => coverage.excess(r)));
  return coverage.excess({ permissions: [...keys], workspaces: [] });
}
