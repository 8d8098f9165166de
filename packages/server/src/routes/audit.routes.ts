/** /api/v1/audit: query, export (streamed) and verify the tenant's audit trail. */
import { Readable } from "node:stream";
import {
  AuditEventSchema,
  AuditExportQuery,
  AuditPurgeRequest,
  AuditPurgeResponse,
  AuditQuery,
  AuditVerifyResponse,
  page,
} from "@staffgate/contract";
import type { Core } from "@staffgate/core";
import type { FastifyInstance } from "fastify";
import { type RouteOptions, route } from "../http/route.ts";

const CONTENT_TYPES = {
  csv: "text/csv; charset=utf-8",
  jsonl: "application/x-ndjson; charset=utf-8",
} as const;

export function auditRoutes(app: FastifyInstance, core: Core, options: RouteOptions): void {
  const tags = ["audit"];

  route(app, options, {
    method: "GET",
    url: "/api/v1/audit",
    summary: "List audit events, newest first, with filters",
    tags,
    auth: "tenant",
    permission: "audit.view",
    query: AuditQuery,
    response: page(AuditEventSchema),
    handler: ({ ctx, query }) => core.audit.listEvents(ctx, query),
  });

  route(app, options, {
    method: "GET",
    url: "/api/v1/audit/export",
    rate: "bulk",
    summary: "Export matching audit events in seq order as CSV or JSON Lines (streamed; audited)",
    tags,
    auth: "tenant",
    permission: "audit.view",
    query: AuditExportQuery,
    status: 200,
    response: null,
    raw: true,
    produces: {
      [CONTENT_TYPES.csv]: "format=csv: a header row, then one row per event",
      [CONTENT_TYPES.jsonl]: "format=jsonl: one JSON event per line",
    },
    handler: async ({ ctx, query, reply }) => {
      // Awaited before any header is sent: the audit.exported event is committed (or the export
      // refused with a problem) first; only then do the rows stream, a page at a time.
      const lines = await core.audit.exportText(ctx, query);
      const stamp = core.deps.clock.now().toISOString().slice(0, 10);
      reply
        .code(200)
        .header("content-type", CONTENT_TYPES[query.format])
        .header("content-disposition", `attachment; filename="audit-${stamp}.${query.format}"`);
      reply.send(Readable.from(lines));
    },
  });

  route(app, options, {
    method: "GET",
    url: "/api/v1/audit/verify",
    summary: "Verify the tenant's audit hash chain",
    tags,
    auth: "tenant",
    permission: "audit.view",
    response: AuditVerifyResponse,
    handler: ({ ctx }) => core.audit.verifyChain(ctx.tenantId),
  });

  route(app, options, {
    method: "POST",
    url: "/api/v1/audit/purge",
    summary:
      "Delete the events older than `before` (default: the retention horizon); refused inside the horizon (audited)",
    tags,
    auth: "tenant",
    // Deleting evidence is an administrator's act: the same permission that sets the retention.
    permission: "settings.manage",
    body: AuditPurgeRequest,
    // A report of what went: nothing is created.
    status: 200,
    response: AuditPurgeResponse,
    handler: ({ ctx, body }) => core.audit.purgeEvents(ctx, body),
  });
}
