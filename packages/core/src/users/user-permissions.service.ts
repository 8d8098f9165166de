/**
 * "Edit permissions" on one user (PRODUCT.md §2 "Private role"): a role bound to that user alone,
 * copied from the body (the console sends the formal role's grants as the template).
 */

import type { PrivatePermissionsBody, User, UserPermissions } from "@staffgate/contract";
import { ensureAdministratorRemains, ensureNotLastAdministratorSelf } from "../access/admin-guard.ts";
import { currentHolder } from "../access/current-holder.ts";
import { excessOver, isAdministratorRole, type RoleGrants } from "../access/grants.rules.ts";
import { appendAudit } from "../audit/audit-writer.ts";
import { type Caller, isOwnAccount } from "../auth/caller.ts";
import { assertValidRole, escalation } from "../roles/roles.rules.ts";
import { loadRolesById } from "../roles/roles.table.ts";
import type { Ctx } from "../shared/context.ts";
import type { Deps } from "../shared/deps.ts";
import { AppError } from "../shared/errors.ts";
import { inTenantTx, type Trx } from "../shared/tx.ts";
import { createUserActionsStore } from "./user-actions.store.ts";
import { describeExcess } from "./user-lifecycle.rules.ts";
import { loadTargetWithin, userOf } from "./user-lifecycle.service.ts";
import { createUserStore } from "./users.store.ts";

/**
 * Deletes a user's private role (call it when the user gets a formal role again, after setting
 * users.role_id, inside the same tenant transaction). Returns how many roles were deleted.
 */
export function deletePrivateRole(trx: Trx, tenantId: string, userId: string): Promise<number> {
  return createUserActionsStore(trx, tenantId).deletePrivateRoles(userId);
}

function grantsOf(role: RoleGrants | undefined): RoleGrants {
  return {
    permissions: [...(role?.permissions ?? [])],
    collaborator: role?.collaborator ?? false,
    workspaces: (role?.workspaces ?? []).map((w) => ({ ...w, permissions: [...w.permissions] })),
  };
}

/** Equal as grants: the order of permissions and of workspace rows does not matter. */
function sameGrants(a: RoleGrants, b: RoleGrants): boolean {
  const key = (g: RoleGrants) =>
    JSON.stringify([
      [...g.permissions].sort(),
      g.collaborator,
      g.workspaces
        .map((w) => [w.workspaceId, [...w.permissions].sort(), w.collaborator] as const)
        .sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0)),
    ]);
  return key(a) === key(b);
}

export function createUserPermissionsService(deps: Deps) {
  return {
    /** The grants of the user's role: the private role's, or the formal role's as a template. */
    async getUserPermissions(ctx: Ctx, id: string): Promise<UserPermissions> {
      const row = await createUserStore(deps.db.kysely, ctx.tenantId).findUserRowById(id);
      if (!row) throw new AppError("USER_NOT_FOUND");
      const role = (await loadRolesById(deps.db.kysely, ctx.tenantId, [row.role_id])).get(row.role_id);
      const g = grantsOf(role);
      return {
        roleId: row.role_id,
        private: role?.privateUserId === id,
        permissions: [...g.permissions],
        collaborator: g.collaborator,
        workspaces: g.workspaces.map((w) => ({ ...w, permissions: [...w.permissions] })),
      };
    },

    /** Creates or replaces the user's private role and makes it the user's role. */
    setUserPermissions(
      caller: Caller,
      ctx: Ctx,
      id: string,
      input: PrivatePermissionsBody,
      ifMatch?: number,
    ): Promise<User> {
      const grants: RoleGrants = {
        permissions: [...new Set(input.permissions)],
        collaborator: input.collaborator,
        workspaces: input.workspaces.map((w) => ({
          workspaceId: w.workspaceId,
          permissions: [...new Set(w.permissions)],
          collaborator: w.collaborator,
        })),
      };
      return inTenantTx(deps, ctx.tenantId, async (trx) => {
        if (isOwnAccount(caller, id)) {
          await ensureNotLastAdministratorSelf(
            trx,
            ctx.tenantId,
            caller.catalog,
            id,
            isAdministratorRole(caller.catalog, grants),
          );
          throw new AppError("SELF_ROLE_CHANGE", "Ask another administrator to change your permissions");
        }
        const row = await loadTargetWithin(trx, caller, id, ifMatch);
        // A private role is made of permissions, not chosen: an archived user waits for a restore
        // (users-update.ts lets only its formal and per-workspace roles and workspaces change).
        if (row.status === "archived") {
          throw new AppError("USER_STATE_INVALID", "The user is archived; restore it before editing");
        }
        const store = createUserActionsStore(trx, ctx.tenantId);
        const workspaceIds = await store.existingWorkspaceIds(grants.workspaces.map((w) => w.workspaceId));
        assertValidRole(caller.catalog, grants, workspaceIds);
        const excess = excessOver(caller.catalog, await currentHolder(trx, caller), grants);
        if (excess.length > 0) {
          // Each permission named at its path in the body, as for a formal role.
          throw escalation(
            excess,
            grants,
            `You cannot grant permissions you do not hold: ${describeExcess(excess)}`,
          );
        }
        const held = (await loadRolesById(trx, ctx.tenantId, [row.role_id])).get(row.role_id);
        const before = grantsOf(held);
        // The same private role again changes nothing: no new version, no audit event.
        if (held?.privateUserId === id && sameGrants(before, grants))
          return userOf(deps, trx, ctx.tenantId, id);
        const at = deps.clock.now().toISOString();
        const existing = await store.findPrivateRoleId(id);
        let roleId: string;
        if (existing) {
          roleId = existing.id;
          await store.replacePrivateRole(existing.id, existing.version, grants, at);
        } else {
          roleId = deps.ids.next("rol");
          await store.insertPrivateRole(roleId, id, grants, at);
        }
        await store.updateUser(id, { role_id: roleId, updated_at: at, version: row.version + 1 });
        // The user may have been the last administrator: the private role must keep the pair then.
        await ensureAdministratorRemains(trx, ctx.tenantId, caller.catalog);
        await appendAudit(deps, trx, ctx, {
          action: "user.permissions_changed",
          target: { type: "user", id, label: row.username },
          changes: {
            roleId: { before: row.role_id, after: roleId },
            grants: { before, after: grants },
          },
        });
        return userOf(deps, trx, ctx.tenantId, id);
      });
    },
  };
}

export type UserPermissionsService = ReturnType<typeof createUserPermissionsService>;
