/** /api/v1/emergency-access: break-glass elevations (HIPAA 164.312(a)(2)(ii)). */
import {
  EmergencyAccessSchema,
  IdParams,
  ListEmergencyAccessQuery,
  OpenEmergencyAccessBody,
  OpenedEmergencyAccessSchema,
  page,
  ReviewEmergencyAccessBody,
} from "@staffgate/contract";
import type { Core } from "@staffgate/core";
import type { FastifyInstance } from "fastify";
import { anyOf, PASSWORD_BODY_LIMIT, type RouteOptions, route } from "../http/route.ts";

export function emergencyRoutes(app: FastifyInstance, core: Core, options: RouteOptions): void {
  const tags = ["emergency access"];

  route(app, options, {
    method: "POST",
    url: "/api/v1/emergency-access",
    summary:
      "Open emergency access for one workspace or one patient: a typed reason and your own password; tenant administrators are notified",
    tags,
    auth: "tenant",
    permission: "emergency_access.use",
    body: OpenEmergencyAccessBody,
    bodyLimit: PASSWORD_BODY_LIMIT,
    response: OpenedEmergencyAccessSchema,
    handler: ({ caller, ctx, body }) => core.emergencyAccess.openEmergency(caller, ctx, body),
  });

  route(app, options, {
    method: "GET",
    url: "/api/v1/emergency-access",
    summary:
      "List emergency access for review (users.manage or audit.view: all; emergency_access.use alone: your own)",
    tags,
    auth: "tenant",
    permission: anyOf("users.manage", "audit.view", "emergency_access.use"),
    query: ListEmergencyAccessQuery,
    response: page(EmergencyAccessSchema),
    handler: ({ caller, ctx, query }) => core.emergencyAccess.listEmergencies(caller, ctx, query),
  });

  route(app, options, {
    method: "POST",
    url: "/api/v1/emergency-access/:id/end",
    summary:
      "End emergency access now (its opener while holding emergency_access.use, or a holder of users.manage)",
    tags,
    auth: "tenant",
    // audit.view reads every elevation but ends none: the refusal names what could.
    permission: anyOf("users.manage", "emergency_access.use"),
    params: IdParams,
    status: 200,
    response: EmergencyAccessSchema,
    handler: ({ caller, ctx, params }) => core.emergencyAccess.endEmergency(caller, ctx, params.id),
  });

  route(app, options, {
    method: "POST",
    url: "/api/v1/emergency-access/:id/review",
    summary:
      "Record the review of emergency access (audit.view or users.manage; a reviewer who opened it is recorded with selfReview)",
    tags,
    auth: "tenant",
    permission: anyOf("users.manage", "audit.view"),
    params: IdParams,
    body: ReviewEmergencyAccessBody,
    status: 200,
    response: EmergencyAccessSchema,
    handler: ({ caller, ctx, params, body }) =>
      core.emergencyAccess.reviewEmergency(caller, ctx, params.id, body.note),
  });
}
