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
 * A user's grants as they are now: its role (`roleId`, read from its row), its per-workspace
 * roles and its active workspaces. Undefined when the role no longer exists.
 */
export async function holderOf(
  trx: Executor,
  tenantId: string,
  userId: string,
  roleId: string,
): Promise<Holder | undefined> {
  return (await holdersOf(trx, tenantId, [{ id: userId, roleId }])).get(userId);
}

/** holderOf for several users in four reads; a user whose role no longer exists is left out. */
export async function holdersOf(
  db: Executor,
  tenantId: string,
  users: readonly { readonly id: string; readonly roleId: string }[],
): Promise<Map<string, Holder>> {
  const out = new Map<string, Holder>();
  if (users.length === 0) return out;
  const ids = users.map((u) => u.id);
  const wsRoles = await db
    .selectFrom("user_workspace_roles")
    .select(["user_id", "workspace_id", "role_id"])
    .where("tenant_id", "=", tenantId)
    .where("user_id", "in", ids)
    .execute();
  const everywhere = await db
    .selectFrom("users")
    .select(["id", "workspace_access_all"])
    .where("tenant_id", "=", tenantId)
    .where("id", "in", ids)
    .execute();
  const listed = await db
    .selectFrom("user_workspaces")
    .select(["user_id", "workspace_id"])
    .where("tenant_id", "=", tenantId)
    .where("user_id", "in", ids)
    .execute();
  const allIn = new Set(everywhere.filter((u) => Number(u.workspace_access_all) === 1).map((u) => u.id));
  const roles = await loadRolesById(db, tenantId, [
    ...users.map((u) => u.roleId),
    ...wsRoles.map((w) => w.role_id),
  ]);
  for (const u of users) {
    const role = roles.get(u.roleId);
    if (!role) continue;
    const workspaceRoles = new Map<string, RoleRef>();
    for (const w of wsRoles) {
      const r = w.user_id === u.id ? roles.get(w.role_id) : undefined;
      if (r) workspaceRoles.set(w.workspace_id, r);
    }
    const activeIn = allIn.has(u.id)
      ? ("all" as const)
      : new Set(listed.filter((w) => w.user_id === u.id).map((w) => w.workspace_id));
    out.set(u.id, { role, workspaceRoles, activeIn });
  }
  return out;
}
