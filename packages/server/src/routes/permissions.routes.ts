/** /api/v1/permissions: the tenant's permission catalogue. */
import { PermissionListSchema } from "@staffgate/contract";
import type { Core } from "@staffgate/core";
import type { FastifyInstance } from "fastify";
import { type RouteOptions, route } from "../http/route.ts";

export function permissionsRoutes(app: FastifyInstance, _core: Core, options: RouteOptions): void {
  route(app, options, {
    method: "GET",
    url: "/api/v1/permissions",
    summary: "The permission catalogue of the caller's tenant",
    tags: ["permissions"],
    auth: "tenant",
    response: PermissionListSchema,
    handler: async ({ caller }) => ({
      catalog: { name: caller.catalog.name, version: caller.catalog.version },
      items: caller.catalog.permissions.map((p) => ({ ...p, implies: [...p.implies] })),
    }),
  });
}
