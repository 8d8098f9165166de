/** /api/v1/tenant: the practice's profile, its display name and time zone. */
import { TenantProfileSchema, UpdateTenantProfileBody } from "@staffgate/contract";
import type { Core } from "@staffgate/core";
import type { FastifyInstance } from "fastify";
import { type RouteOptions, route } from "../http/route.ts";

export function tenantProfileRoutes(app: FastifyInstance, core: Core, options: RouteOptions): void {
  const tags = ["settings"];
  const etag = (p: { version: number }) => p.version;

  route(app, options, {
    method: "GET",
    url: "/api/v1/tenant",
    // Everyone signed in sees the practice's name on every page; nothing here is a secret.
    summary: "Read the practice's profile: name, slug and time zone",
    tags,
    auth: "tenant",
    response: TenantProfileSchema,
    etag,
    handler: ({ ctx }) => core.tenantProfile.getProfile(ctx),
  });

  route(app, options, {
    method: "PATCH",
    ifMatch: true,
    url: "/api/v1/tenant",
    summary: "Rename the practice or change its time zone (audited)",
    tags,
    auth: "tenant",
    permission: "settings.manage",
    body: UpdateTenantProfileBody,
    response: TenantProfileSchema,
    etag,
    handler: ({ ctx, body, ifMatch }) => core.tenantProfile.updateProfile(ctx, body, ifMatch),
  });
}
