/** /api/v1/outbox: the tenant's emails, whether they left, and the bodies its reader may see. */
import { ListOutboxQuery, OutboxMessageSchema, page } from "@staffgate/contract";
import type { Core } from "@staffgate/core";
import type { FastifyInstance } from "fastify";
import { type RouteOptions, route } from "../http/route.ts";

export function outboxRoutes(app: FastifyInstance, core: Core, options: RouteOptions): void {
  route(app, options, {
    method: "GET",
    url: "/api/v1/outbox",
    summary:
      "The tenant's emails, newest first: recipient, subject, kind and delivery state; the body only of a message printed to the server log (no SMTP) and addressed to you or to a user whose password you could set (it may hold a one-time link)",
    tags: ["settings"],
    auth: "tenant",
    permission: "settings.manage",
    query: ListOutboxQuery,
    response: page(OutboxMessageSchema),
    handler: ({ ctx, caller, query }) => core.outbox.listMessages(ctx, caller, query),
  });
}
