/** /api/v1/permissions: the tenant's permission catalogue and work-role list. */
import { PermissionListSchema } from "@staffgate/contract";
import type { Core } from "@staffgate/core";
import type { FastifyInstance } from "fastify";
import { type RouteOptions, route } from "../http/route.ts";

export function permissionsRoutes(app: FastifyInstance, core: Core, options: RouteOptions): void {
  route(app, options, {
    method: "GET",
    url: "/api/v1/permissions",
    summary: "The permission catalogue of the caller's tenant, and its work-role list",
    tags: ["permissions"],
    auth: "tenant",
    response: PermissionListSchema,
    handler: async ({ caller, ctx }) => ({
      catalog: { name: caller.catalog.name, version: caller.catalog.version },
      items: caller.catalog.permissions.map((p) => ({ ...p, implies: [...p.implies] })),
      workRoles: (await core.users.workRoles(ctx)).map((w) => ({ ...w })),
    }),
  });
}
