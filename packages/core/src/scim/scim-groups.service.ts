/**
 * SCIM Groups: the tenant's roles. Creating a group creates a role with no permissions (an
 * administrator grants them in Staffgate); membership is which role a person holds, so adding a
 * member moves that user into the role, and removing one moves it to the tenant's default role
 * for provisioned users (a user always holds a role). Renaming, creating and deleting need
 * roles.manage; membership needs users.manage; the role and user use cases keep their guards.
 */

import { currentHolder } from "../access/current-holder.ts";
import type { Caller } from "../auth/caller.ts";
import { createRolesService } from "../roles/roles.service.ts";
import { loadRolesById } from "../roles/roles.table.ts";
import type { Ctx } from "../shared/context.ts";
import { isUniqueViolation } from "../shared/db-errors.ts";
import type { Deps } from "../shared/deps.ts";
import { AppError } from "../shared/errors.ts";
import { inTenantTx, type Trx } from "../shared/tx.ts";
import { expectVersion } from "../shared/versions.ts";
import { readSettings } from "../tenants/settings.rules.ts";
import { createTenantStore } from "../tenants/tenants.store.ts";
import { ensureCoversRole } from "../users/user-input.ts";
import { updateUserIn } from "../users/users-update.ts";
import { createScimStore, type GroupRow, type ScimStore } from "./scim.store.ts";
import { COMMON_ATTRIBUTES, GROUP_ATTRIBUTES, GROUP_SCHEMA } from "./scim-attributes.rules.ts";
import {
  filterError,
  listOf,
  paging,
  parseScimFilter,
  patched,
  project,
  requireSchema,
  type ScimList,
  type ScimListQuery,
  wants,
} from "./scim-common.ts";
import { attributeLookup } from "./scim-discovery.rules.ts";
import { filterPaths, matchesFilter } from "./scim-filter.rules.ts";
import { readScimGroup, type ScimGroupInput, toScimGroup } from "./scim-group.rules.ts";
import type { PatchTarget } from "./scim-patch.rules.ts";
import { scimInvalid } from "./scim-user.rules.ts";
import { inScimTerms } from "./scim-users.service.ts";
import { changeExisting, defaultRoleRefusal, keepExternalId } from "./scim-write.ts";

const lookup = attributeLookup(GROUP_ATTRIBUTES);
const GROUP_PATCH_TARGET: PatchTarget = {
  coreSchema: GROUP_SCHEMA,
  attributes: [...COMMON_ATTRIBUTES, ...GROUP_ATTRIBUTES],
  extensions: [],
};

/**
 * A group's version: its role's, plus the changes to its members (both only grow, so the sum names
 * one state of the whole group, members included: RFC 7644 §3.14).
 */
function groupVersion(row: GroupRow): number {
  return row.version + Number(row.members_version);
}

function need(caller: Caller, permission: string, what: string): void {
  if (!caller.permissions.has(permission)) {
    throw new AppError("FORBIDDEN", `${what} needs the ${permission} permission`);
  }
}

function nameTaken(error: unknown): never {
  if (isUniqueViolation(error)) {
    throw new AppError("ROLE_NAME_TAKEN", undefined, {
      errors: [{ path: "displayName", message: "is already the name of another role" }],
    });
  }
  return inScimTerms(error);
}

