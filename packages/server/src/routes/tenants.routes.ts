/** /api/v1/tenants: the platform operator's API (STAFFGATE_OPERATOR_TOKEN); no tenant token reaches it. */
import { CreateTenantBody, ListQuery, page, TenantSchema } from "@staffgate/contract";
import type { Core } from "@staffgate/core";
import type { FastifyInstance } from "fastify";
import { PASSWORD_BODY_LIMIT, type RouteOptions, route } from "../http/route.ts";

export function tenantsRoutes(app: FastifyInstance, core: Core, options: RouteOptions): void {
  const tags = ["tenants"];
  route(app, options, {
    method: "POST",
    url: "/api/v1/tenants",
    summary: "Create a tenant with its preset roles and first administrator (operator)",
    tags,
    auth: "operator",
    body: CreateTenantBody,
    bodyLimit: PASSWORD_BODY_LIMIT,
    response: TenantSchema,
    otherResponses: { 409: "TENANT_SLUG_TAKEN: another tenant has this slug" },
    handler: async ({ meta, body }) => (await core.tenants.createTenant(meta, body)).tenant,
  });
  route(app, options, {
    method: "GET",
    url: "/api/v1/tenants",
    summary: "List tenants (operator)",
    tags,
    auth: "operator",
    query: ListQuery,
    response: page(TenantSchema),
    handler: ({ query }) => core.tenants.listTenants(query.limit, query.cursor ?? null),
  });
}
