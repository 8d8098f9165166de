/**
 * decide(): may this user do this, here, to this patient? A pure function of PRODUCT.md §3 that
 * returns the answer and every step that led to it. Callers load the facts; this only reasons.
 */
import type { Permission } from "@staffgate/contract";
import type { Catalog } from "../catalog/catalog.rules.ts";
import type { RoleGrants } from "./grants.rules.ts";

export interface DecisionRole extends RoleGrants {
  readonly id: string;
  readonly kind: "formal" | "private";
  /** Shown in reasons (a clinical application's token may not be allowed to read roles). */
  readonly name?: string;
}

export interface DecisionUser {
  readonly id: string;
  readonly status: "invited" | "active" | "inactive" | "archived";
  readonly virtual: boolean;
  readonly expiresAt: string | null;
  readonly workspaceAccess: "all" | ReadonlySet<string>;
  readonly role: DecisionRole;
  readonly workspaceRoles: ReadonlyMap<string, DecisionRole>;
}

export interface PatientGrantFact {
  readonly id: string;
  readonly workspaceId: string | null;
  readonly expiresAt: string | null;
}

export interface EmergencyFact {
  readonly id: string;
  readonly workspaceId: string | null;
  readonly patientRef: string | null;
  readonly expiresAt: string;
  readonly permissions: ReadonlySet<string>;
}

export interface DecisionQuery {
  readonly permission: string;
  readonly workspaceId?: string | null;
  readonly patientRef?: string | null;
}

export interface DecisionFacts {
  readonly catalog: Catalog;
  readonly now: string;
  /** The user, or undefined when there is no such user in the tenant. */
  readonly user: DecisionUser | undefined;
  /** The user acts through an API token (the only way a virtual user acts). */
  readonly viaApiToken: boolean;
  /** Whether the workspace exists in the tenant (undefined when none was asked about). */
  readonly workspaceExists?: boolean;
  /** The user's grants on the asked patient (live or not; expiry is checked here). */
  readonly patientGrants: readonly PatientGrantFact[];
  /** The user's emergency elevations that are not ended by hand. */
  readonly emergencies: readonly EmergencyFact[];
}

export type ReasonCode =
  | "USER_NOT_FOUND"
  | "USER_NOT_ACTIVE"
  | "USER_EXPIRED"
  | "VIRTUAL_USER"
  | "UNKNOWN_PERMISSION"
  | "WORKSPACE_NOT_FOUND"
  | "WORKSPACE_INACTIVE"
  | "NOT_GRANTED"
  | "COLLABORATOR_NO_PATIENT"
  | "COLLABORATOR_NO_GRANT"
  | "COLLABORATOR_FORBIDDEN"
  | "GRANTED_TENANT"
  | "GRANTED_WORKSPACE"
  | "GRANTED_PATIENT"
  | "EMERGENCY_ACCESS";

export interface Reason {
  readonly code: ReasonCode;
  readonly message: string;
  readonly roleId?: string;
  /** The role's name when it has one (formal and per-workspace roles; a private role has none). */
  readonly roleName?: string;
  readonly roleKind?: "formal" | "private" | "workspace";
  readonly scope?: "tenant" | "workspace";
  readonly workspaceId?: string;
  readonly viaPatientGrant?: string;
  readonly viaEmergency?: string;
}

export interface Decision {
  readonly allowed: boolean;
  readonly reason: Reason;
  readonly steps: readonly string[];
}

const live = (expiresAt: string | null, now: string) => expiresAt === null || expiresAt > now;

/**
 * Every key a list of grants holds, implications followed. Memoised per (catalogue, list): roles in
 * a policy snapshot are immutable, so the closure of a list is computed once, not per decision
 * (a grants list must not be changed in place once decided on).
 */
const expanded = new WeakMap<Catalog, WeakMap<readonly string[], ReadonlySet<string>>>();

function grants(catalog: Catalog, perms: readonly string[], key: string): boolean {
  let byList = expanded.get(catalog);
  if (!byList) {
    byList = new WeakMap();
    expanded.set(catalog, byList);
  }
  let keys = byList.get(perms);
  if (!keys) {
    const out = new Set<string>();
    for (const k of perms) {
      out.add(k);
      for (const c of catalog.closure.get(k) ?? []) out.add(c);
    }
    keys = out;
    byList.set(perms, keys);
  }
  return keys.has(key);
}

