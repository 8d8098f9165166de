/**
 * /api/v1/api-tokens (api_tokens.manage): tokens for integrations, each acting as a virtual
 * integration user holding one role. The token is answered once, by the POST, and never again.
 */
import {
  ApiTokenSchema,
  CreateApiTokenBody,
  CreatedApiTokenSchema,
  IdParams,
  ListApiTokensQuery,
  page,
} from "@staffgate/contract";
import type { Core } from "@staffgate/core";
import type { FastifyInstance } from "fastify";
import { type RouteOptions, route } from "../http/route.ts";

export function apiTokensRoutes(app: FastifyInstance, core: Core, options: RouteOptions): void {
  const tags = ["api tokens"];
  const permission = "api_tokens.manage";

  route(app, options, {
    method: "GET",
    url: "/api/v1/api-tokens",
    summary: "List API tokens (never the token itself), newest first, revoked ones included",
    tags,
    auth: "tenant",
    permission,
    query: ListApiTokensQuery,
    response: page(ApiTokenSchema),
    handler: ({ ctx, query }) => core.apiTokens.listTokens(ctx, query),
  });

  route(app, options, {
    method: "POST",
    url: "/api/v1/api-tokens",
    summary:
      "Create an API token acting as a new virtual integration user with the given role; the token is shown once",
    tags,
    auth: "tenant",
    permission,
    body: CreateApiTokenBody,
    response: CreatedApiTokenSchema,
    location: (r) => `/api/v1/api-tokens/${r.id}`,
    handler: ({ ctx, caller, body }) => core.apiTokens.createToken(ctx, caller, body),
  });

  route(app, options, {
    method: "GET",
    url: "/api/v1/api-tokens/:id",
    summary: "One API token (never the token itself); its ETag is its version",
    tags,
    auth: "tenant",
    permission,
    params: IdParams,
    response: ApiTokenSchema,
    etag: (token) => token.version,
    handler: ({ ctx, params }) => core.apiTokens.getToken(ctx, params.id),
  });

  route(app, options, {
    method: "DELETE",
    ifMatch: true,
    url: "/api/v1/api-tokens/:id",
    summary: "Revoke an API token (effective on its next request) and archive its integration user",
    tags,
    auth: "tenant",
    permission,
    params: IdParams,
    response: null,
    handler: async ({ ctx, params, ifMatch }) => {
      await core.apiTokens.revokeToken(ctx, params.id, ifMatch);
    },
  });
}
