/** /api/v1/settings: the tenant security policy (PRODUCT.md §5). */
import { SettingsSchema, UpdateSettingsBody } from "@staffgate/contract";
import { AppError, type Core } from "@staffgate/core";
import type { FastifyInstance } from "fastify";
import { type RouteOptions, route } from "../http/route.ts";

export function settingsRoutes(app: FastifyInstance, core: Core, options: RouteOptions): void {
  const tags = ["settings"];
  const etag = (s: { version: number }) => s.version;

  route(app, options, {
    method: "GET",
    url: "/api/v1/settings",
    summary: "Read the tenant security policy",
    tags,
    auth: "tenant",
    permission: "settings.manage",
    response: SettingsSchema,
    etag,
    handler: ({ ctx }) => core.settings.getSettings(ctx),
  });

  route(app, options, {
    method: "PATCH",
    ifMatch: true,
    url: "/api/v1/settings",
    summary: "Change the tenant security policy (tighten-only password floors; audited)",
    tags,
    auth: "tenant",
    permission: "settings.manage",
    body: UpdateSettingsBody,
    response: SettingsSchema,
    etag,
    handler: ({ ctx, caller, body: { version, ...changes }, ifMatch }) => {
      // Both given: both must name the current version, so they must agree.
      if (ifMatch !== undefined && version !== undefined && ifMatch !== version) {
        throw new AppError("PRECONDITION_FAILED", `If-Match says ${ifMatch}, the body's version ${version}`);
      }
      return core.settings.updateSettings(caller, ctx, changes, ifMatch ?? version, caller.sessionId);
    },
  });
}