export function createScimGroupsService(deps: Deps) {
  const baseUrl = `${deps.publicUrl}/scim/v2`;
  const roles = createRolesService(deps).within;

  async function represent(store: ScimStore, rows: readonly GroupRow[], withMembers: boolean) {
    const ids = rows.map((r) => r.id);
    const [members, externalIds] = await Promise.all([
      withMembers ? store.members(ids) : Promise.resolve([]),
      store.externalIds("Group", ids),
    ]);
    return rows.map((r) =>
      toScimGroup(
        {
          id: r.id,
          name: r.name,
          createdAt: r.created_at,
          updatedAt: r.updated_at,
          version: groupVersion(r),
          externalId: externalIds.get(r.id) ?? null,
          members: members
            .filter((m) => m.role_id === r.id)
            .map((m) => ({ id: m.id, display: m.display_name })),
        },
        baseUrl,
      ),
    );
  }

  async function loadRole(store: ScimStore, id: string): Promise<GroupRow> {
    const [row] = await store.roles([id]);
    if (!row) throw new AppError("ROLE_NOT_FOUND");
    return row;
  }

  /** Moves each listed person into `roleId`; a listed id that is no person of the tenant is refused. */
  async function moveInto(trx: Trx, ctx: Ctx, caller: Caller, roleId: string, userIds: readonly string[]) {
    const store = createScimStore(trx, ctx.tenantId);
    for (const userId of userIds) {
      const user = await store.findUser(userId);
      if (!user) throw scimInvalid("members", `${userId} is not a user of this tenant`);
      if (user.role_id !== roleId) await updateUserIn(deps, trx, ctx, caller, userId, { roleId }, undefined);
    }
  }

  /** Makes the group's name, external id and members what `input` says. */
  async function applyInput(trx: Trx, ctx: Ctx, caller: Caller, row: GroupRow, input: ScimGroupInput) {
    const store = createScimStore(trx, ctx.tenantId);
    if (input.displayName !== row.name) {
      need(caller, "roles.manage", "Renaming a group");
      await roles.updateRole(trx, caller, ctx, row.id, { name: input.displayName }, undefined);
    }
    const current = (await store.members([row.id])).map((m) => m.id);
    const added = input.memberIds.filter((id) => !current.includes(id));
    const removed = current.filter((id) => !input.memberIds.includes(id));
    if (added.length > 0 || removed.length > 0) need(caller, "users.manage", "Changing a group's members");
    await moveInto(trx, ctx, caller, row.id, added);
    if (removed.length > 0) {
      const tenant = await createTenantStore(trx).findTenantById(ctx.tenantId);
      const fallback = tenant ? readSettings(tenant.settings).scimDefaultRoleId : null;
      if (!fallback || fallback === row.id) {
        throw new AppError(
          "SCIM_NO_DEFAULT_ROLE",
          "A user always holds a role: removing members needs a default role for provisioned users (Settings) other than this one",
        );
      }
      try {
        await moveInto(trx, ctx, caller, fallback, removed);
      } catch (error) {
        defaultRoleRefusal(error);
        throw error;
      }
    }
    await keepExternalId(
      deps,
      trx,
      ctx,
      "Group",
      { id: row.id, label: input.displayName },
      input.externalId,
      false,
      () => mayRepoint(trx, caller, ctx.tenantId, row.id),
    );
    return (await represent(store, [await loadRole(store, row.id)], true))[0]!;
  }

  const write = (
    ctx: Ctx,
    id: string,
    ifMatch: number | undefined,
    work: (trx: Trx, row: GroupRow, store: ScimStore) => Promise<Record<string, unknown>>,
  ) => changeExisting(deps, ctx, ifMatch, (store) => loadRole(store, id), work, nameTaken, groupVersion);

  return {
    async list(ctx: Ctx, query: ScimListQuery): Promise<ScimList> {
      const store = createScimStore(deps.db.kysely, ctx.tenantId);
      const { offset, limit, startIndex } = paging(query);
      // A tenant has tens of roles, not thousands: filtering them in memory is cheap. Members are
      // read only when they are returned or filtered on (a role can have thousands).
      const node = query.filter ? parseScimFilter(query.filter, lookup, GROUP_SCHEMA) : undefined;
      const withMembers =
        wants(query, "members", GROUP_SCHEMA) ||
        (node !== undefined && filterPaths(node, GROUP_SCHEMA).some((p) => p.startsWith("members")));
      const all = await represent(store, await store.roles(), withMembers);
      let matching = all;
      if (node) {
        try {
          matching = all.filter((g) => matchesFilter(node, g, lookup, GROUP_SCHEMA));
        } catch (error) {
          filterError(error);
        }
      }
      const page = matching.slice(offset, offset + limit).map((g) => project(g, query, GROUP_SCHEMA));
      return listOf(page, matching.length, startIndex);
    },

    /** One group, its members read only when `query` returns them; the caller projects it. */
    async get(ctx: Ctx, id: string, query: ScimListQuery = {}): Promise<Record<string, unknown>> {
      const store = createScimStore(deps.db.kysely, ctx.tenantId);
      const [group] = await represent(
        store,
        [await loadRole(store, id)],
        wants(query, "members", GROUP_SCHEMA),
      );
      return group!;
    },

    async create(ctx: Ctx, caller: Caller, body: Record<string, unknown>): Promise<Record<string, unknown>> {
      requireSchema(body, GROUP_SCHEMA);
      const input = readScimGroup(body);
      need(caller, "roles.manage", "Creating a group");
      if (input.memberIds.length > 0) need(caller, "users.manage", "Adding members");
      try {
        return await inTenantTx(deps, ctx.tenantId, async (trx) => {
          const role = await roles.createRole(trx, caller, ctx, {
            name: input.displayName,
            description: "Created by the identity provider over SCIM; grant its permissions in Staffgate.",
            permissions: [],
            collaborator: false,
            workspaces: [],
          });
          const store = createScimStore(trx, ctx.tenantId);
          await keepExternalId(
            deps,
            trx,
            ctx,
            "Group",
            { id: role.id, label: role.name },
            input.externalId,
            true,
          );
          await moveInto(trx, ctx, caller, role.id, input.memberIds);
          return (await represent(store, [await loadRole(store, role.id)], true))[0]!;
        });
      } catch (error) {
        nameTaken(error);
      }
    },

    replace(ctx: Ctx, caller: Caller, id: string, body: Record<string, unknown>, ifMatch?: number) {
      requireSchema(body, GROUP_SCHEMA);
      const input = readScimGroup(body);
      return write(ctx, id, ifMatch, (trx, row) => applyInput(trx, ctx, caller, row, input));
    },

    patch(ctx: Ctx, caller: Caller, id: string, body: Record<string, unknown>, ifMatch?: number) {
      return write(ctx, id, ifMatch, async (trx, row, store) => {
        const [current] = await represent(store, [row], true);
        return applyInput(trx, ctx, caller, row, readScimGroup(patched(current!, body, GROUP_PATCH_TARGET)));
      });
    },

    async remove(ctx: Ctx, caller: Caller, id: string, ifMatch?: number): Promise<void> {
      need(caller, "roles.manage", "Deleting a group");
      try {
        await inTenantTx(deps, ctx.tenantId, async (trx) => {
          // If-Match names the group's version (members included), not the role's alone.
          const [row] = await createScimStore(trx, ctx.tenantId).roles([id]);
          if (row) expectVersion(groupVersion(row), ifMatch);
          await roles.deleteRole(trx, caller, ctx, id, undefined);
        });
      } catch (error) {
        inScimTerms(error);
      }
    },
  };
}

export type ScimGroupsService = ReturnType<typeof createScimGroupsService>;

/** A group's external id is changed only by whom could edit the role: not locked, and held in full. */
async function mayRepoint(trx: Trx, caller: Caller, tenantId: string, roleId: string): Promise<void> {
  need(caller, "roles.manage", "Changing a group's externalId");
  const role = (await loadRolesById(trx, tenantId, [roleId])).get(roleId);
  if (!role) throw new AppError("ROLE_NOT_FOUND");
  if (role.locked) throw new AppError("ROLE_LOCKED", `The role "${role.name}" is locked`);
  ensureCoversRole(caller, await currentHolder(trx, caller), role, "externalId");
}
