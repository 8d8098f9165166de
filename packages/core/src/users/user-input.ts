/**
 * Checks of a user's input against the tenant's own data (work roles, roles, workspaces) and
 * against the actor's grants (no privilege escalation). Run inside the use case's transaction so
 * that what was checked is what gets written.
 */
import type { User, WorkRole } from "@staffgate/contract";
import { normalizePhone, PHONE_RULE } from "@staffgate/contract";
import {
  accessBeyond,
  type Excess,
  excessOver,
  grantsInWorkspace,
  type Holder,
  type RoleGrants,
  type RoleRef,
} from "../access/grants.rules.ts";
import type { Caller } from "../auth/caller.ts";
import { loadRolesById } from "../roles/roles.table.ts";
import { AppError, invalid } from "../shared/errors.ts";
import { parseJson } from "../shared/json.ts";
import { foldKey } from "../shared/text.rules.ts";
import type { Executor } from "../shared/tx.ts";
import { createWorkspaceStore } from "../workspaces/workspaces.store.ts";
import type { WorkspaceRoleAssignment } from "./users.table.ts";

/** Public fields recorded in the audit; never the password or its hash. */
export const AUDITED_USER_FIELDS = [
  "username",
  "email",
  "firstName",
  "lastName",
  "initials",
  "phone",
  "workRole",
  "professionalId",
  "prescriberId",
  "qualifications",
  "areasOfExpertise",
  "employeeNumber",
  "title",
  "roleId",
  "privateRole",
  "workspaceAccess",
  "workspaceRoles",
  "virtual",
  "expiresAt",
  "status",
  "mustChangePassword",
] as const satisfies readonly (keyof User)[];

/** Empty or E.164, stored without spaces. */
export function phoneOrThrow(input: string | null | undefined): string {
  const phone = normalizePhone(input);
  if (phone === null) throw invalid("phone", PHONE_RULE);
  return phone;
}

/** An expiry is stored as ISO UTC and must lie ahead: an account that should end now is archived instead. */
export function expiryOrThrow(input: string | null | undefined, nowIso: string): string | null {
  if (input === null || input === undefined) return null;
  const at = new Date(input).toISOString();
  if (at <= nowIso) throw invalid("expiresAt", "must be in the future (archive the user to end access now)");
  return at;
}

export const text = (v: string | null | undefined): string | null => (v === undefined || v === "" ? null : v);

export function tenantWorkRoles(workRolesJson: string): readonly WorkRole[] {
  return parseJson<WorkRole[]>(workRolesJson, []);
}

/**
 * The work role must be in the tenant's list, matched without regard to case (the list's spelling
 * is what is stored and returned); a professional ID only where the work role carries one.
 */
export function checkWorkRole(
  workRoles: readonly WorkRole[],
  workRole: string | null,
  professionalId: string | null,
): string | null {
  if (workRole === null) {
    if (professionalId !== null) throw professionalIdNotAllowed("no work role");
    return null;
  }
  const key = foldKey(workRole);
  const known = workRoles.find((w) => w.name === workRole) ?? workRoles.find((w) => foldKey(w.name) === key);
  if (!known) {
    const names = workRoles.map((w) => w.name).join(", ");
    throw new AppError("VALIDATION_FAILED", `"${workRole}" is not one of the tenant's work roles: ${names}`, {
      errors: [{ path: "workRole", message: "is not in the tenant's work-role list" }],
    });
  }
  if (professionalId !== null && known.professionalIdLabel === null) {
    throw professionalIdNotAllowed(`work role "${known.name}"`);
  }
  return known.name;
}

function professionalIdNotAllowed(what: string): AppError {
  return new AppError("VALIDATION_FAILED", `A user with ${what} does not carry a professional ID`, {
    errors: [{ path: "professionalId", message: "is only allowed for a work role with a professional ID" }],
  });
}

/** Unknown and foreign ids fail alike: the store only sees this tenant's workspaces. */
export async function checkWorkspaceIds(
  db: Executor,
  tenantId: string,
  ids: readonly string[],
  pathOf: (index: number) => string,
): Promise<void> {
  const existing = await createWorkspaceStore(db, tenantId).existingWorkspaceIds(ids);
  const bad = ids.findIndex((id) => !existing.has(id));
  if (bad >= 0) throw invalid(pathOf(bad), "is not a workspace of this tenant");
}

/** One role per workspace, each an existing formal role, each workspace an existing one. */
export async function checkWorkspaceRoles(
  db: Executor,
  tenantId: string,
  assignments: readonly WorkspaceRoleAssignment[],
): Promise<Map<string, RoleRef>> {
  const seen = new Set<string>();
  assignments.forEach((a, i) => {
    if (seen.has(a.workspaceId)) {
      throw invalid(`workspaceRoles.${i}.workspaceId`, "has a role already; one role per workspace");
    }
    seen.add(a.workspaceId);
  });
  await checkWorkspaceIds(
    db,
    tenantId,
    assignments.map((a) => a.workspaceId),
    (i) => `workspaceRoles.${i}.workspaceId`,
  );
  const roles = await loadRolesById(db, tenantId, [...new Set(assignments.map((a) => a.roleId))]);
  assignments.forEach((a, i) => {
    const role = roles.get(a.roleId);
    if (!role || role.privateUserId !== null) {
      throw invalid(`workspaceRoles.${i}.roleId`, "is not a role of this tenant");
    }
  });
  return roles;
}

