/**
 * /api/v1/check, /check/batch, /explain: the decision API (PRODUCT.md §3). Who may ask (API.md):
 * any API token of the tenant, any user holding users.view, and any user asking about themselves.
 * Answers are 200 whatever the decision; an unknown user is "no" (USER_NOT_FOUND), not a 404.
 */
import { BatchCheckBody, BatchCheckResult, CheckBody, CheckResult, ExplainResult } from "@staffgate/contract";
import type { Caller, Core } from "@staffgate/core";
import type { FastifyInstance } from "fastify";
import { type RouteOptions, route } from "../http/route.ts";
import { isBatchCheckBody, isCheckBody } from "./decision-fast-path.ts";

/** Who may ask a decision: API.md's callers of check, batch and explain. */
const ASKERS = "an API token, the users.view permission, or questions about yourself only";
const mayAskAbout = (caller: Caller, queries: readonly { userId: string }[]): boolean =>
  caller.kind === "api_token" ||
  caller.permissions.has("users.view") ||
  queries.every((q) => q.userId === caller.userId);

export function accessRoutes(app: FastifyInstance, core: Core, options: RouteOptions): void {
  const tags = ["decisions"];

  route(app, options, {
    method: "POST",
    url: "/api/v1/check",
    rate: "decision",
    summary: "May this user do this (in this workspace, to this patient)?",
    tags,
    auth: "tenant",
    permission: { needs: ASKERS, allows: (caller, { body }) => mayAskAbout(caller, [body]) },
    body: CheckBody,
    acceptsBody: isCheckBody,
    status: 200,
    response: CheckResult,
    handler: ({ ctx, caller, body }) => core.access.check(ctx, caller, body),
  });

  route(app, options, {
    method: "POST",
    url: "/api/v1/check/batch",
    rate: "decision",
    summary: "Up to 1,000 checks in one call; the results come in the same order",
    tags,
    auth: "tenant",
    permission: { needs: ASKERS, allows: (caller, { body }) => mayAskAbout(caller, body.checks) },
    body: BatchCheckBody,
    acceptsBody: isBatchCheckBody,
    status: 200,
    response: BatchCheckResult,
    handler: async ({ ctx, caller, body }) => ({
      results: await core.access.checkBatch(ctx, caller, body.checks),
    }),
  });

  route(app, options, {
    method: "POST",
    url: "/api/v1/explain",
    rate: "decision",
    summary: "A check with every step that led to its answer",
    tags,
    auth: "tenant",
    permission: { needs: ASKERS, allows: (caller, { body }) => mayAskAbout(caller, [body]) },
    body: CheckBody,
    acceptsBody: isCheckBody,
    status: 200,
    response: ExplainResult,
    handler: ({ ctx, caller, body }) => core.access.explain(ctx, caller, body),
  });
}