/** The listed permission that implies `key`, when `key` itself is not listed (for explain). */
function impliedBy(catalog: Catalog, perms: readonly string[], key: string): string | null {
  if (perms.includes(key)) return null;
  return perms.find((k) => catalog.closure.get(k)?.has(key)) ?? null;
}

export interface DecideOptions {
  /** Record the steps (explain). Off for plain checks: the answer and reason are the same. */
  readonly steps?: boolean;
}

export function decide(facts: DecisionFacts, query: DecisionQuery, options: DecideOptions = {}): Decision {
  const explain = options.steps !== false;
  const steps: string[] = [];
  const { catalog, now, user } = facts;
  const workspaceId = query.workspaceId ?? null;
  const patientRef = query.patientRef ?? null;

  const permission = catalog.byKey.get(query.permission);
  if (!permission)
    return finish(steps, explain, false, {
      code: "UNKNOWN_PERMISSION",
      message: `"${query.permission}" is not in the catalogue`,
    });
  if (!user)
    return finish(steps, explain, false, { code: "USER_NOT_FOUND", message: "no such user in this tenant" });
  if (user.status !== "active")
    return finish(steps, explain, false, { code: "USER_NOT_ACTIVE", message: `the user is ${user.status}` });
  if (!live(user.expiresAt, now))
    return finish(steps, explain, false, { code: "USER_EXPIRED", message: "the account has expired" });
  if (user.virtual && !facts.viaApiToken) {
    return finish(steps, explain, false, {
      code: "VIRTUAL_USER",
      message: "a virtual user acts only through an API token",
    });
  }
  if (explain) steps.push("the user is active and not expired");

  const tenantOnly = permission.scope === "tenant";
  const scopedWorkspace = tenantOnly ? null : workspaceId;
  if (explain && tenantOnly && workspaceId)
    steps.push(`"${permission.key}" is tenant-only: the workspace is ignored`);

  const denied = scopedWorkspace ? workspaceDenial(facts, user, scopedWorkspace) : null;

  let decision: Decision | null = null;
  if (!denied) {
    if (explain && scopedWorkspace) steps.push(`the user is active in workspace ${scopedWorkspace}`);
    const wsRole = scopedWorkspace ? user.workspaceRoles.get(scopedWorkspace) : undefined;
    const role = wsRole ?? user.role;
    const roleKind = wsRole ? "workspace" : user.role.kind;
    if (explain)
      steps.push(
        `role ${roleLabel(role)} applies (${roleKind === "workspace" ? "per-workspace role" : `${roleKind} role`})`,
      );

    let scope: "tenant" | "workspace" | null = null;
    let collaborator = false;
    let grantedBy: readonly string[] = [];
    if (grants(catalog, role.permissions, permission.key)) {
      scope = "tenant";
      collaborator = role.collaborator;
      grantedBy = role.permissions;
    } else if (scopedWorkspace) {
      const row = rowFor(role, scopedWorkspace);
      if (row && grants(catalog, row.permissions, permission.key)) {
        scope = "workspace";
        collaborator = row.collaborator;
        grantedBy = row.permissions;
      }
    }
    if (scope === null) {
      decision = null;
      if (explain)
        steps.push(
          `role ${roleLabel(role)} does not grant "${permission.key}"${scopedWorkspace ? ` in workspace ${scopedWorkspace}` : " at tenant level"}`,
        );
      const reason = roleReason(
        "NOT_GRANTED",
        `the role does not grant ${permission.key}`,
        role,
        roleKind,
        null,
        scopedWorkspace,
      );
      decision = emergencyOr(facts, patientRef, scopedWorkspace, permission, steps, reason);
    } else {
      // A per-workspace role's tenant-level grants hold only in its workspace: say that workspace.
      const where =
        scope === "workspace" || roleKind === "workspace"
          ? `in workspace ${scopedWorkspace}${roleKind === "workspace" ? " (per-workspace role)" : ""}`
          : "at tenant level";
      if (explain) {
        const via = impliedBy(catalog, grantedBy, permission.key);
        steps.push(
          `"${permission.key}" is granted ${where}${via ? ` (implied by "${via}", which the role grants)` : ""}${collaborator ? " as a collaborator" : ""}`,
        );
      }
      const as = (code: ReasonCode, message: string) =>
        roleReason(code, message, role, roleKind, scope, scopedWorkspace);
      if (!collaborator) {
        const code = scope === "tenant" ? "GRANTED_TENANT" : "GRANTED_WORKSPACE";
        return finish(steps, explain, true, as(code, `granted ${where} by role ${roleLabel(role)}`));
      }
      if (permission.collaborator === "forbidden") {
        decision = emergencyOr(
          facts,
          patientRef,
          scopedWorkspace,
          permission,
          steps,
          as("COLLABORATOR_FORBIDDEN", `${permission.key} is never granted to collaborators`),
        );
      } else if (!permission.patientScoped) {
        const code = scope === "tenant" ? "GRANTED_TENANT" : "GRANTED_WORKSPACE";
        return finish(steps, explain, true, as(code, `granted ${where} by role ${roleLabel(role)}`));
      } else if (!patientRef) {
        decision = emergencyOr(
          facts,
          patientRef,
          scopedWorkspace,
          permission,
          steps,
          as(
            "COLLABORATOR_NO_PATIENT",
            `the user is a collaborator ${where}: ${permission.key} holds only for a granted patient, and none was named`,
          ),
        );
      } else {
        const grant = liveGrant(facts.patientGrants, now, scopedWorkspace);
        if (grant) {
          const reason = as(
            "GRANTED_PATIENT",
            `the user is a collaborator ${where} with access to patient ${patientRef}`,
          );
          reason.viaPatientGrant = grant.id;
          return finish(steps, explain, true, reason);
        }
        if (explain) {
          for (const g of facts.patientGrants) {
            if (live(g.expiresAt, now))
              steps.push(`grant ${g.id} on patient ${patientRef} is limited to workspace ${g.workspaceId}`);
          }
        }
        decision = emergencyOr(
          facts,
          patientRef,
          scopedWorkspace,
          permission,
          steps,
          as(
            "COLLABORATOR_NO_GRANT",
            `the user is a collaborator ${where} and has no access to patient ${patientRef}${limitedTo(facts.patientGrants, now, user, scopedWorkspace)}`,
          ),
        );
      }
    }
  } else if (denied.code === "WORKSPACE_NOT_FOUND") {
    // No elevation reaches a workspace that is not there (one deleted since it was opened).
    decision = { allowed: false, reason: denied, steps };
  } else {
    decision = emergencyOr(facts, patientRef, scopedWorkspace, permission, steps, denied);
  }
  return finish(steps, explain, decision.allowed, decision.reason);
}