/** An existing formal role of the tenant (private roles are only made by "Edit permissions"). */
export async function loadFormalRole(db: Executor, tenantId: string, roleId: string): Promise<RoleRef> {
  const role = (await loadRolesById(db, tenantId, [roleId])).get(roleId);
  if (!role || role.privateUserId !== null) throw invalid("roleId", "is not a role of this tenant");
  return role;
}

function escalation(path: string, excess: readonly Excess[]): AppError {
  const list = [
    ...new Set(excess.map((e) => (e.workspaceId ? `${e.permission} in ${e.workspaceId}` : e.permission))),
  ];
  const message = `grants permissions you do not hold: ${list.slice(0, 10).join(", ")}`;
  return new AppError("PRIVILEGE_ESCALATION", `The role ${message}`, { errors: [{ path, message }] });
}

/**
 * Refuses giving access to a workspace the actor is not active in (PRODUCT.md §2 Guards: nobody
 * grants more than they hold, and in such a workspace the actor holds nothing). Only what the
 * change adds is judged (`before`: the access as it was; a new user has none): anyone may narrow.
 */
export function ensureAccessWithin(
  holder: Holder,
  access: "all" | readonly string[],
  before: "all" | readonly string[] = [],
): void {
  if (before === "all") return;
  const added = access === "all" ? "all" : access.filter((w) => !before.includes(w));
  const beyond = accessBeyond(holder, added);
  if (beyond === "all") {
    const message =
      "is every workspace, and you are active only in some: list the workspaces you are active in";
    throw new AppError("PRIVILEGE_ESCALATION", `The access ${message}`, {
      errors: [{ path: "workspaceAccess", message }],
    });
  }
  if (beyond.length > 0 && access !== "all") {
    const message = "is a workspace you are not active in";
    throw new AppError("PRIVILEGE_ESCALATION", `The access names workspaces you are not active in`, {
      errors: beyond.map((w) => ({ path: `workspaceAccess.${access.indexOf(w)}`, message })),
    });
  }
}

/** Refuses a role the actor's own grants do not cover (SECURITY.md 52). */
export function ensureCoversRole(caller: Caller, holder: Holder, role: RoleGrants, path = "roleId"): void {
  const excess = excessOver(caller.catalog, holder, role);
  if (excess.length > 0) throw escalation(path, excess);
}

/** The same for per-workspace assignments, each judged in its own workspace. */
export function ensureCoversWorkspaceRoles(
  caller: Caller,
  holder: Holder,
  assignments: readonly WorkspaceRoleAssignment[],
  roles: ReadonlyMap<string, RoleGrants>,
): void {
  assignments.forEach((a, i) => {
    const role = roles.get(a.roleId);
    if (!role) return;
    const excess = excessOver(caller.catalog, holder, grantsInWorkspace(role, a.workspaceId));
    if (excess.length > 0) throw escalation(`workspaceRoles.${i}.roleId`, excess);
  });
}

export function sameAssignments(
  a: readonly WorkspaceRoleAssignment[],
  b: readonly WorkspaceRoleAssignment[],
): boolean {
  const key = (xs: readonly WorkspaceRoleAssignment[]) =>
    xs
      .map((x) => `${x.workspaceId}\u0000${x.roleId}`)
      .sort()
      .join("\u0001");
  return key(a) === key(b);
}

/**
 * A username must not be another user's email address, nor an email another user's username: a
 * sign-in names an account by either, a username match winning (login.store.ts), so a user given
 * `alice@x.example` as username would take over the sign-in of the user with that email (found by
 * the issue 3 re-walk). Usernames without "@" can never be an email, so only those are looked up.
 * Runs in the tenant's transaction, where creates and edits of users take turns.
 */
export async function ensureLoginUnambiguous(
  db: Executor,
  tenantId: string,
  user: { readonly id: string; readonly username_key: string; readonly email_key: string },
  changed: { readonly username: boolean; readonly email: boolean },
): Promise<void> {
  const clash = (column: "email_key" | "username_key", key: string) =>
    db
      .selectFrom("users")
      .select("id")
      .where("tenant_id", "=", tenantId)
      .where(column, "=", key)
      .where("id", "!=", user.id)
      .executeTakeFirst();
  if (changed.username && user.username_key.includes("@") && (await clash("email_key", user.username_key))) {
    throw new AppError("USER_USERNAME_TAKEN", undefined, {
      errors: [{ path: "username", message: "is another user's email address, which signs them in" }],
    });
  }
  if (changed.email && (await clash("username_key", user.email_key))) {
    throw new AppError("USER_EMAIL_TAKEN", undefined, {
      errors: [{ path: "email", message: "is another user's username, which signs them in" }],
    });
  }
}
