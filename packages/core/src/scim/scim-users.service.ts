/**
 * SCIM Users (RFC 7644 §3): list with filters, read, create, replace, patch and delete, each
 * write one tenant transaction through the same use cases as the REST API (uniqueness, escalation,
 * last administrator, audit). DELETE archives: the account's history stays, its name stays taken.
 */
import { CreateUserBody, UpdateUserBody } from "@staffgate/contract";
import type { Caller } from "../auth/caller.ts";
import type { UsersTable } from "../db/schema.ts";
import type { Ctx } from "../shared/context.ts";
import type { Deps } from "../shared/deps.ts";
import { AppError } from "../shared/errors.ts";
import { parseOrFail, type SafeParser } from "../shared/parse.ts";
import { foldKey } from "../shared/text.rules.ts";
import { inTenantTx, type Trx } from "../shared/tx.ts";
import { readSettings } from "../tenants/settings.rules.ts";
import { createTenantStore } from "../tenants/tenants.store.ts";
import { loadTargetWithin, transitionUserIn } from "../users/user-lifecycle.service.ts";
import { takenError } from "../users/users.service.ts";
import { createUserIn, newUserPasswordHash } from "../users/users-create.ts";
import { updateUserIn } from "../users/users-update.ts";
import { createScimStore, type ScimStore, type UserNarrowing } from "./scim.store.ts";
import {
  COMMON_ATTRIBUTES,
  ENTERPRISE_USER_ATTRIBUTES,
  ENTERPRISE_USER_SCHEMA,
  USER_ATTRIBUTES,
  USER_SCHEMA,
} from "./scim-attributes.rules.ts";
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
} from "./scim-common.ts";
import { attributeLookup } from "./scim-discovery.rules.ts";
import { matchesFilter, requiredEquals } from "./scim-filter.rules.ts";
import type { PatchTarget } from "./scim-patch.rules.ts";
import {
  KEPT_TYPE,
  readScimUser,
  SCIM_USER_PATHS,
  type ScimUserInput,
  scimInvalid,
  toScimUser,
} from "./scim-user.rules.ts";
import { changeExisting, defaultRoleRefusal, keepExternalId } from "./scim-write.ts";

const EXTENSIONS = [{ urn: ENTERPRISE_USER_SCHEMA, attributes: ENTERPRISE_USER_ATTRIBUTES }];
const lookup = attributeLookup(USER_ATTRIBUTES, EXTENSIONS);
export const USER_PATCH_TARGET: PatchTarget = {
  coreSchema: USER_SCHEMA,
  attributes: [...COMMON_ATTRIBUTES, ...USER_ATTRIBUTES],
  extensions: EXTENSIONS,
  keptTypes: { emails: KEPT_TYPE, phoneNumbers: KEPT_TYPE },
};
/** Rows read per step when a filter has to look at each user. */
const CHUNK = 1000;

/** Errors of the user use cases name Staffgate's fields; a SCIM client knows its attributes. */
export function inScimTerms(error: unknown): never {
  const taken = takenError(error);
  if (taken) throw inScimTerms(taken);
  if (error instanceof AppError && error.errors) {
    const errors = error.errors.map((e) => ({
      ...e,
      path: SCIM_USER_PATHS[e.path.split(".")[0]!] ?? e.path,
    }));
    throw new AppError(error.code, error.message, { errors, extensions: { ...error.extensions } });
  }
  throw error;
}

/** Contract validation (lengths, formats) of what the SCIM body maps to, with SCIM attribute names. */
function validated<T>(schema: SafeParser<T>, value: unknown): T {
  try {
    return parseOrFail(schema, value);
  } catch (error) {
    return inScimTerms(error);
  }
}

