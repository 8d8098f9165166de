/**
 * User lifecycle use cases (deactivate, reactivate, archive, restore, purge, unlock, end sessions):
 * each one tenant transaction with its audit event, so the guards hold under concurrency.
 */

import type { User } from "@staffgate/contract";
import { ensureAdministratorRemains, ensureNotLastAdministratorSelf } from "../access/admin-guard.ts";
import { currentHolder } from "../access/current-holder.ts";
import { endElevationsOf } from "../access/emergency-cutoff.ts";
import type { RoleGrants } from "../access/grants.rules.ts";
import { appendAudit } from "../audit/audit-writer.ts";
import { endAccessOf, endedChanges } from "../auth/access-cutoff.ts";
import { type Caller, isOwnAccount } from "../auth/caller.ts";
import { queueInvitation } from "../auth/credential-links.ts";
import { createCredentialTokenStore } from "../auth/credential-tokens.store.ts";
import type { UsersTable } from "../db/schema.ts";
import { loadRolesById } from "../roles/roles.table.ts";
import { createScimStore } from "../scim/scim.store.ts";
import type { Ctx } from "../shared/context.ts";
import type { Deps } from "../shared/deps.ts";
import { AppError, invalid } from "../shared/errors.ts";
import { forgetAnswersNaming } from "../shared/idempotency.ts";
import type { Trx } from "../shared/tx.ts";
import { inTenantTx } from "../shared/tx.ts";
import { expectVersion } from "../shared/versions.ts";
import { createTenantStore } from "../tenants/tenants.store.ts";
import { createUserActionsStore } from "./user-actions.store.ts";
import { decideTransition, type LifecycleAction, refusalToActOn } from "./user-lifecycle.rules.ts";
import { createUserStore } from "./users.store.ts";

const NO_GRANTS: RoleGrants = { permissions: [], collaborator: false, workspaces: [] };

/**
 * Nobody purges themselves, resets their own MFA or grants themselves patient access, nor does it
 * through an API token they made (isOwnAccount). Deactivating or archiving oneself is refused
 * in the request (they would lock themselves out mid-request); a token may deactivate the person
 * who made it (an identity provider's SCIM deprovisioning of someone who left), which ends the
 * token too (token-cover.rules.ts).
 */
export function ensureNotSelf(caller: Caller, userId: string, what: string): void {
  if (caller.userId === userId) {
    throw new AppError("SELF_ACTION_FORBIDDEN", `You cannot ${what} yourself; ask another administrator`);
  }
  if (isOwnAccount(caller, userId)) {
    throw new AppError(
      "SELF_ACTION_FORBIDDEN",
      `An API token cannot ${what} the person who made it; ask another administrator`,
    );
  }
}

/**
 * Loads the target (404 for a missing or another tenant's id, 412 on a stale If-Match) and refuses
 * when it holds anything the actor does not: whoever could not have granted a user's permissions
 * may not switch that user off, on, or change its role either (SECURITY.md G-52).
 */
export async function loadTargetWithin(
  trx: Trx,
  caller: Caller,
  id: string,
  ifMatch: number | undefined,
): Promise<UsersTable> {
  const row = await createUserStore(trx, caller.tenantId).findUserRowById(id);
  if (!row) throw new AppError("USER_NOT_FOUND");
  expectVersion(row.version, ifMatch);
  const wsRoles = await createUserActionsStore(trx, caller.tenantId).workspaceRoleIds(id);
  const roles = await loadRolesById(trx, caller.tenantId, [row.role_id, ...wsRoles.map((w) => w.role_id)]);
  const workspaceRoles = new Map<string, RoleGrants>();
  for (const w of wsRoles) workspaceRoles.set(w.workspace_id, roles.get(w.role_id) ?? NO_GRANTS);
  const role: RoleGrants = roles.get(row.role_id) ?? NO_GRANTS;
  const activeIn =
    Number(row.workspace_access_all) === 1
      ? ("all" as const)
      : new Set(await createUserActionsStore(trx, caller.tenantId).listedWorkspaceIds(id));
  const refusal = refusalToActOn(caller.catalog, await currentHolder(trx, caller), {
    role,
    workspaceRoles,
    activeIn,
  });
  if (refusal) throw new AppError("PRIVILEGE_ESCALATION", refusal);
  return row;
}

