/** User use cases: read, list, create, edit and count seats; each write one audited transaction. */

import type { CreateUserBody, ListUsersQuery, UpdateUserBody, User, WorkRole } from "@staffgate/contract";
import type { Caller } from "../auth/caller.ts";
import { reauthenticate } from "../auth/reauthenticate.ts";
import type { Ctx } from "../shared/context.ts";
import { decodeCursor, encodeCursor, invalidCursor } from "../shared/cursor.ts";
import { isUniqueViolation, violatedConstraint } from "../shared/db-errors.ts";
import type { Deps } from "../shared/deps.ts";
import { AppError } from "../shared/errors.ts";
import { foldKey, foldText } from "../shared/text.rules.ts";
import { inTenantTx } from "../shared/tx.ts";
import { createTenantStore } from "../tenants/tenants.store.ts";
import { tenantWorkRoles } from "./user-input.ts";
import { transitionUserIn } from "./user-lifecycle.service.ts";
import { createUserStore } from "./users.store.ts";
import { createUserIn, newUserPasswordHash } from "./users-create.ts";
import { listUserRows, sortValueOf, type UserSortKey } from "./users-list.store.ts";
import { updateUserIn } from "./users-update.ts";

/** Maps a uniqueness race (or a plain duplicate) to the field it concerns. */
export function takenError(error: unknown): AppError | undefined {
  if (!isUniqueViolation(error)) return undefined;
  const which = violatedConstraint(error);
  if (/users_username_uq|users\.username_key/.test(which)) {
    return new AppError("USER_USERNAME_TAKEN", undefined, {
      errors: [{ path: "username", message: "is already used by another user (archived users included)" }],
    });
  }
  if (/users_email_uq|users\.email_key/.test(which)) {
    return new AppError("USER_EMAIL_TAKEN", undefined, {
      errors: [{ path: "email", message: "is already used by another user (archived users included)" }],
    });
  }
  return undefined;
}

export function createUsersService(deps: Deps) {
  const SORTS = new Set<string>(["name", "username", "email", "createdAt", "lastLoginAt"]);

  return {
    async getUser(ctx: Ctx, id: string): Promise<User> {
      const store = createUserStore(deps.db.kysely, ctx.tenantId);
      const row = await store.findUserRowById(id);
      if (!row) throw new AppError("USER_NOT_FOUND");
      return (await store.toUsers([row], deps.clock.now().toISOString()))[0]!;
    },

    async listUsers(ctx: Ctx, query: ListUsersQuery): Promise<{ items: User[]; nextCursor: string | null }> {
      const descending = query.sort.startsWith("-");
      const sort = query.sort.replace(/^-/, "") as UserSortKey;
      let after: [string, string] | null = null;
      if (query.cursor) {
        const [s, value, id] = decodeCursor(query.cursor, 3);
        // A cursor only continues the sort it was made for.
        if (s !== query.sort || typeof value !== "string" || typeof id !== "string" || !SORTS.has(sort)) {
          throw invalidCursor();
        }
        after = [value, id];
      }
      const now = deps.clock.now().toISOString();
      const rows = await listUserRows(
        deps.db.kysely,
        ctx.tenantId,
        {
          status: query.status,
          dialect: deps.db.dialect,
          q: query.q ? foldText(query.q.trim()) : undefined,
          virtual: query.virtual,
          locked: query.locked,
          now,
          roleId: query.roleId ?? query.role,
          workspaceId: query.workspaceId ?? query.workspace,
          workRole: query.workRole,
          lastLoginBefore: query.lastLoginBefore && new Date(query.lastLoginBefore).toISOString(),
        },
        { sort, descending, limit: query.limit + 1, after },
      );
      const pageRows = rows.slice(0, query.limit);
      const items = await createUserStore(deps.db.kysely, ctx.tenantId).toUsers(pageRows, now);
      const last = pageRows.at(-1);
      return {
        items,
        nextCursor:
          rows.length > query.limit && last
            ? encodeCursor([query.sort, sortValueOf(last, sort), last.id])
            : null,
      };
    },

    /** The tenant's work-role list (copied from the catalogue when the tenant was made). */
    async workRoles(ctx: Ctx): Promise<readonly WorkRole[]> {
      const tenant = await createTenantStore(deps.db.kysely).findTenantById(ctx.tenantId);
      return tenantWorkRoles(tenant?.work_roles ?? "[]");
    },

    countSeats(ctx: Ctx): Promise<{ seats: number; virtual: number }> {
      return createUserStore(deps.db.kysely, ctx.tenantId).countActiveSeats();
    },

    async createUser(ctx: Ctx, caller: Caller, input: CreateUserBody): Promise<User> {
      // Hashing is slow: done before the transaction so the tenant lock is not held meanwhile.
      const passwordHash = await newUserPasswordHash(deps, ctx.tenantId, input);
      try {
        return await inTenantTx(deps, ctx.tenantId, (trx) =>
          createUserIn(deps, trx, ctx, caller, input, passwordHash),
        );
      } catch (error) {
        throw takenError(error) ?? error;
      }
    },

    async updateUser(ctx: Ctx, caller: Caller, id: string, input: UpdateUserBody, ifMatch?: number) {
      // The password is checked before the transaction (argon2 must not hold the tenant's lock), and
      // only when one's own email changes (users-update.ts refuses that change without it).
      let reauthenticated = false;
      if (caller.userId === id && input.email !== undefined && input.currentPassword !== undefined) {
        const self = await createUserStore(deps.db.kysely, ctx.tenantId).findUserRowById(id);
        if (self && foldKey(input.email) !== self.email_key) {
          await reauthenticate(
            deps,
            ctx,
            self,
            input.currentPassword,
            "user.email_change_failed",
            "currentPassword",
          );
          reauthenticated = true;
        }
      }
      try {
        return await inTenantTx(deps, ctx.tenantId, async (trx) => {
          // The edit first (If-Match, and an archived user's fields refused, `active` named among
          // them); then `active` as SCIM reads it: anything but switched off is on.
          const user = await updateUserIn(deps, trx, ctx, caller, id, input, ifMatch, reauthenticated);
          if (input.active === undefined || input.active === (user.status !== "inactive")) return user;
          return transitionUserIn(deps, trx, caller, ctx, id, input.active ? "reactivate" : "deactivate");
        });
      } catch (error) {
        throw takenError(error) ?? error;
      }
    },
  };
}

export type UsersService = ReturnType<typeof createUsersService>;
