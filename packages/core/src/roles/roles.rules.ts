/** A role definition checked against the tenant's catalogue and workspaces (PRODUCT.md §2, pure). */
import type { FieldError } from "@staffgate/contract";
import type { Excess, RoleGrants } from "../access/grants.rules.ts";
import type { Catalog } from "../catalog/catalog.rules.ts";
import { AppError } from "../shared/errors.ts";
import { foldKey } from "../shared/text.rules.ts";

/** Stable names of the role invariants, sent as the problem's `rule` extension. */
export const ROLE_RULES = [
  "COLLABORATOR_ROLE_HAS_WORKSPACE_ROWS",
  "COLLABORATOR_WORKSPACE_WITH_TENANT_PATIENT_PERMISSIONS",
  "FORBIDDEN_FOR_COLLABORATOR",
  "WORKSPACE_ROW_TENANT_ONLY_PERMISSION",
] as const;
export type RoleRule = (typeof ROLE_RULES)[number];

export interface RuleViolation extends FieldError {
  readonly rule: RoleRule;
}

export type RoleProblem =
  | { readonly kind: "invalid"; readonly errors: readonly FieldError[] }
  | { readonly kind: "rule"; readonly violations: readonly RuleViolation[] };

/** Input errors (400): keys the catalogue does not know, unknown or repeated workspace rows. */
function inputErrors(catalog: Catalog, grants: RoleGrants, workspaceIds: ReadonlySet<string>): FieldError[] {
  const errors: FieldError[] = [];
  const keys = (perms: readonly string[], prefix: string) =>
    perms.forEach((k, i) => {
      if (!catalog.byKey.has(k))
        errors.push({ path: `${prefix}.${i}`, message: `unknown permission "${k}"` });
    });
  keys(grants.permissions, "permissions");
  const seen = new Set<string>();
  grants.workspaces.forEach((row, j) => {
    const path = `workspaces.${j}.workspaceId`;
    if (!workspaceIds.has(row.workspaceId))
      errors.push({ path, message: "is not a workspace of this tenant" });
    else if (seen.has(row.workspaceId)) errors.push({ path, message: "has more than one row" });
    seen.add(row.workspaceId);
    keys(row.permissions, `workspaces.${j}.permissions`);
  });
  return errors;
}

/** The first key in `key`'s implication closure matching `test`, if any. */
function impliedWhere(
  catalog: Catalog,
  key: string,
  test: (p: { scope: string; patientScoped: boolean; collaborator: string }) => boolean,
): string | undefined {
  for (const k of catalog.closure.get(key) ?? []) {
    const p = catalog.byKey.get(k);
    if (p && test(p)) return k;
  }
  return undefined;
}

const via = (granted: string, found: string) =>
  granted === found ? `"${granted}"` : `"${granted}" (implies "${found}")`;

function ruleViolations(catalog: Catalog, grants: RoleGrants): RuleViolation[] {
  const out: RuleViolation[] = [];
  if (grants.collaborator && grants.workspaces.length > 0) {
    out.push({
      rule: "COLLABORATOR_ROLE_HAS_WORKSPACE_ROWS",
      path: "workspaces",
      message: "a tenant-level collaborator role has no workspace rows",
    });
  }
  // A tenant-level grant overrides the row, so it would lift the collaborator restriction there.
  if (grants.workspaces.some((w) => w.collaborator)) {
    grants.permissions.forEach((k, i) => {
      const found = impliedWhere(catalog, k, (p) => p.patientScoped || p.collaborator === "forbidden");
      if (found) {
        out.push({
          rule: "COLLABORATOR_WORKSPACE_WITH_TENANT_PATIENT_PERMISSIONS",
          path: `permissions.${i}`,
          message: `${via(k, found)} is a patient or collection permission; a role that is collaborator in a workspace cannot hold it at tenant level`,
        });
      }
    });
  }
  const forbidden = (perms: readonly string[], prefix: string) =>
    perms.forEach((k, i) => {
      const found = impliedWhere(catalog, k, (p) => p.collaborator === "forbidden");
      if (found) {
        out.push({
          rule: "FORBIDDEN_FOR_COLLABORATOR",
          path: `${prefix}.${i}`,
          message: `${via(k, found)} is forbidden for collaborators`,
        });
      }
    });
  if (grants.collaborator) forbidden(grants.permissions, "permissions");
  grants.workspaces.forEach((row, j) => {
    if (row.collaborator) forbidden(row.permissions, `workspaces.${j}.permissions`);
  });
  grants.workspaces.forEach((row, j) => {
    row.permissions.forEach((k, i) => {
      const found = impliedWhere(catalog, k, (p) => p.scope === "tenant");
      if (found) {
        out.push({
          rule: "WORKSPACE_ROW_TENANT_ONLY_PERMISSION",
          path: `workspaces.${j}.permissions.${i}`,
          message: `${via(k, found)} is tenant-only and cannot be granted in a workspace row`,
        });
      }
    });
  });
  return out.sort((a, b) => ROLE_RULES.indexOf(a.rule) - ROLE_RULES.indexOf(b.rule));
}

