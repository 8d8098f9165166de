/**
 * /api/v1/users/{id}/effective-permissions and /api/v1/who-can: the derived views of the decision
 * (PRODUCT.md §3). Who may ask (API.md): API tokens of the tenant, holders of users.view, and a user
 * about themselves. who-can lists other users, so "about themselves" does not apply to it.
 */
import {
  EffectivePermissionsResult,
  IdParams,
  WhoCanBody,
  WhoCanQuery,
  WhoCanResult,
} from "@staffgate/contract";
import { AppError, type Core } from "@staffgate/core";
import type { FastifyInstance } from "fastify";
import { type RouteOptions, route } from "../http/route.ts";

export function effectiveRoutes(app: FastifyInstance, core: Core, options: RouteOptions): void {
  const tags = ["decisions"];

  route(app, options, {
    method: "GET",
    url: "/api/v1/users/:id/effective-permissions",
    rate: "decision",
    summary:
      "What check answers allowed for this user: with no workspace and in each workspace, with collaborator marks",
    tags,
    auth: "tenant",
    permission: {
      needs: "an API token, the users.view permission, or your own user",
      allows: (caller, { params }) =>
        caller.kind === "api_token" || caller.permissions.has("users.view") || params.id === caller.userId,
    },
    params: IdParams,
    response: EffectivePermissionsResult,
    handler: ({ ctx, caller, params }) => core.effective.effectivePermissions(ctx, caller, params.id),
  });

  route(app, options, {
    method: "POST",
    url: "/api/v1/who-can",
    rate: "decision",
    summary: "Every active user for whom check would answer allowed, by username then id (paged)",
    tags,
    auth: "tenant",
    permission: {
      needs: "an API token or the users.view permission",
      allows: (caller) => caller.kind === "api_token" || caller.permissions.has("users.view"),
    },
    query: WhoCanQuery,
    body: WhoCanBody,
    status: 200,
    response: WhoCanResult,
    handler: ({ ctx, caller, query, body }) =>
      core.effective.whoCan(ctx, caller, {
        ...body,
        limit: pagingParameter("limit", query.limit, body.limit),
        cursor: pagingParameter("cursor", query.cursor, body.cursor),
      }),
  });
}

/** `?limit=` / `?cursor=` (the list convention) or the same field in the body; both only if equal. */
function pagingParameter<T>(name: string, inQuery: T | undefined, inBody: T | undefined): T | undefined {
  if (inQuery !== undefined && inBody !== undefined && inQuery !== inBody) {
    const message = `give ${name} in the query or in the body, not two different values`;
    throw new AppError("VALIDATION_FAILED", message, { errors: [{ path: `query.${name}`, message }] });
  }
  return inQuery ?? inBody;
}
