/**
 * The actor's grants as they are now, read inside the use case's tenant transaction. The caller
 * resolved at the start of the request may be stale by the time the tenant lock is held (another
 * administrator may have demoted the actor meanwhile): escalation checks use this instead.
 */
import type { Caller } from "../auth/caller.ts";
import { loadRolesById } from "../roles/roles.table.ts";
import { AppError } from "../shared/errors.ts";
import type { Executor } from "../shared/tx.ts";
import type { Holder, RoleRef } from "./grants.rules.ts";

export async function currentHolder(trx: Executor, caller: Caller): Promise<Holder> {
  // The operator is no user of the tenant: its grants are fixed (operator-caller.ts).
  if (caller.kind === "operator") return caller.holder;
  const user = await trx
    .selectFrom("users")
    .select(["role_id", "status"])
    .where("tenant_id", "=", caller.tenantId)
    .where("id", "=", caller.userId)
    .executeTakeFirst();
  if (user?.status !== "active") {
    throw new AppError("FORBIDDEN", "Your account is no longer active");
  }
  const holder = await holderOf(trx, caller.tenantId, caller.userId, user.role_id);
  if (!holder) throw new AppError("FORBIDDEN", "Your role no longer exists");
  return holder;
}

/**
 * A user's grants as they are now: its role (`roleId`, read from its row) and its per-workspace
 * roles. Undefined when the role no longer exists.
 */
export async function holderOf(
  trx: Executor,
  tenantId: string,
  userId: string,
  roleId: string,
): Promise<Holder | undefined> {
  const wsRoles = await trx
    .selectFrom("user_workspace_roles")
    .select(["workspace_id", "role_id"])
    .where("tenant_id", "=", tenantId)
    .where("user_id", "=", userId)
    .execute();
  const roles = await loadRolesById(trx, tenantId, [roleId, ...wsRoles.map((w) => w.role_id)]);
  const role = roles.get(roleId);
  if (!role) return undefined;
  const workspaceRoles = new Map<string, RoleRef>();
  for (const w of wsRoles) {
    const r = roles.get(w.role_id);
    if (r) workspaceRoles.set(w.workspace_id, r);
  }
  return { role, workspaceRoles };
}
