/**
 * Editing a user (PATCH): any field, with the same checks as create, plus the guards that only an
 * edit can break: nobody changes their own role, the last administrator stays, an archived user
 * is restored before its identity or fields are edited (so a reserved identity cannot be silently
 * re-purposed); only its roles and workspaces may change while it is archived.
 */

import type { UpdateUserBody, User } from "@staffgate/contract";
import { ensureAdministratorRemains, ensureNotLastAdministratorSelf } from "../access/admin-guard.ts";
import { currentHolder } from "../access/current-holder.ts";
import { type Holder, isAdministratorRole } from "../access/grants.rules.ts";
import { appendAudit, diffChanges } from "../audit/audit-writer.ts";
import { type Caller, isOwnAccount } from "../auth/caller.ts";
import type { UsersTable } from "../db/schema.ts";
import { loadRolesById } from "../roles/roles.table.ts";
import type { Ctx } from "../shared/context.ts";
import type { Deps } from "../shared/deps.ts";
import { AppError } from "../shared/errors.ts";
import { flag } from "../shared/json.ts";
import { foldKey } from "../shared/text.rules.ts";
import type { Trx } from "../shared/tx.ts";
import { expectVersion } from "../shared/versions.ts";
import { createTenantStore } from "../tenants/tenants.store.ts";
import { onEmailChanged } from "./email-change.ts";
import { deriveDisplayName, deriveInitials, searchText, sortName } from "./user-fields.rules.ts";
import {
  AUDITED_USER_FIELDS,
  checkWorkRole,
  checkWorkspaceIds,
  checkWorkspaceRoles,
  ensureAccessWithin,
  ensureCoversRole,
  ensureCoversWorkspaceRoles,
  ensureLoginUnambiguous,
  expiryOrThrow,
  loadFormalRole,
  phoneOrThrow,
  sameAssignments,
  tenantWorkRoles,
  text,
} from "./user-input.ts";
import { expiredRefusal, hasExpired } from "./user-lifecycle.rules.ts";
import { loadTargetWithin } from "./user-lifecycle.service.ts";
import { createUserStore } from "./users.store.ts";
import { toUser } from "./users.table.ts";
import { afterVirtualSwitch, virtualSwitch } from "./virtual-switch.ts";

/** What an archived user's edit may change: what the Roles tab holds. */
export const ARCHIVED_EDITABLE: ReadonlySet<string> = new Set([
  "roleId",
  "workspaceAccess",
  "workspaceRoles",
]);

/** `undefined` keeps the current value; `null` or "" clears an optional text field. */
function pick(patch: string | null | undefined, current: string | null): string | null {
  return patch === undefined ? current : text(patch);
}