export function createScimUsersService(deps: Deps) {
  const baseUrl = `${deps.publicUrl}/scim/v2`;

  /** Role names by id: the tenant's formal roles (tens), read once for a whole scan. */
  async function roleNames(store: ScimStore, ids?: readonly string[]): Promise<Map<string, string>> {
    return new Map((await store.roles(ids)).map((r) => [r.id, r.name]));
  }

  async function represent(
    store: ScimStore,
    rows: readonly UsersTable[],
    knownNames?: ReadonlyMap<string, string>,
  ): Promise<Record<string, unknown>[]> {
    const [names, externalIds] = await Promise.all([
      knownNames ?? roleNames(store, [...new Set(rows.map((r) => r.role_id))]),
      store.externalIds(
        "User",
        rows.map((r) => r.id),
      ),
    ]);
    return rows.map((r) => {
      const name = names.get(r.role_id);
      return toScimUser(
        {
          id: r.id,
          username: r.username,
          email: r.email,
          firstName: r.first_name,
          lastName: r.last_name,
          displayName: r.display_name,
          phone: r.phone,
          title: r.title,
          employeeNumber: r.employee_number,
          status: r.status,
          createdAt: r.created_at,
          updatedAt: r.updated_at,
          version: r.version,
          externalId: externalIds.get(r.id) ?? null,
          group: name === undefined ? null : { id: r.role_id, name },
        },
        baseUrl,
      );
    });
  }

  async function loadRow(store: ScimStore, id: string): Promise<UsersTable> {
    const row = await store.findUser(id);
    if (!row) throw new AppError("USER_NOT_FOUND");
    return row;
  }

  /** Equalities every match must meet, turned into what the store can look up by index. */
  async function narrowing(
    store: ScimStore,
    node: ReturnType<typeof parseScimFilter>,
  ): Promise<UserNarrowing> {
    const eq = requiredEquals(node, ["id", "externalId", "userName", "emails.value", "emails"], USER_SCHEMA);
    const text = (key: string) => {
      const v = eq.get(key);
      return typeof v === "string" ? v : undefined;
    };
    const ids: string[][] = [];
    if (text("id") !== undefined) ids.push([text("id")!]);
    if (text("externalid") !== undefined)
      ids.push(await store.idsWithExternalId("User", text("externalid")!));
    const email = text("emails.value") ?? text("emails");
    return {
      ...(ids.length > 0 ? { ids: ids.reduce((a, b) => a.filter((x) => b.includes(x))) } : {}),
      ...(text("username") !== undefined ? { usernameKey: foldKey(text("username")!) } : {}),
      ...(email !== undefined ? { emailKey: foldKey(email) } : {}),
    };
  }

  /** Applies a full SCIM view of the user (from PUT or PATCH) to the account, in `trx`. */
  async function applyInput(trx: Trx, ctx: Ctx, caller: Caller, row: UsersTable, input: ScimUserInput) {
    const store = createScimStore(trx, ctx.tenantId);
    if (input.password !== undefined) {
      throw new AppError(
        "SCIM_MUTABILITY",
        "password is set only when the user is created; use a reset link afterwards",
        {
          errors: [{ path: "password", message: "can only be set when the user is created" }],
        },
      );
    }
    const wanted = {
      username: input.username,
      email: input.email,
      firstName: input.firstName,
      lastName: input.lastName,
      phone: input.phone ?? "",
      title: input.title,
      employeeNumber: input.employeeNumber,
    };
    const current = {
      username: row.username,
      email: row.email,
      firstName: row.first_name,
      lastName: row.last_name,
      phone: row.phone,
      title: row.title,
      employeeNumber: row.employee_number,
    };
    const changed = Object.fromEntries(
      Object.entries(wanted).filter(([k, v]) => v !== current[k as keyof typeof current]),
    );
    if (Object.keys(changed).length > 0) {
      await updateUserIn(deps, trx, ctx, caller, row.id, validated(UpdateUserBody, changed), undefined);
    }
    const active = row.status !== "inactive";
    if (input.active !== undefined && input.active !== active) {
      // An invited user switched off loses its invitation; switched on again, it is invited anew.
      await transitionUserIn(deps, trx, caller, ctx, row.id, input.active ? "reactivate" : "deactivate");
    }
    await keepExternalId(
      deps,
      trx,
      ctx,
      "User",
      { id: row.id, label: input.username },
      input.externalId,
      false,
      async () => {
        await loadTargetWithin(trx, caller, row.id, undefined);
      },
    );
    return represent(store, [(await store.findUser(row.id))!]).then((r) => r[0]!);
  }

  const write = (
    ctx: Ctx,
    id: string,
    ifMatch: number | undefined,
    work: (trx: Trx, row: UsersTable, store: ScimStore) => Promise<Record<string, unknown>>,
  ) => changeExisting(deps, ctx, ifMatch, (store) => loadRow(store, id), work, inScimTerms);

  return {
    async list(ctx: Ctx, query: ScimListQuery): Promise<ScimList> {
      const store = createScimStore(deps.db.kysely, ctx.tenantId);
      const { offset, limit, startIndex } = paging(query);
      if (!query.filter) {
        const [total, rows] = await Promise.all([store.countUsers({}), store.userPage({}, offset, limit)]);
        const resources = await represent(store, rows);
        return listOf(
          resources.map((r) => project(r, query, USER_SCHEMA)),
          total,
          startIndex,
        );
      }
      const node = parseScimFilter(query.filter, lookup, USER_SCHEMA);
      const [narrowed, names] = await Promise.all([narrowing(store, node), roleNames(store)]);
      const page: Record<string, unknown>[] = [];
      let total = 0;
      let after: [string, string] | null = null;
      for (;;) {
        const rows = await store.userChunk(narrowed, after, CHUNK);
        const resources = await represent(store, rows, names);
        for (const resource of resources) {
          let match: boolean;
          try {
            match = matchesFilter(node, resource, lookup, USER_SCHEMA);
          } catch (error) {
            filterError(error);
          }
          if (!match) continue;
          if (total >= offset && page.length < limit) page.push(project(resource, query, USER_SCHEMA));
          total += 1;
        }
        if (rows.length < CHUNK) break;
        const last = rows.at(-1)!;
        after = [last.created_at, last.id];
        // A long scan yields between steps, so other requests are served meanwhile.
        await new Promise((resolve) => setImmediate(resolve));
      }
      return listOf(page, total, startIndex);
    },

    /** One user, whole; the caller projects it (its ETag comes from the whole resource). */
    async get(ctx: Ctx, id: string): Promise<Record<string, unknown>> {
      const store = createScimStore(deps.db.kysely, ctx.tenantId);
      const [resource] = await represent(store, [await loadRow(store, id)]);
      return resource!;
    },

    async create(ctx: Ctx, caller: Caller, body: Record<string, unknown>): Promise<Record<string, unknown>> {
      requireSchema(body, USER_SCHEMA);
      const input = readScimUser(body);
      const tenant = await createTenantStore(deps.db.kysely).findTenantById(ctx.tenantId);
      const roleId = input.groupId ?? (tenant ? readSettings(tenant.settings).scimDefaultRoleId : null);
      if (!roleId)
        throw new AppError(
          "SCIM_NO_DEFAULT_ROLE",
          "Name a group, or set the tenant's default role for provisioned users (Settings)",
        );
      if (input.active === false && input.password === undefined) {
        throw scimInvalid("active", "cannot be false for a new user without a password: it starts invited");
      }
      const createBody = validated(CreateUserBody, {
        username: input.username,
        email: input.email,
        firstName: input.firstName,
        lastName: input.lastName,
        ...(input.phone !== null ? { phone: input.phone } : {}),
        ...(input.title !== null ? { title: input.title } : {}),
        ...(input.employeeNumber !== null ? { employeeNumber: input.employeeNumber } : {}),
        roleId,
        ...(input.password !== undefined ? { password: input.password, mustChangePassword: false } : {}),
      });
      try {
        // The identity provider set this password for the person: nobody else saw it, so no forced change.
        const hash = await newUserPasswordHash(deps, ctx.tenantId, createBody);
        return await inTenantTx(deps, ctx.tenantId, async (trx) => {
          const user = await createUserIn(deps, trx, ctx, caller, createBody, hash);
          const store = createScimStore(trx, ctx.tenantId);
          await keepExternalId(
            deps,
            trx,
            ctx,
            "User",
            { id: user.id, label: user.username },
            input.externalId,
            true,
          );
          if (input.active === false) await transitionUserIn(deps, trx, caller, ctx, user.id, "deactivate");
          return (await represent(store, [(await store.findUser(user.id))!]))[0]!;
        });
      } catch (error) {
        if (error instanceof AppError && error.code === "ROLE_NOT_FOUND" && input.groupId !== undefined) {
          throw scimInvalid("groups", "names no group of this tenant");
        }
        if (input.groupId === undefined) defaultRoleRefusal(error);
        inScimTerms(error);
      }
    },

    replace(ctx: Ctx, caller: Caller, id: string, body: Record<string, unknown>, ifMatch?: number) {
      requireSchema(body, USER_SCHEMA);
      return write(ctx, id, ifMatch, (trx, row) => applyInput(trx, ctx, caller, row, readScimUser(body)));
    },

    patch(ctx: Ctx, caller: Caller, id: string, body: Record<string, unknown>, ifMatch?: number) {
      return write(ctx, id, ifMatch, async (trx, row, store) => {
        const [current] = await represent(store, [row]);
        return applyInput(trx, ctx, caller, row, readScimUser(patched(current!, body, USER_PATCH_TARGET)));
      });
    },

    async remove(ctx: Ctx, caller: Caller, id: string, ifMatch?: number): Promise<void> {
      await write(ctx, id, ifMatch, async (trx) => {
        await transitionUserIn(deps, trx, caller, ctx, id, "archive");
        return {};
      });
    },
  };
}

export type ScimUsersService = ReturnType<typeof createScimUsersService>;