/** The user as the API shows it, at `deps.clock`'s now. */
export async function userOf(deps: Deps, trx: Trx, tenantId: string, id: string): Promise<User> {
  const users = createUserStore(trx, tenantId);
  const [user] = await users.toUsers([(await users.findUserRowById(id))!], deps.clock.now().toISOString());
  return user!;
}

/** Options of a lifecycle transition: the If-Match version, and restore's replacement expiry. */
export interface TransitionOptions {
  readonly ifMatch?: number | undefined;
  readonly newExpiresAt?: string | null | undefined;
}

/** A lifecycle transition inside the caller's transaction (SCIM's `active` and DELETE compose it). */
export async function transitionUserIn(
  deps: Deps,
  trx: Trx,
  caller: Caller,
  ctx: Ctx,
  id: string,
  action: Exclude<LifecycleAction, "activate">,
  options: TransitionOptions = {},
): Promise<User> {
  if ((action === "deactivate" || action === "archive") && caller.userId === id) {
    await ensureNotLastAdministratorSelf(trx, caller.tenantId, caller.catalog, id);
    ensureNotSelf(caller, id, action);
  }
  const now = () => deps.clock.now().toISOString();
  const row = await loadTargetWithin(trx, caller, id, options.ifMatch);
  const at = now();
  const decision = decideTransition(
    { status: row.status, archivedFrom: row.archived_from, expiresAt: row.expires_at },
    action,
    { now: at, ...(options.newExpiresAt !== undefined ? { newExpiresAt: options.newExpiresAt } : {}) },
  );
  if (!decision.ok) {
    throw decision.path
      ? invalid(decision.path, decision.detail)
      : new AppError(decision.code, decision.detail);
  }
  await createUserActionsStore(trx, ctx.tenantId).updateUser(id, {
    status: decision.status,
    archived_from: decision.archivedFrom,
    expires_at: decision.expiresAt,
    updated_at: at,
    version: row.version + 1,
  });
  if (decision.endsAccess) {
    await endAccessOf(deps, trx, ctx, id, at, `user ${decision.status}`);
    await endElevationsOf(deps, trx, ctx, row, at, `user ${decision.status}`);
  }
  // Switched off or archived before it ever signed in: its invitation link dies with it; invited
  // again (reactivated or restored), it gets a new one. An archive had left the link alive, and a
  // restore brought the old link back to life.
  if (row.status === "invited" && decision.status !== "invited") {
    await createCredentialTokenStore(trx, ctx.tenantId).voidOpen(id, "invitation", at);
  }
  if (row.status !== "invited" && decision.status === "invited") {
    const tenant = (await createTenantStore(trx).findTenantById(ctx.tenantId))!;
    await queueInvitation(deps, trx, tenant, row);
  }
  // After the change, inside the tenant lock: two administrators switching each other off are serialised.
  await ensureAdministratorRemains(trx, ctx.tenantId, caller.catalog);
  const changes: Record<string, { before: unknown; after: unknown }> = {
    status: { before: row.status, after: decision.status },
  };
  if (decision.expiresAt !== row.expires_at) {
    changes.expiresAt = { before: row.expires_at, after: decision.expiresAt };
  }
  if (row.status === "archived" && decision.status !== "archived") {
    const released = await createScimStore(trx, ctx.tenantId).releaseTakenExternalId(id);
    if (released !== null) changes.externalId = { before: released, after: null };
  }
  await appendAudit(deps, trx, ctx, {
    action: `user.${action}d`,
    target: { type: "user", id, label: row.username },
    changes,
  });
  return userOf(deps, trx, ctx.tenantId, id);
}

