/** Validates a permission catalogue and answers questions about it (pure). */
import {
  type CatalogFile,
  type CatalogFileInput,
  CatalogFileSchema,
  type CatalogRole,
  type Permission,
  type WorkRole,
} from "@staffgate/contract";
import { foldKey } from "../shared/text.rules.ts";
import { ADMIN_PERMISSIONS } from "./admin-permissions.ts";

/** A validated catalogue with the lookups the role rules and the decision need. */
export interface Catalog {
  readonly name: string;
  readonly version: string;
  readonly permissions: readonly Permission[];
  readonly byKey: ReadonlyMap<string, Permission>;
  /** For each key, itself and every key it implies, transitively. */
  readonly closure: ReadonlyMap<string, ReadonlySet<string>>;
  readonly roles: readonly CatalogRole[];
  readonly workRoles: readonly WorkRole[];
}

export class CatalogError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`permission catalogue ${source} is not valid:\n  - ${problems.join("\n  - ")}`);
    this.name = "CatalogError";
  }
}

/**
 * Parses and checks a catalogue: schema, duplicate keys, unknown implied keys, cycles, and that
 * an implication never widens what a collaborator or a workspace row may hold. The service's own
 * administration permissions are added to every catalogue.
 */
export function buildCatalog(input: CatalogFileInput | unknown, source: string): Catalog {
  const parsed = CatalogFileSchema.safeParse(input);
  if (!parsed.success) {
    throw new CatalogError(
      source,
      parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`),
    );
  }
  const file: CatalogFile = parsed.data;
  const problems: string[] = [];
  const permissions = [...ADMIN_PERMISSIONS, ...file.permissions];
  const byKey = new Map<string, Permission>();
  for (const p of permissions) {
    if (byKey.has(p.key)) problems.push(`duplicate permission key "${p.key}"`);
    else byKey.set(p.key, p);
  }
  for (const p of permissions) {
    for (const implied of p.implies) {
      const target = byKey.get(implied);
      if (!target) {
        problems.push(`"${p.key}" implies unknown key "${implied}"`);
        continue;
      }
      if (p.scope === "tenant+workspace" && target.scope === "tenant") {
        problems.push(`"${p.key}" is workspace-scoped but implies tenant-only "${implied}"`);
      }
      if (p.collaborator !== "forbidden" && target.collaborator === "forbidden") {
        problems.push(`"${p.key}" is allowed for collaborators but implies forbidden "${implied}"`);
      }
    }
  }
  for (const p of file.permissions) {
    // PRODUCT.md §2: a collaborator is restricted to granted patients on a patient-scoped permission;
    // "unaffected" would say the opposite, and the decision could honour only one of the two.
    if (p.patientScoped && p.collaborator === "unaffected") {
      problems.push(`"${p.key}" is patient-scoped, so collaborator must be "restricted" or "forbidden"`);
    }
  }
  const cycle = findCycle(byKey);
  if (cycle) problems.push(`implies has a cycle: ${cycle.join(" → ")}`);
  problems.push(...roleProblems(file.roles, byKey));
  const workRoleNames = new Set<string>();
  for (const w of file.workRoles) {
    // Users' work roles are matched case-insensitively, so two that differ only in case are one.
    const key = foldKey(w.name);
    if (workRoleNames.has(key)) problems.push(`duplicate work role "${w.name}"`);
    workRoleNames.add(key);
  }
  if (problems.length > 0) throw new CatalogError(source, problems);
  const closure = new Map<string, ReadonlySet<string>>();
  for (const key of byKey.keys()) closure.set(key, expand(byKey, key));
  return {
    name: file.name,
    version: file.version,
    permissions,
    byKey,
    closure,
    roles: file.roles,
    workRoles: file.workRoles,
  };
}

/**
 * The preset roles every tenant gets, checked as the role API would check them (PRODUCT.md §2): a
 * system role that breaks a rule could never be edited, and an "Administrator" that is not the
 * every-permission role would clash with the one a catalogue without `"*"` gets.
 */
function roleProblems(roles: readonly CatalogRole[], byKey: ReadonlyMap<string, Permission>): string[] {
  const problems: string[] = [];
  const roleNames = new Set<string>();
  for (const role of roles) {
    const name = `role "${role.name}"`;
    // As the stored name_key is made: a name differing in case or surrounding spaces is the same name.
    const key = foldKey(role.name);
    if (roleNames.has(key)) problems.push(`duplicate role "${role.name}"`);
    roleNames.add(key);
    if (role.permissions === "*") {
      if (!role.locked) problems.push(`${name} grants every permission ("*"), so it must be locked`);
      if (role.collaborator)
        problems.push(`${name} grants every permission ("*") and cannot be a collaborator role`);
      continue;
    }
    if (key === ADMINISTRATOR_NAME_KEY) {
      problems.push(`${name} must grant every permission ("*"): that is what the Administrator role holds`);
    }
    for (const k of role.permissions) {
      if (!byKey.has(k)) {
        problems.push(`${name} grants unknown key "${k}"`);
        continue;
      }
      // Only a forbidden key implies a forbidden one (the implication check above), so the key alone tells.
      if (role.collaborator && byKey.get(k)?.collaborator === "forbidden") {
        problems.push(
          `${name} is a collaborator role and grants "${k}", which is forbidden for collaborators`,
        );
      }
    }
  }
  return problems;
}

/** The every-permission role's name, which a catalogue without a `"*"` role gets (tenants.service.ts). */
export const ADMINISTRATOR_NAME = "Administrator";
const ADMINISTRATOR_NAME_KEY = foldKey(ADMINISTRATOR_NAME);

function expand(byKey: ReadonlyMap<string, Permission>, start: string): ReadonlySet<string> {
  const seen = new Set<string>([start]);
  const stack = [start];
  while (stack.length > 0) {
    const next = byKey.get(stack.pop()!);
    for (const k of next?.implies ?? []) {
      if (!seen.has(k)) {
        seen.add(k);
        stack.push(k);
      }
    }
  }
  return seen;
}

function findCycle(byKey: ReadonlyMap<string, Permission>): string[] | null {
  const state = new Map<string, "visiting" | "done">();
  const path: string[] = [];
  const visit = (key: string): string[] | null => {
    const s = state.get(key);
    if (s === "done") return null;
    if (s === "visiting") return [...path.slice(path.indexOf(key)), key];
    state.set(key, "visiting");
    path.push(key);
    for (const k of byKey.get(key)?.implies ?? []) {
      if (!byKey.has(k)) continue;
      const found = visit(k);
      if (found) return found;
    }
    path.pop();
    state.set(key, "done");
    return null;
  };
  for (const key of byKey.keys()) {
    const found = visit(key);
    if (found) return found;
  }
  return null;
}

/** Every key that `keys` grants once implications are followed. */
export function expandPermissions(catalog: Catalog, keys: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const k of keys) for (const c of catalog.closure.get(k) ?? []) out.add(c);
  return out;
}

/** The keys a catalogue role grants (`"*"` = all). */
export function rolePermissionKeys(catalog: Catalog, role: CatalogRole): string[] {
  return role.permissions === "*" ? catalog.permissions.map((p) => p.key) : [...role.permissions];
}
