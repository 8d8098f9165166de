/**
 * An explain answer in words a tenant administrator reads: the role by its name (formal, private
 * or per-workspace), the scope, the workspace by name, or why it was denied. The API's own steps
 * name roles and workspaces by id; `withNames` puts the names in.
 */
import type { GridData, Reason } from "./model.ts";

export interface Names {
  readonly role: (id: string | undefined) => string;
  readonly workspace: (id: string | undefined) => string;
}

export function namesOf(data: GridData): Names {
  const workspaces = new Map(data.workspaces.map((w) => [w.id, w.name]));
  return {
    role: (id) => (id ? (data.roleNames.get(id) ?? "a role") : "the user's role"),
    workspace: (id) => (id ? `“${workspaces.get(id) ?? id}”` : "this workspace"),
  };
}

function roleWords(reason: Reason, names: Names): string {
  switch (reason.roleKind) {
    case "private":
      return "the user's private role (their own edited permissions)";
    case "workspace":
      return `the per-workspace role “${names.role(reason.roleId)}” assigned for ${names.workspace(reason.workspaceId)}`;
    case "formal":
      return `the role “${names.role(reason.roleId)}”`;
    default:
      return "the user's role";
  }
}

function whereWords(reason: Reason, names: Names): string {
  if (reason.scope === "workspace") return `in its row for ${names.workspace(reason.workspaceId)}`;
  // A per-workspace role's tenant-level grants hold only where it is assigned.
  if (reason.roleKind === "workspace") return `in ${names.workspace(reason.workspaceId)}`;
  return "at tenant level";
}

/** One sentence: the decision and the rule that made it. */
export function reasonWords(reason: Reason, names: Names, user: { status: string }): string {
  const role = roleWords(reason, names);
  const where = whereWords(reason, names);
  switch (reason.code) {
    case "GRANTED_TENANT":
      return reason.roleKind === "workspace"
        ? `Allowed: granted by ${role}, whose tenant-level permissions apply in that workspace.`
        : `Allowed: granted at tenant level by ${role}. Tenant-level permissions apply in every workspace the user is active in and override workspace rows.`;
    case "GRANTED_WORKSPACE":
      return `Allowed: granted ${where} by ${role}.`;
    case "GRANTED_PATIENT":
      return `Allowed for this patient only: ${role} makes the user a collaborator ${where}, and the patient is shared with them.`;
    case "EMERGENCY_ACCESS":
      return "Allowed through emergency access: an open elevation grants what the user's roles alone would deny.";
    case "NOT_GRANTED":
      return reason.workspaceId
        ? `Denied: ${role} grants it neither at tenant level nor in its row for ${names.workspace(reason.workspaceId)}.`
        : `Denied: ${role} does not grant it at tenant level.`;
    case "COLLABORATOR_NO_PATIENT":
      return `Only for granted patients: ${role} makes the user a collaborator ${where}, so this permission holds only for a patient shared with them (Manage Patient Access).`;
    case "COLLABORATOR_NO_GRANT":
      return `Denied: ${role} makes the user a collaborator ${where}, and this patient is not shared with them.`;
    case "COLLABORATOR_FORBIDDEN":
      return `Denied: ${role} makes the user a collaborator ${where}, and this permission is never granted to collaborators.`;
    case "WORKSPACE_INACTIVE":
      return `Denied: the user has no access to ${names.workspace(reason.workspaceId)} (it is not among their workspaces), so no permission applies there.`;
    case "WORKSPACE_NOT_FOUND":
      return "Denied: the workspace no longer exists.";
    case "USER_NOT_ACTIVE":
      return `Denied: the user is ${user.status}. A user who is not active is denied everything.`;
    case "USER_EXPIRED":
      return "Denied: the account has expired. An expired account is denied everything.";
    case "VIRTUAL_USER":
      return "Denied: a virtual user acts only through its API token, never as a signed-in person.";
    default:
      return `${reason.code === "UNKNOWN_PERMISSION" ? "Denied" : "Result"}: ${reason.message}.`;
  }
}

/**
 * The API's steps with role and workspace ids replaced by their names (the API names a role
 * `"Name" (rol_…)`, a private role by its id alone).
 */
export function withNames(step: string, data: GridData): string {
  let out = step;
  for (const [id, name] of data.roleNames) {
    out = out.replaceAll(`role ${JSON.stringify(name)} (${id})`, `role “${name}”`);
    out = out.replaceAll(`role ${id}`, `role “${name}”`);
  }
  for (const w of data.workspaces) out = out.replaceAll(w.id, `“${w.name}”`);
  return out;
}
