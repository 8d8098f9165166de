/** /api/v1/users and /api/v1/seats: staff accounts and the seat count. */
import {
  CreateUserBody,
  IdParams,
  ListUsersQuery,
  page,
  SeatsSchema,
  UpdateUserBody,
  UserSchema,
} from "@staffgate/contract";
import type { Core } from "@staffgate/core";
import type { FastifyInstance } from "fastify";
import { PASSWORD_BODY_LIMIT, type RouteOptions, route } from "../http/route.ts";

export function usersRoutes(app: FastifyInstance, core: Core, options: RouteOptions): void {
  const tags = ["users"];
  const etag = (u: { version: number }) => u.version;

  route(app, options, {
    method: "GET",
    url: "/api/v1/users",
    summary: "List users (active by default), filtered, searched and sorted, with cursor pagination",
    tags,
    auth: "tenant",
    permission: "users.view",
    query: ListUsersQuery,
    response: page(UserSchema),
    handler: ({ ctx, query }) => core.users.listUsers(ctx, query),
  });

  route(app, options, {
    method: "POST",
    url: "/api/v1/users",
    summary: "Create a user: with a password it is active, without one it is invited",
    tags,
    auth: "tenant",
    permission: "users.manage",
    body: CreateUserBody,
    bodyLimit: PASSWORD_BODY_LIMIT,
    response: UserSchema,
    etag,
    location: (r) => `/api/v1/users/${r.id}`,
    handler: ({ ctx, caller, body }) => core.users.createUser(ctx, caller, body),
  });

  route(app, options, {
    method: "GET",
    url: "/api/v1/users/:id",
    summary: "Get a user (any user with users.view; everyone may read themselves)",
    tags,
    auth: "tenant",
    permission: {
      needs: "the users.view permission, or your own user",
      allows: (caller, { params }) => caller.permissions.has("users.view") || caller.userId === params.id,
    },
    params: IdParams,
    response: UserSchema,
    etag,
    handler: ({ ctx, params }) => core.users.getUser(ctx, params.id),
  });

  route(app, options, {
    method: "PATCH",
    ifMatch: true,
    url: "/api/v1/users/:id",
    summary:
      "Edit a user (of an archived one only roleId, workspaceAccess and workspaceRoles: any other field is 409 USER_STATE_INVALID; not your own role); active false/true deactivates or reactivates, as the action endpoints do",
    tags,
    auth: "tenant",
    permission: "users.manage",
    params: IdParams,
    body: UpdateUserBody,
    bodyLimit: PASSWORD_BODY_LIMIT,
    response: UserSchema,
    etag,
    handler: ({ ctx, caller, params, body, ifMatch }) =>
      core.users.updateUser(ctx, caller, params.id, body, ifMatch),
  });

  route(app, options, {
    method: "GET",
    url: "/api/v1/seats",
    summary: "Seat count: active, non-virtual users (and, apart, active virtual users)",
    tags,
    auth: "tenant",
    permission: "users.view",
    response: SeatsSchema,
    handler: ({ ctx }) => core.users.countSeats(ctx),
  });
}