/** What is wrong with a role definition, or null when it may be stored. */
export function roleProblem(
  catalog: Catalog,
  grants: RoleGrants,
  workspaceIds: ReadonlySet<string>,
): RoleProblem | null {
  const errors = inputErrors(catalog, grants, workspaceIds);
  if (errors.length > 0) return { kind: "invalid", errors };
  const violations = ruleViolations(catalog, grants);
  return violations.length > 0 ? { kind: "rule", violations } : null;
}

/**
 * Throws 400 VALIDATION_FAILED or 422 ROLE_RULE_VIOLATED. The `rule` extension names the first
 * broken rule (in ROLE_RULES order), `rules` all of them; `errors` lists every violation.
 */
export function assertValidRole(
  catalog: Catalog,
  grants: RoleGrants,
  workspaceIds: ReadonlySet<string>,
): void {
  const problem = roleProblem(catalog, grants, workspaceIds);
  if (!problem) return;
  if (problem.kind === "invalid") {
    throw new AppError("VALIDATION_FAILED", "The role names unknown permissions or workspaces", {
      errors: problem.errors,
    });
  }
  const rules = [...new Set(problem.violations.map((v) => v.rule))];
  const first = problem.violations[0]!;
  throw new AppError("ROLE_RULE_VIOLATED", `${first.rule}: ${first.message}`, {
    errors: problem.violations.map(({ path, message }) => ({ path, message })),
    extensions: { rule: rules[0], rules },
  });
}

/** Repeated keys add nothing; storing them once keeps diffs and comparisons honest. */
export function normalise(g: RoleGrants): RoleGrants {
  return {
    permissions: [...new Set(g.permissions)],
    collaborator: g.collaborator,
    workspaces: g.workspaces.map((w) => ({
      workspaceId: w.workspaceId,
      permissions: [...new Set(w.permissions)],
      collaborator: w.collaborator,
    })),
  };
}

const NAME_MAX = 80;

/** "Copy of X", then "Copy of X (2)", … the first name no formal role of the tenant uses. */
export function freeCopyName(source: string, taken: ReadonlySet<string>): string {
  const base = `Copy of ${source}`;
  for (let n = 1; ; n += 1) {
    const suffix = n === 1 ? "" : ` (${n})`;
    const candidate = base.slice(0, NAME_MAX - suffix.length).trimEnd() + suffix;
    if (!taken.has(foldKey(candidate))) return candidate;
  }
}

/** A role (or private role) definition's permissions the caller does not hold, each at its path. */
export function escalation(excess: readonly Excess[], grants: RoleGrants, detail?: string): AppError {
  const rowIndex = new Map(grants.workspaces.map((w, j) => [w.workspaceId, j]));
  return new AppError(
    "PRIVILEGE_ESCALATION",
    detail ?? "The role would grant permissions you do not hold yourself",
    {
      errors: excess.map((e) => ({
        path:
          e.workspaceId === null
            ? "permissions"
            : rowIndex.has(e.workspaceId)
              ? `workspaces.${rowIndex.get(e.workspaceId)}.permissions`
              : "workspaces",
        message:
          e.workspaceId === null
            ? `you do not hold "${e.permission}" at tenant level`
            : `you do not hold "${e.permission}" in workspace ${e.workspaceId}`,
      })),
    },
  );
}
