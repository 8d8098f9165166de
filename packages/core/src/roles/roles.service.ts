/** Role use cases: each write one tenant transaction with its audit event (PRODUCT.md §2). */

import type { CreateRoleBody, Role, UpdateRoleBody } from "@staffgate/contract";
import { ensureAdministratorRemains } from "../access/admin-guard.ts";
import { currentHolder } from "../access/current-holder.ts";
import { type Excess, excessOver, isAdministratorRole, type RoleGrants } from "../access/grants.rules.ts";
import { appendAudit, diffChanges, snapshotChanges } from "../audit/audit-writer.ts";
import type { Caller } from "../auth/caller.ts";
import type { RolesTable, RoleWorkspacesTable } from "../db/schema.ts";
import type { Ctx } from "../shared/context.ts";
import { decodePairCursor, encodeCursor } from "../shared/cursor.ts";
import { isUniqueViolation } from "../shared/db-errors.ts";
import type { Deps } from "../shared/deps.ts";
import { AppError } from "../shared/errors.ts";
import { bool, flag, toJson } from "../shared/json.ts";
import { foldKey } from "../shared/text.rules.ts";
import { inTenantTx, type Trx } from "../shared/tx.ts";
import { expectVersion } from "../shared/versions.ts";
import { readSettings } from "../tenants/settings.rules.ts";
import { createTenantStore } from "../tenants/tenants.store.ts";
import { createWorkspaceStore } from "../workspaces/workspaces.store.ts";
import { assertValidRole, escalation, freeCopyName, normalise } from "./roles.rules.ts";
import { createRoleStore } from "./roles.store.ts";
import { toRoleRef } from "./roles.table.ts";

export function toRole(row: RolesTable, rows: readonly RoleWorkspacesTable[], userCount: number): Role {
  const ref = toRoleRef(row, rows);
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    system: bool(row.system),
    locked: bool(row.locked),
    private: row.private_user_id !== null,
    permissions: [...ref.permissions],
    collaborator: ref.collaborator,
    workspaces: ref.workspaces.map((w) => ({ ...w, permissions: [...w.permissions] })),
    userCount,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: row.version,
  };
}

const AUDITED = ["name", "description", "permissions", "collaborator", "workspaces"] as const;

function nameTaken(name: string): AppError {
  return new AppError("ROLE_NAME_TAKEN", `A role named "${name}" already exists`, {
    errors: [{ path: "name", message: "is already used by another role (names ignore case)" }],
  });
}