export async function updateUserIn(
  deps: Deps,
  trx: Trx,
  ctx: Ctx,
  caller: Caller,
  id: string,
  input: UpdateUserBody,
  ifMatch: number | undefined,
  /** The caller gave their password again (users.service.ts): needed to change one's own email. */
  reauthenticated = false,
): Promise<User> {
  const store = createUserStore(trx, ctx.tenantId);
  // Editing someone who holds more than you (their email, say) could hand you their account once a
  // reset link goes to the new address: the same rule as every other action on a user.
  const row =
    caller.userId === id ? await store.findUserRowById(id) : await loadTargetWithin(trx, caller, id, ifMatch);
  if (!row) throw new AppError("USER_NOT_FOUND");
  expectVersion(row.version, ifMatch);
  if (row.status === "archived") {
    // Its roles and workspaces may change without a restore: a role held only by archived users
    // could not be deleted otherwise except by making their accounts usable again (restore mails
    // an invited one, lets the rest sign in). Its identity and fields wait for a restore.
    const fields = (Object.keys(input) as (keyof UpdateUserBody)[]).filter((k) => input[k] !== undefined);
    const other = fields.filter((k) => !ARCHIVED_EDITABLE.has(k));
    if (other.length > 0) {
      throw new AppError(
        "USER_STATE_INVALID",
        "The user is archived: only its role, workspaces and workspace roles can be changed; restore it to edit the rest",
        { errors: other.map((path) => ({ path, message: "cannot be changed while the user is archived" })) },
      );
    }
  }
  const now = deps.clock.now().toISOString();
  // Past its expiry (the expiry job archives it within moments) an edit clearing or moving the
  // expiry brought the account, and its sessions, back without a restore (the lifecycle audit).
  // Other edits stay open: an identity provider's `active: false` with a new title, say.
  const movesExpiry = input.expiresAt !== undefined && input.expiresAt !== row.expires_at;
  if (movesExpiry && hasExpired(row.expires_at, now)) {
    const refusal = expiredRefusal(row.expires_at!);
    throw new AppError(refusal.code, refusal.detail);
  }
  const extras = (await store.extrasFor([row])).get(row.id)!;
  const before = toUser(row, extras, now);

  const roleChanged = input.roleId !== undefined && input.roleId !== row.role_id;
  const wsRolesChanged =
    input.workspaceRoles !== undefined && !sameAssignments(input.workspaceRoles, before.workspaceRoles);
  if ((roleChanged || wsRolesChanged) && isOwnAccount(caller, id)) {
    // Only the formal role makes an administrator; a role that is not one would leave none.
    const next = roleChanged
      ? (await loadRolesById(trx, ctx.tenantId, [input.roleId!])).get(input.roleId!)
      : undefined;
    await ensureNotLastAdministratorSelf(
      trx,
      ctx.tenantId,
      caller.catalog,
      id,
      !roleChanged || next === undefined || isAdministratorRole(caller.catalog, next),
    );
    throw new AppError("SELF_ROLE_CHANGE", "Ask another administrator to change your role", {
      errors: [{ path: roleChanged ? "roleId" : "workspaceRoles", message: "is your own" }],
    });
  }

  const firstName = input.firstName ?? row.first_name;
  const lastName = input.lastName ?? row.last_name;
  // Initials that were derived follow a renamed user; initials typed by an admin are kept.
  const derivedBefore = row.initials === deriveInitials(row.first_name, row.last_name);
  const initials =
    input.initials !== undefined
      ? (text(input.initials) ?? deriveInitials(firstName, lastName))
      : derivedBefore
        ? deriveInitials(firstName, lastName)
        : row.initials;
  const username = input.username ?? row.username;
  const email = input.email ?? row.email;
  // ASVS 7.5.1: one's own email only with the password again; a CSV row or SCIM cannot give it.
  if (isOwnAccount(caller, id) && foldKey(email) !== row.email_key && !reauthenticated) {
    // Only a person can give the password again: a step-up asked of an API token (about its own
    // integration user or the person who made it) could never be met.
    if (caller.kind !== "session") {
      throw new AppError(
        "SELF_ACTION_FORBIDDEN",
        "An API token cannot change the email address of its own user or of the person who made it",
        { errors: [{ path: "email", message: "is the address of this token's user or of its maker" }] },
      );
    }
    throw new AppError("REAUTHENTICATION_REQUIRED", "Changing your own email address needs your password", {
      errors: [{ path: "currentPassword", message: "is needed to change your own email address" }],
    });
  }
  const employeeNumber = pick(input.employeeNumber, row.employee_number);
  const switchesVirtual = input.virtual !== undefined && input.virtual !== (row.virtual === 1);
  const switched = switchesVirtual
    ? await virtualSwitch(trx, ctx, caller, row, input.virtual!, foldKey(email) !== row.email_key, now)
    : {};
  const next: UsersTable = {
    ...row,
    username,
    username_key: foldKey(username),
    email,
    email_key: foldKey(email),
    first_name: firstName,
    last_name: lastName,
    initials,
    display_name: deriveDisplayName(firstName, lastName),
    sort_name: sortName(firstName, lastName),
    search_text: searchText({ firstName, lastName, username, email, employeeNumber }),
    phone: input.phone === undefined ? row.phone : phoneOrThrow(input.phone),
    work_role: pick(input.workRole, row.work_role),
    professional_id: pick(input.professionalId, row.professional_id),
    prescriber_id: pick(input.prescriberId, row.prescriber_id),
    qualifications: pick(input.qualifications, row.qualifications),
    areas_of_expertise: pick(input.areasOfExpertise, row.areas_of_expertise),
    employee_number: employeeNumber,
    title: pick(input.title, row.title),
    role_id: input.roleId ?? row.role_id,
    workspace_access_all:
      input.workspaceAccess === undefined ? row.workspace_access_all : flag(input.workspaceAccess === "all"),
    expires_at: input.expiresAt === undefined ? row.expires_at : expiryOrThrow(input.expiresAt, now),
    ...switched,
  };

  // One's own expiry may come sooner, never later nor go (pentest audit, 2026-12-06: an
  // administrator kept an account its expiry was to end, also through a token or a CSV row).
  if (isOwnAccount(caller, id) && extendsExpiry(row.expires_at, next.expires_at)) {
    throw new AppError("SELF_ACTION_FORBIDDEN", "Ask another administrator to extend or remove your expiry", {
      errors: [{ path: "expiresAt", message: "is your own account's: it may only come sooner" }],
    });
  }

  // The actor's grants, read once and only if a check below needs them.
  let holder: Promise<Holder> | undefined;
  const actor = () => {
    holder ??= currentHolder(trx, caller);
    return holder;
  };
  await ensureLoginUnambiguous(trx, ctx.tenantId, next, {
    username: next.username_key !== row.username_key,
    email: next.email_key !== row.email_key,
  });
  // A work role the tenant has since dropped stays on users until someone changes it.
  if (input.workRole !== undefined || input.professionalId !== undefined) {
    const tenant = await createTenantStore(trx).findTenantById(ctx.tenantId);
    const workRoles = tenantWorkRoles(tenant?.work_roles ?? "[]");
    if (next.work_role === row.work_role && next.work_role !== null) {
      // Unchanged work role: only the professional ID rule applies.
      checkWorkRole(
        workRoles.some((w) => w.name === next.work_role)
          ? workRoles
          : [...workRoles, { name: next.work_role, professionalIdLabel: null }],
        next.work_role,
        next.professional_id,
      );
    } else {
      next.work_role = checkWorkRole(workRoles, next.work_role, next.professional_id);
    }
  }
  if (roleChanged) {
    ensureCoversRole(caller, await actor(), await loadFormalRole(trx, ctx.tenantId, next.role_id));
  }
  if (input.workspaceAccess !== undefined && input.workspaceAccess !== "all") {
    const list = input.workspaceAccess;
    await checkWorkspaceIds(trx, ctx.tenantId, list, (i) => `workspaceAccess.${i}`);
  }
  // One's own access too: a limited administrator must not widen it (found by the issue 3 re-walk).
  if (input.workspaceAccess !== undefined) {
    ensureAccessWithin(await actor(), input.workspaceAccess, before.workspaceAccess);
  }
  if (input.workspaceRoles !== undefined && wsRolesChanged) {
    const roles = await checkWorkspaceRoles(trx, ctx.tenantId, input.workspaceRoles);
    // Assignments the user already has are not re-judged: removing them is never an escalation.
    const added = input.workspaceRoles.filter(
      (a) => !before.workspaceRoles.some((b) => b.workspaceId === a.workspaceId && b.roleId === a.roleId),
    );
    ensureCoversWorkspaceRoles(caller, await actor(), added, roles);
  }

  if (roleChanged) await store.deletePrivateRoleOf(id);
  if (input.workspaceAccess !== undefined) {
    await store.replaceWorkspaceAccess(
      id,
      input.workspaceAccess === "all" ? [] : [...new Set(input.workspaceAccess)],
    );
  }
  if (wsRolesChanged && input.workspaceRoles) await store.replaceWorkspaceRoles(id, input.workspaceRoles);

  // Read again only what this edit may have changed: the private role, the lists.
  const relationsChanged = roleChanged || wsRolesChanged || input.workspaceAccess !== undefined;
  const after = relationsChanged ? (await store.toUsers([next], now))[0]! : toUser(next, extras, now);
  const changes = diffChanges(before, after, AUDITED_USER_FIELDS);
  if (Object.keys(changes).length === 0) return before;
  next.updated_at = now;
  next.version = row.version + 1;
  const { tenant_id: _t, id: _i, created_at: _c, created_by: _b, ...patch } = next;
  await store.updateUserRow(id, patch);
  if (roleChanged || wsRolesChanged || input.expiresAt !== undefined || switchesVirtual) {
    await ensureAdministratorRemains(trx, ctx.tenantId, caller.catalog);
  }
  const ended = switchesVirtual ? await afterVirtualSwitch(deps, trx, ctx, row, next, now) : {};
  if (next.email_key !== row.email_key) await onEmailChanged(deps, trx, next, row.email, now);
  await appendAudit(deps, trx, ctx, {
    action: "user.updated",
    target: { type: "user", id, label: next.username },
    changes: { ...changes, ...ended },
  });
  return { ...after, updatedAt: next.updated_at, version: next.version };
}

/** Whether `after` ends an account later than `before` did (null: never). */
export function extendsExpiry(before: string | null, after: string | null): boolean {
  return before !== null && (after === null || after > before);
}