// The helpers below are module functions, not closures inside decide(): a closure is allocated on
// every call (and, under tsx/esbuild keepNames, renamed with defineProperty), which dominated the
// cost of a decision.

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * A reason naming the role that applied. Built field by field: a conditional object spread here
 * cost more than the whole rest of a decision.
 */
function roleReason(
  code: ReasonCode,
  message: string,
  role: DecisionRole,
  roleKind: "formal" | "private" | "workspace",
  scope: "tenant" | "workspace" | null,
  workspaceId: string | null,
): Mutable<Reason> {
  const reason: Mutable<Reason> = { code, message, roleId: role.id, roleKind };
  if (role.kind === "formal" && role.name) reason.roleName = role.name;
  if (scope) reason.scope = scope;
  if (workspaceId) reason.workspaceId = workspaceId;
  return reason;
}

/** A role as messages name it: `"Physicist" (rol_…)`, or the id alone for a private role. */
const roleLabel = (role: DecisionRole) =>
  role.kind === "formal" && role.name ? `${JSON.stringify(role.name)} (${role.id})` : role.id;

function finish(steps: string[], explain: boolean, allowed: boolean, reason: Reason): Decision {
  if (explain) steps.push(`${allowed ? "allowed" : "denied"}: ${reason.message}`);
  return { allowed, reason, steps };
}

/** Step 2: the workspace must exist and the user must be active in it. */
function workspaceDenial(facts: DecisionFacts, user: DecisionUser, workspaceId: string): Reason | null {
  if (facts.workspaceExists === false) {
    return { code: "WORKSPACE_NOT_FOUND", message: "no such workspace in this tenant", workspaceId };
  }
  if (user.workspaceAccess !== "all" && !user.workspaceAccess.has(workspaceId)) {
    return {
      code: "WORKSPACE_INACTIVE",
      message: `the user is not active in workspace ${workspaceId}`,
      workspaceId,
    };
  }
  return null;
}

function rowFor(role: DecisionRole, workspaceId: string) {
  for (const w of role.workspaces) if (w.workspaceId === workspaceId) return w;
  return undefined;
}

