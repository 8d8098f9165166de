/** /api/v1/roles: the tenant's formal roles (private roles are reached through their user). */
import {
  CopyRoleBody,
  CreateRoleBody,
  IdParams,
  ListWorkspacesQuery,
  page,
  RoleSchema,
  UpdateRoleBody,
} from "@staffgate/contract";
import type { Core } from "@staffgate/core";
import type { FastifyInstance } from "fastify";
import { type RouteOptions, route } from "../http/route.ts";

/** Same shape as the workspace list: `limit`, `cursor`, and `q` over the name. */
const ListRolesQuery = ListWorkspacesQuery;

/** The permissions whose holders read the list of roles (to see users' roles, or to pick one). */
const ROLE_PICKERS = ["users.view", "settings.manage", "api_tokens.manage"] as const;

export function rolesRoutes(app: FastifyInstance, core: Core, options: RouteOptions): void {
  const tags = ["roles"];
  const etag = (r: { version: number }) => r.version;

  route(app, options, {
    method: "GET",
    url: "/api/v1/roles",
    summary: "List roles",
    tags,
    auth: "tenant",
    // Who picks a role reads the list: the security settings name the role SCIM provisions with,
    // and an API token is made with a role. Without it they could choose none, and each refused
    // read was an authz.failed in the audit (found by the console audit, 2026-12-06).
    permission: {
      needs: "the users.view, settings.manage or api_tokens.manage permission",
      allows: (caller) => ROLE_PICKERS.some((p) => caller.permissions.has(p)),
    },
    query: ListRolesQuery,
    response: page(RoleSchema),
    handler: ({ ctx, query }) => core.roles.listRoles(ctx, query),
  });

  route(app, options, {
    method: "POST",
    url: "/api/v1/roles",
    summary: "Create a role",
    tags,
    auth: "tenant",
    permission: "roles.manage",
    body: CreateRoleBody,
    response: RoleSchema,
    etag,
    location: (r) => `/api/v1/roles/${r.id}`,
    handler: ({ caller, ctx, body }) => core.roles.createRole(caller, ctx, body),
  });

  route(app, options, {
    method: "GET",
    url: "/api/v1/roles/:id",
    summary: "Get a role",
    tags,
    auth: "tenant",
    permission: "users.view",
    params: IdParams,
    response: RoleSchema,
    etag,
    handler: ({ ctx, params }) => core.roles.getRole(ctx, params.id),
  });

  route(app, options, {
    method: "PATCH",
    ifMatch: true,
    url: "/api/v1/roles/:id",
    summary: "Update a role (not a locked one, nor one you hold)",
    tags,
    auth: "tenant",
    permission: "roles.manage",
    params: IdParams,
    body: UpdateRoleBody,
    response: RoleSchema,
    etag,
    handler: ({ caller, ctx, params, body, ifMatch }) =>
      core.roles.updateRole(caller, ctx, params.id, body, ifMatch),
  });

  route(app, options, {
    method: "DELETE",
    ifMatch: true,
    url: "/api/v1/roles/:id",
    summary: "Delete a role no user holds",
    tags,
    auth: "tenant",
    permission: "roles.manage",
    params: IdParams,
    response: null,
    handler: async ({ caller, ctx, params, ifMatch }) => {
      await core.roles.deleteRole(caller, ctx, params.id, ifMatch);
    },
  });

  route(app, options, {
    method: "POST",
    url: "/api/v1/roles/:id/copy",
    summary: 'Copy a role ("Copy of X" unless a name is given)',
    tags,
    auth: "tenant",
    permission: "roles.manage",
    params: IdParams,
    body: CopyRoleBody.optional(),
    response: RoleSchema,
    etag,
    location: (r) => `/api/v1/roles/${r.id}`,
    handler: ({ caller, ctx, params, body }) => core.roles.copyRole(caller, ctx, params.id, body ?? {}),
  });
}
