/**
 * The grants model the editor works on (DOM-free, so the root typecheck covers it): the shapes,
 * the catalogue analysed the way the API judges a role, and the conversions to and from the API.
 */
import type { Staffgate } from "@staffgate/sdk";
import type { Role } from "../../types.ts";

export type CatalogPermission = Awaited<ReturnType<Staffgate["permissions"]["list"]>>["items"][number];
export interface WorkspaceOption {
  readonly id: string;
  readonly name: string;
}
export interface GrantRow {
  readonly workspaceId: string;
  readonly permissions: readonly string[];
  readonly collaborator: boolean;
}
export interface Grants {
  readonly permissions: readonly string[];
  readonly collaborator: boolean;
  readonly workspaces: readonly GrantRow[];
}
/** The API's refusal placed beside what it names; `perm` keys are `"tenant <key>"` or `"<workspaceId> <key>"`. */
export interface GrantErrors {
  readonly tenant?: readonly string[];
  readonly rows?: readonly string[];
  readonly row?: Readonly<Record<string, readonly string[]>>;
  readonly perm?: Readonly<Record<string, string>>;
}

export interface Analysed {
  readonly categories: readonly { name: string; perms: readonly CatalogPermission[] }[];
  /** Permissions whose implication closure holds one forbidden for collaborators (the API's test). */
  readonly forbidden: ReadonlySet<string>;
  /**
   * Permissions whose closure holds a patient-scoped or a forbidden one: never at tenant level in a
   * role that is collaborator in a workspace (the tenant grant would lift the restriction there).
   */
  readonly patientOrCollection: ReadonlySet<string>;
  /** Permissions whose closure holds a tenant-only one: never on a workspace row. */
  readonly tenantOnly: ReadonlySet<string>;
  /** Each permission's implication closure (itself included). */
  readonly closure: ReadonlyMap<string, readonly CatalogPermission[]>;
  readonly label: ReadonlyMap<string, string>;
}

export function analyse(catalog: readonly CatalogPermission[]): Analysed {
  const byKey = new Map(catalog.map((p) => [p.key, p]));
  const closure = (key: string): CatalogPermission[] => {
    const seen = new Set<string>();
    const walk = (k: string) => {
      if (seen.has(k)) return;
      seen.add(k);
      for (const next of byKey.get(k)?.implies ?? []) walk(next);
    };
    walk(key);
    return [...seen].flatMap((k) => byKey.get(k) ?? []);
  };
  const closures = new Map(catalog.map((p) => [p.key, closure(p.key)]));
  const categories = new Map<string, CatalogPermission[]>();
  for (const p of catalog) categories.set(p.category, [...(categories.get(p.category) ?? []), p]);
  return {
    categories: [...categories].map(([name, perms]) => ({ name, perms })),
    forbidden: keysWhere(closures, (q) => q.collaborator === "forbidden"),
    patientOrCollection: keysWhere(closures, (q) => q.patientScoped || q.collaborator === "forbidden"),
    tenantOnly: keysWhere(closures, (q) => q.scope === "tenant"),
    closure: closures,
    label: new Map(catalog.map((p) => [p.key, p.label])),
  };
}

function keysWhere(
  closures: ReadonlyMap<string, readonly CatalogPermission[]>,
  test: (p: CatalogPermission) => boolean,
): Set<string> {
  return new Set([...closures].filter(([, c]) => c.some(test)).map(([k]) => k));
}

/**
 * What the ticked permissions of one scope imply (transitively), each with the label of a ticked
 * permission that implies it: such a permission is held with it, so the editor shows it ticked and
 * disabled ("Included with …") while that one stays ticked.
 */
export function impliedBy(granted: readonly string[], a: Analysed): Map<string, string> {
  const implied = new Map<string, string>();
  for (const k of granted) {
    for (const q of a.closure.get(k) ?? []) {
      if (q.key !== k && !implied.has(q.key)) implied.set(q.key, a.label.get(k) ?? k);
    }
  }
  return implied;
}

/**
 * One scope's permissions with `keys` ticked or unticked. Ticking ticks what they imply, as
 * DOMAIN.md §5 #22 has it ("ticking Write auto-ticks Read"); unticking leaves what they implied
 * ticked, as it was shown ticked to the person. The result is what is ticked, and what is saved:
 * the API takes implied permissions listed explicitly.
 */
export function withTicked(
  granted: readonly string[],
  keys: readonly string[],
  on: boolean,
  a: Analysed,
): string[] {
  const next = new Set(granted);
  const changed = new Set(keys);
  for (const k of keys) {
    if (on) for (const q of a.closure.get(k) ?? []) next.add(q.key);
    else next.delete(k);
  }
  if (!on) {
    for (const k of keys) {
      if (!granted.includes(k)) continue;
      for (const q of a.closure.get(k) ?? []) if (!changed.has(q.key)) next.add(q.key);
    }
  }
  return [...next];
}

/** A role's grants (or a user's, as the API answers them) as the editor holds them. */
export function grantsOf(role: Pick<Role, "permissions" | "collaborator" | "workspaces">): Grants {
  return {
    permissions: role.permissions,
    collaborator: role.collaborator,
    workspaces: role.workspaces.map((w) => ({ ...w })),
  };
}

/**
 * Collaborator set or cleared at tenant level: what a collaborator may not hold is taken away with
 * it, so the forbidden checkboxes are disabled and unticked (ProKnow: "disabled when the user is
 * marked as a collaborator"), and so are the workspace rows (a tenant-level collaborator role has
 * none), never left for the save to refuse.
 */
export function withCollaborator(g: Grants, on: boolean, catalog: readonly CatalogPermission[]): Grants {
  if (!on) return { ...g, collaborator: false };
  const { forbidden } = analyse(catalog);
  return {
    ...g,
    collaborator: true,
    permissions: g.permissions.filter((k) => !forbidden.has(k)),
    workspaces: [],
  };
}

/** The same on one workspace row. */
function rowWithCollaborator(row: GrantRow, on: boolean, forbidden: ReadonlySet<string>): GrantRow {
  return on
    ? { ...row, collaborator: true, permissions: row.permissions.filter((k) => !forbidden.has(k)) }
    : { ...row, collaborator: false };
}

/**
 * The grants with the row for `workspaceId` made collaborator or not. Made collaborator, the row
 * loses what collaborators may not hold, and the tenant level what a role collaborator in a
 * workspace may not hold there (patient and collection permissions): taken away at once, as the
 * tenant-level Collaborator tick does, not left ticked for the save to refuse.
 */
export function withRowCollaborator(g: Grants, workspaceId: string, on: boolean, a: Analysed): Grants {
  return {
    ...g,
    permissions: on ? g.permissions.filter((k) => !a.patientOrCollection.has(k)) : g.permissions,
    workspaces: g.workspaces.map((r) =>
      r.workspaceId === workspaceId ? rowWithCollaborator(r, on, a.forbidden) : r,
    ),
  };
}

/** The grants as the API takes them (mutable arrays, catalogue order for a stable diff). */
export function grantsBody(g: Grants, catalog: readonly CatalogPermission[]) {
  const order = new Map(catalog.map((p, i) => [p.key, i]));
  const sorted = (keys: readonly string[]) =>
    [...keys].sort((a, b) => (order.get(a) ?? 1e9) - (order.get(b) ?? 1e9));
  return {
    permissions: sorted(g.permissions),
    collaborator: g.collaborator,
    workspaces: g.workspaces.map((w) => ({
      workspaceId: w.workspaceId,
      permissions: sorted(w.permissions),
      collaborator: w.collaborator,
    })),
  };
}