export function createRolesService(deps: Deps) {
  async function checkDefinition(trx: Trx, caller: Caller, grants: RoleGrants): Promise<void> {
    const known = await createWorkspaceStore(trx, caller.tenantId).existingWorkspaceIds(
      grants.workspaces.map((w) => w.workspaceId),
    );
    assertValidRole(caller.catalog, grants, known);
  }

  async function insertRole(
    trx: Trx,
    ctx: Ctx,
    fields: { name: string; description: string; grants: RoleGrants },
  ): Promise<RolesTable> {
    const now = deps.clock.now().toISOString();
    const row: RolesTable = {
      tenant_id: ctx.tenantId,
      id: deps.ids.next("rol"),
      name: fields.name,
      name_key: foldKey(fields.name),
      description: fields.description,
      system: 0,
      locked: 0,
      private_user_id: null,
      collaborator: flag(fields.grants.collaborator),
      permissions: toJson(fields.grants.permissions),
      created_at: now,
      updated_at: now,
      version: 1,
    };
    const store = createRoleStore(trx, ctx.tenantId);
    const { tenant_id: _, ...values } = row;
    await store.insertRole(values);
    await store.replaceWorkspaceRows(row.id, fields.grants.workspaces);
    return row;
  }

  async function loadRole(trx: Trx, tenantId: string, id: string) {
    const store = createRoleStore(trx, tenantId);
    const row = await store.findRoleById(id);
    if (!row) throw new AppError("ROLE_NOT_FOUND");
    const rows = await store.workspaceRows([id]);
    return { store, row, rows, ref: toRoleRef(row, rows) };
  }

  /**
   * Locked roles never change, and nobody changes a role they hold themselves, nor through an API
   * token they made (isOwnAccount).
   */
  async function ensureEditable(caller: Caller, row: RolesTable, store: ReturnType<typeof createRoleStore>) {
    if (row.locked === 1) throw new AppError("ROLE_LOCKED", `The role "${row.name}" is locked`);
    if (await store.userHoldsRole(caller.userId, row.id)) {
      throw new AppError(
        "SELF_ROLE_CHANGE",
        "You hold this role yourself; another administrator must change it",
      );
    }
    if (caller.onBehalfOf !== undefined && (await store.userHoldsRole(caller.onBehalfOf, row.id))) {
      throw new AppError(
        "SELF_ROLE_CHANGE",
        "The person who made this API token holds this role; another administrator must change it",
      );
    }
  }

  async function createRoleIn(trx: Trx, caller: Caller, ctx: Ctx, input: CreateRoleBody): Promise<Role> {
    const grants = normalise(input);
    await checkDefinition(trx, caller, grants);
    const excess = excessOver(caller.catalog, await currentHolder(trx, caller), grants);
    if (excess.length > 0) throw escalation(excess, grants);
    const row = await insertRole(trx, ctx, {
      name: input.name,
      description: input.description,
      grants,
    });
    const role = toRole(row, await createRoleStore(trx, ctx.tenantId).workspaceRows([row.id]), 0);
    await appendAudit(deps, trx, ctx, {
      action: "role.created",
      target: { type: "role", id: row.id, label: row.name },
      changes: snapshotChanges(role, "after", AUDITED),
    });
    return role;
  }

  async function updateRoleIn(
    trx: Trx,
    caller: Caller,
    ctx: Ctx,
    id: string,
    input: UpdateRoleBody,
    ifMatch: number | undefined,
  ): Promise<Role> {
    const { store, row, rows, ref } = await loadRole(trx, ctx.tenantId, id);
    expectVersion(row.version, ifMatch);
    await ensureEditable(caller, row, store);
    const grants = normalise({
      permissions: input.permissions ?? ref.permissions,
      collaborator: input.collaborator ?? ref.collaborator,
      workspaces: input.workspaces ?? ref.workspaces,
    });
    await checkDefinition(trx, caller, grants);
    // What the change adds, and what it takes away, must be within the actor's own grants: no one
    // hands out or takes away more than they hold (a limited administrator stripped a copy of
    // Administrator, and so its holders, of permissions they never held; pentest audit). Both are
    // judged in the same places as the actor's grants: at tenant level and in each workspace where
    // a per-workspace role replaces the actor's own (a tenant-level permission reaches the role's
    // holders there too, where the actor may not hold it). A change of name or description alone
    // takes nothing away.
    const holder = await currentHolder(trx, caller);
    const judged = (role: RoleGrants) => ({
      role,
      workspaceRoles: new Map([...holder.workspaceRoles.keys()].map((w) => [w, role])),
      activeIn: "all" as const,
    });
    const key = (e: Excess) => `${e.workspaceId} ${e.permission}`;
    const gained = excessOver(caller.catalog, judged(ref), grants);
    const added = new Set(gained.map(key));
    const excess = excessOver(caller.catalog, holder, grants).filter((e) => added.has(key(e)));
    if (excess.length > 0) throw escalation(excess, grants);
    // An administrator active in some workspaces only holds nothing elsewhere, so grants nothing
    // there, and what a role gains at tenant level reaches its holders wherever they are active:
    // the edit is a grant to them (the pentest audit, 2026-12-06; assigning the role to such a
    // user is refused the same way). A row of one of their workspaces reaches no further.
    const atTenant = gained.some((e) => e.workspaceId === null);
    if (atTenant && holder.activeIn !== "all" && (await store.heldBeyond(id, [...holder.activeIn]))) {
      throw new AppError(
        "PRIVILEGE_ESCALATION",
        "The role is held by users active in workspaces you are not: only someone active there too may widen it",
        {
          errors: [
            { path: "permissions", message: "would reach holders in workspaces you are not active in" },
          ],
        },
      );
    }
    const removed = new Set(excessOver(caller.catalog, judged(grants), ref).map(key));
    const taken = excessOver(caller.catalog, holder, ref).filter((e) => removed.has(key(e)));
    if (taken.length > 0) {
      throw escalation(taken, grants, "The change would take away permissions you do not hold yourself");
    }
    const count = (await store.userCounts([id])).get(id) ?? 0;
    const before = toRole(row, rows, count);
    const next: RolesTable = {
      ...row,
      name: input.name ?? row.name,
      name_key: foldKey(input.name ?? row.name),
      description: input.description ?? row.description,
      collaborator: flag(grants.collaborator),
      permissions: toJson(grants.permissions),
    };
    const nextRows = grants.workspaces.map((w) => ({
      tenant_id: ctx.tenantId,
      role_id: id,
      workspace_id: w.workspaceId,
      collaborator: flag(w.collaborator),
      permissions: toJson(w.permissions),
    }));
    const changes = diffChanges(before, toRole(next, nextRows, count), AUDITED);
    if (Object.keys(changes).length === 0) return before;
    next.updated_at = deps.clock.now().toISOString();
    next.version = row.version + 1;
    const { tenant_id: _t, id: _i, ...patch } = next;
    await store.updateRole(id, patch);
    await store.replaceWorkspaceRows(id, grants.workspaces);
    if (next.name !== row.name) await store.touchHolders(id, next.updated_at);
    await appendAudit(deps, trx, ctx, {
      action: "role.updated",
      target: { type: "role", id, label: next.name },
      changes,
    });
    if (isAdministratorRole(caller.catalog, ref) && !isAdministratorRole(caller.catalog, grants)) {
      await ensureAdministratorRemains(trx, ctx.tenantId, caller.catalog);
    }
    return toRole(next, await store.workspaceRows([id]), count);
  }

  async function deleteRoleIn(
    trx: Trx,
    caller: Caller,
    ctx: Ctx,
    id: string,
    ifMatch: number | undefined,
  ): Promise<void> {
    const { store, row, rows } = await loadRole(trx, ctx.tenantId, id);
    expectVersion(row.version, ifMatch);
    await ensureEditable(caller, row, store);
    const holders = await store.holderCount(id);
    // `userCount` as the role shows it (archived users apart); archived holders block it too, as
    // restoring one gives the role back. Counted first: the default role's refusal said 0.
    const current = holders > 0 ? ((await store.userCounts([id])).get(id) ?? 0) : 0;
    const archived = holders - current;
    // The tenant row is locked by inTenantTx, so the setting cannot change under this check.
    const tenant = await createTenantStore(trx).findTenantById(ctx.tenantId);
    if (tenant && readSettings(tenant.settings).scimDefaultRoleId === id) {
      throw new AppError(
        "ROLE_IN_USE",
        "The role is the default role for users provisioned over SCIM (Settings); choose another one there first",
        { extensions: { userCount: current, archivedUserCount: archived } },
      );
    }
    if (holders > 0) {
      const who = [
        current > 0 ? `${current} user${current === 1 ? "" : "s"}` : null,
        archived > 0 ? `${archived} archived user${archived === 1 ? "" : "s"}` : null,
      ]
        .filter(Boolean)
        .join(" and ");
      const how =
        archived > 0
          ? " (an archived user's role can be changed without restoring it: Users, Status Archived, Edit)"
          : "";
      throw new AppError("ROLE_IN_USE", `The role is held by ${who}; give them another role first${how}`, {
        extensions: { userCount: current, archivedUserCount: archived },
      });
    }
    await store.deleteRole(id);
    await appendAudit(deps, trx, ctx, {
      action: "role.deleted",
      target: { type: "role", id, label: row.name },
      changes: snapshotChanges(toRole(row, rows, 0), "before", AUDITED),
    });
  }

  return {
    /** The write use cases inside a caller's transaction (SCIM Groups compose them with user changes). */
    within: { createRole: createRoleIn, updateRole: updateRoleIn, deleteRole: deleteRoleIn },

    async getRole(ctx: Ctx, id: string): Promise<Role> {
      const store = createRoleStore(deps.db.kysely, ctx.tenantId);
      const row = await store.findRoleById(id);
      if (!row) throw new AppError("ROLE_NOT_FOUND");
      const [rows, counts] = await Promise.all([store.workspaceRows([id]), store.userCounts([id])]);
      return toRole(row, rows, counts.get(id) ?? 0);
    },

    async listRoles(ctx: Ctx, query: { limit: number; cursor?: string | undefined; q?: string | undefined }) {
      const after = decodePairCursor(query.cursor);
      const store = createRoleStore(deps.db.kysely, ctx.tenantId);
      const rows = await store.listRoles({ limit: query.limit + 1, after, q: query.q });
      const page = rows.slice(0, query.limit);
      const ids = page.map((r) => r.id);
      const [wsRows, counts] = await Promise.all([store.workspaceRows(ids), store.userCounts(ids)]);
      const last = page.at(-1);
      return {
        items: page.map((r) => toRole(r, wsRows, counts.get(r.id) ?? 0)),
        nextCursor: rows.length > query.limit && last ? encodeCursor([last.name_key, last.id]) : null,
      };
    },

    async createRole(caller: Caller, ctx: Ctx, input: CreateRoleBody): Promise<Role> {
      try {
        return await inTenantTx(deps, ctx.tenantId, (trx) => createRoleIn(trx, caller, ctx, input));
      } catch (error) {
        if (isUniqueViolation(error)) throw nameTaken(input.name);
        throw error;
      }
    },

    async updateRole(
      caller: Caller,
      ctx: Ctx,
      id: string,
      input: UpdateRoleBody,
      ifMatch?: number,
    ): Promise<Role> {
      try {
        return await inTenantTx(deps, ctx.tenantId, (trx) =>
          updateRoleIn(trx, caller, ctx, id, input, ifMatch),
        );
      } catch (error) {
        if (isUniqueViolation(error)) throw nameTaken(input.name ?? "");
        throw error;
      }
    },

    async deleteRole(caller: Caller, ctx: Ctx, id: string, ifMatch?: number): Promise<void> {
      await inTenantTx(deps, ctx.tenantId, (trx) => deleteRoleIn(trx, caller, ctx, id, ifMatch));
    },

    /** A new unlocked, non-system role with the source's grants; the copier must hold them all. */
    async copyRole(
      caller: Caller,
      ctx: Ctx,
      id: string,
      input: { name?: string | undefined },
    ): Promise<Role> {
      try {
        return await inTenantTx(deps, ctx.tenantId, async (trx) => {
          const { store, row, ref } = await loadRole(trx, ctx.tenantId, id);
          const grants = normalise(ref);
          const excess = excessOver(caller.catalog, await currentHolder(trx, caller), grants);
          if (excess.length > 0) throw escalation(excess, grants);
          const name = input.name ?? freeCopyName(row.name, await store.nameKeys());
          // A locked role's description speaks of the lock, which the copy does not have.
          const description = row.locked === 1 ? `A copy of ${row.name}.` : row.description;
          const copy = await insertRole(trx, ctx, { name, description, grants });
          const role = toRole(copy, await store.workspaceRows([copy.id]), 0);
          await appendAudit(deps, trx, ctx, {
            action: "role.copied",
            target: { type: "role", id: copy.id, label: copy.name },
            changes: { ...snapshotChanges(role, "after", AUDITED), copiedFrom: { after: row.id } },
          });
          return role;
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw nameTaken(input.name ?? "");
        throw error;
      }
    },
  };
}

export type RolesService = ReturnType<typeof createRolesService>;
