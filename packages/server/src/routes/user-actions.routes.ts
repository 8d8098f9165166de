/** /api/v1/users/{id}/…: lifecycle actions, private-role permissions, ending sessions. */
import {
  IdParams,
  PrivatePermissionsBody,
  RestoreUserBody,
  type User,
  UserPermissionsSchema,
  UserSchema,
} from "@staffgate/contract";
import type { Caller, Core, Ctx } from "@staffgate/core";
import type { FastifyInstance } from "fastify";
import { type RouteOptions, route } from "../http/route.ts";

type Action = (caller: Caller, ctx: Ctx, id: string, ifMatch?: number) => Promise<User>;

export function userActionsRoutes(app: FastifyInstance, core: Core, options: RouteOptions): void {
  const tags = ["users"];
  const etag = (u: { version: number }) => u.version;
  const lc = core.userLifecycle;

  route(app, options, {
    method: "DELETE",
    ifMatch: true,
    url: "/api/v1/users/:id",
    summary: "Archive a user (delete = archive; restore brings it back)",
    tags,
    auth: "tenant",
    permission: "users.manage",
    params: IdParams,
    status: 200,
    response: UserSchema,
    etag,
    handler: ({ caller, ctx, params, ifMatch }) => lc.archiveUser(caller, ctx, params.id, ifMatch),
  });

  route(app, options, {
    method: "POST",
    ifMatch: true,
    url: "/api/v1/users/:id/restore",
    summary: "Restore an archived user: active again (invited if it never set a password)",
    tags,
    auth: "tenant",
    permission: "users.manage",
    params: IdParams,
    body: RestoreUserBody,
    status: 200,
    response: UserSchema,
    etag,
    handler: ({ caller, ctx, params, body, ifMatch }) =>
      lc.restoreUser(caller, ctx, params.id, body ?? {}, ifMatch),
  });

  const simple: readonly [string, string, string, Action][] = [
    ["deactivate", "users.manage", "Deactivate a user (cannot sign in; sessions end)", lc.deactivateUser],
    ["reactivate", "users.manage", "Reactivate a deactivated user", lc.reactivateUser],
    ["unlock", "users.credentials", "Clear a user's lock and failed sign-in count", lc.unlockUser],
  ];
  for (const [verb, permission, summary, action] of simple) {
    route(app, options, {
      method: "POST",
      ifMatch: true,
      url: `/api/v1/users/:id/${verb}`,
      summary,
      tags,
      auth: "tenant",
      permission,
      params: IdParams,
      status: 200,
      response: UserSchema,
      etag,
      handler: ({ caller, ctx, params, ifMatch }) => action(caller, ctx, params.id, ifMatch),
    });
  }

  route(app, options, {
    method: "POST",
    ifMatch: true,
    url: "/api/v1/users/:id/purge",
    summary: "Hard-delete a user that has no history (else 409 USER_HAS_HISTORY)",
    tags,
    auth: "tenant",
    permission: "users.manage",
    params: IdParams,
    response: null,
    handler: async ({ caller, ctx, params, ifMatch }) => {
      await lc.purgeUser(caller, ctx, params.id, ifMatch);
    },
  });

  route(app, options, {
    method: "GET",
    url: "/api/v1/users/:id/permissions",
    summary: "The grants of a user's role (their private role, or their formal role as a template)",
    tags,
    auth: "tenant",
    permission: "users.view",
    params: IdParams,
    response: UserPermissionsSchema,
    handler: ({ ctx, params }) => core.userPermissions.getUserPermissions(ctx, params.id),
  });

  route(app, options, {
    method: "PUT",
    ifMatch: true,
    url: "/api/v1/users/:id/permissions",
    summary: "Give a user a private role with these grants",
    tags,
    auth: "tenant",
    // A private role is a role: making one takes both (PRODUCT.md §2, private roles).
    permission: {
      needs: "the users.manage and roles.manage permissions",
      allows: (caller) => caller.permissions.has("users.manage") && caller.permissions.has("roles.manage"),
    },
    params: IdParams,
    body: PrivatePermissionsBody,
    response: UserSchema,
    etag,
    handler: ({ caller, ctx, params, body, ifMatch }) =>
      core.userPermissions.setUserPermissions(caller, ctx, params.id, body, ifMatch),
  });

  route(app, options, {
    method: "POST",
    url: "/api/v1/users/:id/sessions/revoke",
    summary: "End all of a user's sessions and API tokens",
    tags,
    auth: "tenant",
    permission: "users.credentials",
    // As every other action on a user: a stale If-Match is 412 and ends nothing.
    ifMatch: true,
    params: IdParams,
    response: null,
    handler: async ({ caller, ctx, params, ifMatch }) => {
      await lc.revokeUserSessions(caller, ctx, params.id, ifMatch);
    },
  });
}
