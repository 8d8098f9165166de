/**
 * decide(): may this user do this, here, to this patient? A pure function of PRODUCT.md §3 that
 * returns the answer and every step that led to it. Callers load the facts; this only reasons.
 */
import type { Catalog } from "../catalog/catalog.rules.ts";
import type { RoleGrants } from "./grants.rules.ts";

export interface DecisionRole extends RoleGrants {
  readonly id: string;
  readonly kind: "formal" | "private";
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

function grants(catalog: Catalog, perms: readonly string[], key: string): boolean {
  return perms.some((k) => k === key || catalog.closure.get(k)?.has(key) === true);
}

export function decide(facts: DecisionFacts, query: DecisionQuery): Decision {
  const steps: string[] = [];
  const { catalog, now, user } = facts;
  const workspaceId = query.workspaceId ?? null;
  const patientRef = query.patientRef ?? null;
  const done = (allowed: boolean, reason: Reason): Decision => {
    steps.push(`${allowed ? "allowed" : "denied"}: ${reason.message}`);
    return { allowed, reason, steps };
  };

  const permission = catalog.byKey.get(query.permission);
  if (!permission)
    return done(false, {
      code: "UNKNOWN_PERMISSION",
      message: `"${query.permission}" is not in the catalogue`,
    });
  if (!user) return done(false, { code: "USER_NOT_FOUND", message: "no such user in this tenant" });
  if (user.status !== "active")
    return done(false, { code: "USER_NOT_ACTIVE", message: `the user is ${user.status}` });
  if (!live(user.expiresAt, now))
    return done(false, { code: "USER_EXPIRED", message: "the account has expired" });
  if (user.virtual && !facts.viaApiToken) {
    return done(false, { code: "VIRTUAL_USER", message: "a virtual user acts only through an API token" });
  }
  steps.push("the user is active and not expired");

  const tenantOnly = permission.scope === "tenant";
  const scopedWorkspace = tenantOnly ? null : workspaceId;
  if (tenantOnly && workspaceId) steps.push(`"${permission.key}" is tenant-only: the workspace is ignored`);

  const denied = ((): Reason | null => {
    if (scopedWorkspace && facts.workspaceExists === false) {
      return {
        code: "WORKSPACE_NOT_FOUND",
        message: "no such workspace in this tenant",
        workspaceId: scopedWorkspace,
      };
    }
    if (scopedWorkspace && user.workspaceAccess !== "all" && !user.workspaceAccess.has(scopedWorkspace)) {
      return {
        code: "WORKSPACE_INACTIVE",
        message: `the user is not active in workspace ${scopedWorkspace}`,
        workspaceId: scopedWorkspace,
      };
    }
    return null;
  })();

  let decision: Decision | null = null;
  if (!denied) {
    if (scopedWorkspace) steps.push(`the user is active in workspace ${scopedWorkspace}`);
    const wsRole = scopedWorkspace ? user.workspaceRoles.get(scopedWorkspace) : undefined;
    const role = wsRole ?? user.role;
    const roleKind = wsRole ? "workspace" : user.role.kind;
    steps.push(
      `role ${role.id} applies (${roleKind === "workspace" ? "per-workspace role" : `${roleKind} role`})`,
    );
    const base = { roleId: role.id, roleKind } as const;

    let scope: "tenant" | "workspace" | null = null;
    let collaborator = false;
    if (grants(catalog, role.permissions, permission.key)) {
      scope = "tenant";
      collaborator = role.collaborator;
    } else if (scopedWorkspace) {
      const row = role.workspaces.find((w) => w.workspaceId === scopedWorkspace);
      if (row && grants(catalog, row.permissions, permission.key)) {
        scope = "workspace";
        collaborator = row.collaborator;
      }
    }
    if (scope === null) {
      decision = null;
      steps.push(
        `role ${role.id} does not grant "${permission.key}"${scopedWorkspace ? ` in workspace ${scopedWorkspace}` : " at tenant level"}`,
      );
      const reason: Reason = {
        ...base,
        code: "NOT_GRANTED",
        message: `the role does not grant ${permission.key}`,
        ...(scopedWorkspace ? { workspaceId: scopedWorkspace } : {}),
      };
      decision = emergencyOr(facts, query, permission.key, steps, reason);
    } else {
      const where = scope === "tenant" ? "at tenant level" : `in workspace ${scopedWorkspace}`;
      steps.push(`"${permission.key}" is granted ${where}${collaborator ? " as a collaborator" : ""}`);
      const granted: Reason = {
        ...base,
        scope,
        ...(scopedWorkspace ? { workspaceId: scopedWorkspace } : {}),
        code: scope === "tenant" ? "GRANTED_TENANT" : "GRANTED_WORKSPACE",
        message: `granted ${where} by role ${role.id}`,
      };
      if (!collaborator) return done(true, granted);
      if (permission.collaborator === "forbidden") {
        decision = emergencyOr(facts, query, permission.key, steps, {
          ...granted,
          code: "COLLABORATOR_FORBIDDEN",
          message: `${permission.key} is never granted to collaborators`,
        });
      } else if (!permission.patientScoped) {
        return done(true, granted);
      } else if (!patientRef) {
        decision = emergencyOr(facts, query, permission.key, steps, {
          ...granted,
          code: "COLLABORATOR_NO_PATIENT",
          message: `the user is a collaborator ${where}: ${permission.key} holds only for a granted patient, and none was named`,
        });
      } else {
        const grant = facts.patientGrants.find(
          (g) => live(g.expiresAt, now) && (g.workspaceId === null || g.workspaceId === workspaceId),
        );
        if (grant) {
          return done(true, {
            ...granted,
            code: "GRANTED_PATIENT",
            message: `the user is a collaborator ${where} with access to patient ${patientRef}`,
            viaPatientGrant: grant.id,
          });
        }
        decision = emergencyOr(facts, query, permission.key, steps, {
          ...granted,
          code: "COLLABORATOR_NO_GRANT",
          message: `the user is a collaborator ${where} and has no access to patient ${patientRef}`,
        });
      }
    }
  } else {
    decision = emergencyOr(facts, query, permission.key, steps, denied);
  }
  return done(decision.allowed, decision.reason);
}

/** Step 6: an open emergency elevation naming this workspace or patient grants what the rest denied. */
function emergencyOr(
  facts: DecisionFacts,
  query: DecisionQuery,
  key: string,
  steps: string[],
  denial: Reason,
): { allowed: boolean; reason: Reason; steps: readonly string[] } {
  const e = facts.emergencies.find(
    (x) =>
      x.expiresAt > facts.now &&
      x.permissions.has(key) &&
      ((x.patientRef !== null && x.patientRef === (query.patientRef ?? null)) ||
        (x.workspaceId !== null && x.patientRef === null && x.workspaceId === (query.workspaceId ?? null))),
  );
  if (!e) return { allowed: false, reason: denial, steps };
  steps.push(`denied by the rules (${denial.message}), but emergency access ${e.id} is open`);
  return {
    allowed: true,
    reason: {
      code: "EMERGENCY_ACCESS",
      message: `emergency access ${e.id} grants ${key}`,
      viaEmergency: e.id,
      ...(query.workspaceId ? { workspaceId: query.workspaceId } : {}),
    },
    steps,
  };
}