export function createUserLifecycleService(deps: Deps) {
  const now = () => deps.clock.now().toISOString();

  function transition(
    caller: Caller,
    ctx: Ctx,
    id: string,
    action: Exclude<LifecycleAction, "activate">,
    options: TransitionOptions = {},
  ): Promise<User> {
    return inTenantTx(deps, ctx.tenantId, (trx) =>
      transitionUserIn(deps, trx, caller, ctx, id, action, options),
    );
  }

  return {
    deactivateUser: (caller: Caller, ctx: Ctx, id: string, ifMatch?: number) =>
      transition(caller, ctx, id, "deactivate", { ifMatch }),

    reactivateUser: (caller: Caller, ctx: Ctx, id: string, ifMatch?: number) =>
      transition(caller, ctx, id, "reactivate", { ifMatch }),

    /** DELETE = archive (Provet): the account stays, its username and email stay reserved. */
    archiveUser: (caller: Caller, ctx: Ctx, id: string, ifMatch?: number) =>
      transition(caller, ctx, id, "archive", { ifMatch }),

    /** Active again (invited if archived before setting a password); `expiresAt` (ISO or null) replaces a past expiry. */
    restoreUser: (
      caller: Caller,
      ctx: Ctx,
      id: string,
      input: { expiresAt?: string | null | undefined },
      ifMatch?: number,
    ) =>
      transition(caller, ctx, id, "restore", {
        ifMatch,
        newExpiresAt:
          input.expiresAt === undefined || input.expiresAt === null
            ? input.expiresAt
            : new Date(input.expiresAt).toISOString(),
      }),

    /** Hard delete, only while the user has left no trace (ProKnow): otherwise 409 USER_HAS_HISTORY. */
    async purgeUser(caller: Caller, ctx: Ctx, id: string, ifMatch?: number): Promise<void> {
      ensureNotSelf(caller, id, "purge");
      await inTenantTx(deps, ctx.tenantId, async (trx) => {
        const row = await loadTargetWithin(trx, caller, id, ifMatch);
        const store = createUserActionsStore(trx, ctx.tenantId);
        const history = await store.historyOf(row);
        if (history) {
          throw new AppError(
            "USER_HAS_HISTORY",
            `The user ${history}, so it cannot be purged; deactivate or archive it instead`,
          );
        }
        await store.deleteUserCascade(id);
        await forgetAnswersNaming(trx, ctx.tenantId, id);
        await ensureAdministratorRemains(trx, ctx.tenantId, caller.catalog);
        await appendAudit(deps, trx, ctx, {
          action: "user.purged",
          target: { type: "user", id, label: row.username },
          changes: { username: { before: row.username }, status: { before: row.status } },
        });
      });
    },

    /**
     * Clears an admin or failed-attempts lock. Unlocking a user who is not locked changes no row
     * but is still an administrator's action on an account, so it is audited (SECURITY.md 33: "unlocks
     * a user ... 200, audited"), with the unchanged state as its before/after.
     */
    unlockUser(caller: Caller, ctx: Ctx, id: string, ifMatch?: number): Promise<User> {
      return inTenantTx(deps, ctx.tenantId, async (trx) => {
        const row = await loadTargetWithin(trx, caller, id, ifMatch);
        // An archived account is not unlocked (restore first): a lock is part of the account.
        if (row.status === "archived") {
          throw new AppError(
            "USER_STATE_INVALID",
            "An archived user cannot be unlocked; restore the user first",
          );
        }
        const wasLocked = row.locked === 1 || row.locked_until !== null || row.failed_attempts !== 0;
        if (wasLocked) {
          await createUserActionsStore(trx, ctx.tenantId).updateUser(id, {
            locked: 0,
            locked_until: null,
            failed_attempts: 0,
            updated_at: now(),
            version: row.version + 1,
          });
        }
        await appendAudit(deps, trx, ctx, {
          action: "user.unlocked",
          target: { type: "user", id, label: row.username },
          changes: {
            locked: { before: row.locked === 1, after: false },
            failedAttempts: { before: row.failed_attempts, after: 0 },
          },
        });
        return userOf(deps, trx, ctx.tenantId, id);
      });
    },

    /** Ends every session and API token of a user now (the user row itself does not change). */
    async revokeUserSessions(caller: Caller, ctx: Ctx, id: string, ifMatch?: number): Promise<void> {
      await inTenantTx(deps, ctx.tenantId, async (trx) => {
        const row = await loadTargetWithin(trx, caller, id, ifMatch);
        const ended = await endAccessOf(deps, trx, ctx, id, now(), "the user's sessions were ended");
        await appendAudit(deps, trx, ctx, {
          action: "user.sessions_revoked",
          target: { type: "user", id, label: row.username },
          changes: endedChanges(ended),
        });
      });
    },
  };
}

export type UserLifecycleService = ReturnType<typeof createUserLifecycleService>;