/**
 * The grant a decision rests on, whatever order the facts came in (check and who-can read them
 * with different queries and must name the same one): the grant limited to this workspace before
 * a tenant-wide one, then the one lasting longest (no expiry first), then the smallest id.
 */
function liveGrant(
  grants: readonly PatientGrantFact[],
  now: string,
  workspaceId: string | null,
): PatientGrantFact | undefined {
  let best: PatientGrantFact | undefined;
  for (const g of grants) {
    if (!live(g.expiresAt, now) || (g.workspaceId !== null && g.workspaceId !== workspaceId)) continue;
    if (best === undefined || rankGrant(g, best) < 0) best = g;
  }
  return best;
}

/**
 * A denial beside live grants limited to other workspaces, where the user is active, says where
 * the access holds: "no access" alone reads as if the patient had never been shared.
 */
function limitedTo(
  grants: readonly PatientGrantFact[],
  now: string,
  user: DecisionUser,
  workspaceId: string | null,
): string {
  const where = new Set<string>();
  for (const g of grants) {
    const ws = g.workspaceId;
    if (ws === null || ws === workspaceId || !live(g.expiresAt, now)) continue;
    if (user.workspaceAccess === "all" || user.workspaceAccess.has(ws)) where.add(ws);
  }
  if (where.size === 0) return "";
  const list = `workspace${where.size > 1 ? "s" : ""} ${[...where].sort().join(", ")}`;
  return `${workspaceId === null ? " without a workspace" : ` in workspace ${workspaceId}`}: it holds only in ${list}`;
}

function rankGrant(a: PatientGrantFact, b: PatientGrantFact): number {
  if ((a.workspaceId === null) !== (b.workspaceId === null)) return a.workspaceId === null ? 1 : -1;
  if (a.expiresAt !== b.expiresAt) {
    if (a.expiresAt === null) return -1;
    if (b.expiresAt === null) return 1;
    return a.expiresAt > b.expiresAt ? -1 : 1;
  }
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Step 6: an open emergency elevation naming this workspace or patient grants what the rest
 * denied: a permission of its set or one a permission of its set implies, within what an
 * elevation may ever grant (patient-scoped, not forbidden for collaborators), and only while the
 * user still holds `emergency_access.use` (taking it away ends break-the-glass at once).
 */
function emergencyOr(
  facts: DecisionFacts,
  patientRef: string | null,
  workspaceId: string | null,
  permission: Permission,
  steps: string[],
  denial: Reason,
): { allowed: boolean; reason: Reason; steps: readonly string[] } {
  if (facts.emergencies.length === 0) return { allowed: false, reason: denial, steps };
  const key = permission.key;
  const eligible = permission.patientScoped && permission.collaborator !== "forbidden";
  let e: EmergencyFact | undefined;
  for (const x of facts.emergencies) {
    if (
      eligible &&
      x.expiresAt > facts.now &&
      coversKey(facts.catalog, x.permissions, key) &&
      ((x.patientRef !== null && x.patientRef === patientRef) ||
        (x.workspaceId !== null && x.patientRef === null && x.workspaceId === workspaceId))
    ) {
      e = x;
      break;
    }
  }
  if (!e) {
    if (facts.emergencies.some((x) => x.expiresAt > facts.now))
      steps.push(`no open emergency access covers "${key}" here`);
    return { allowed: false, reason: denial, steps };
  }
  const holds = decide({ ...facts, emergencies: [] }, { permission: EMERGENCY_USE }, { steps: false });
  if (!holds.allowed) {
    steps.push(`emergency access ${e.id} is open, but the user no longer holds "${EMERGENCY_USE}"`);
    return { allowed: false, reason: denial, steps };
  }
  steps.push(`denied by the rules (${denial.message}), but emergency access ${e.id} is open`);
  const reason: Mutable<Reason> = {
    code: "EMERGENCY_ACCESS",
    message: `emergency access ${e.id} grants ${key}`,
    viaEmergency: e.id,
  };
  if (workspaceId) reason.workspaceId = workspaceId;
  return { allowed: true, reason, steps };
}

const EMERGENCY_USE = "emergency_access.use";

function coversKey(catalog: Catalog, set: ReadonlySet<string>, key: string): boolean {
  if (set.has(key)) return true;
  for (const k of set) if (catalog.closure.get(k)?.has(key)) return true;
  return false;
}
