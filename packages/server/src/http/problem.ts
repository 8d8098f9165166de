/** The one error handler: every failure leaves as RFC 9457 problem+json with a stable code. */

import {
  distinctIssues,
  type ErrorCode,
  errorCatalog,
  type FieldError,
  problemType,
  statusOfCode,
} from "@staffgate/contract";
import { AppError, AUTHORIZATION_REFUSALS } from "@staffgate/core";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ZodError } from "zod";
import { isDatabaseUnavailable } from "./db-unavailable.ts";
import { logInputValidationFailure } from "./input-validation-log.ts";
import { lingerOnRefusedBody } from "./lingering-close.ts";
import type { RegisteredRoute } from "./route.ts";
import { isScimUrl, sendScimError } from "./scim.ts";
import { setSecurityHeaders } from "./security-headers.ts";
import { bearerChallenge } from "./www-authenticate.ts";

export function sendProblem(
  reply: FastifyReply,
  code: ErrorCode,
  detail?: string,
  errors?: readonly FieldError[],
  extensions: Record<string, unknown> = {},
): FastifyReply {
  const status = statusOfCode(code);
  // RFC 6750 §3: a bearer-protected resource says how to authenticate when it refuses.
  if (status === 401) reply.header("www-authenticate", bearerChallenge(reply, code));
  return reply
    .code(status)
    .type("application/problem+json; charset=utf-8")
    .send({
      type: problemType(code),
      title: errorCatalog[code].title,
      status,
      code,
      ...(detail ? { detail } : {}),
      ...(errors && errors.length > 0 ? { errors } : {}),
      ...extensions,
    });
}

export function zodFieldErrors(error: ZodError, prefix?: string): FieldError[] {
  return distinctIssues(error.issues).flatMap((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter((p) => p !== undefined && p !== "").join(".");
    // One entry per unknown field: joined with dots they would read as one nested field.
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({
        path: [path, key].filter(Boolean).join("."),
        message: "is not a known field",
      }));
    }
    return [{ path: path || "(body)", message: issue.message }];
  });
}

/** Fastify's own error codes that are the client's fault. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  FST_ERR_CTP_BODY_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  FST_ERR_CTP_EMPTY_JSON_BODY: "MALFORMED_JSON",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: "VALIDATION_FAILED",
};

/** Answers a request no route took, or returns false to leave it to the API's 404 (the console's pages). */
export type PageFallback = (request: FastifyRequest, reply: FastifyReply) => boolean;

/** Methods never served (ASVS 13.4.4): 405 wherever they are sent. */
const REFUSED_METHODS = new Set(["TRACE", "TRACK"]);

const API_PATH = /^\/(api|scim)(\/|$)/;

/** The API's own paths, SCIM's included; the console's pages are every other path. */
export function isApiPath(pathname: string): boolean {
  return API_PATH.test(pathname);
}

/** The methods the routes serve at a concrete path, for a 405's Allow header. */
function allowedAt(routes: readonly RegisteredRoute[], pathname: string): string {
  const methods = new Set<string>();
  for (const r of routes) {
    const pattern = new RegExp(`^${r.url.replace(/:[A-Za-z]+/g, "[^/]+")}/?$`);
    if (pattern.test(pathname)) methods.add(r.method).add(r.method === "GET" ? "HEAD" : r.method);
  }
  return [...methods].sort().join(", ");
}

const sendApiProblem = sendProblem;

/**
 * Errors Fastify's router raises before any route or hook (`frameworkErrors`): answered as
 * problems with the same headers as every other answer.
 */
export function frameworkProblem(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  setSecurityHeaders(request, reply);
  if (error.code === "FST_ERR_MAX_PARAM_LENGTH") {
    void sendProblem(
      reply,
      "URI_TOO_LONG",
      "A path segment is longer than the longest id or patient reference",
    );
    return;
  }
  void sendProblem(reply, "MALFORMED_URL", "The URL's percent-encoding is not valid");
}

/**
 * Refusals of an authenticated caller that the audit records (ASVS 16.3.2, 16.3.3); a session
 * cookie sent without its CSRF token is recorded against that session's person.
 */
const DENIED = new Set<ErrorCode>(["CSRF_TOKEN_INVALID", ...AUTHORIZATION_REFUSALS]);

/** The `authz_fail` log line of a refusal (OWASP Logging Vocabulary; SECURITY.md I-63). */
export function logRefusal(request: FastifyRequest, code: ErrorCode): void {
  const who = request.caller ?? request.csrfRefusedCaller;
  request.log.warn(
    {
      event: "authz_fail",
      code,
      method: request.method,
      route: request.routeOptions.url,
      // A signed-in caller's tenant is already bound to request.log (http/auth.ts).
      ...(request.caller ? {} : { tenantId: who?.tenantId }),
      actorType: who?.actor.type,
      actorId: who?.actor.id,
      ip: request.ip,
    },
    "refused",
  );
}

/** Refusals of the input itself, logged as `input_validation_fail` (input-validation-log.ts). */
const VALIDATION_CODES = new Set<ErrorCode>(["VALIDATION_FAILED", "MALFORMED_JSON"]);

/**
 * Failed authentication operations other than sign-in (which auth.routes.ts logs): logged with
 * their context (ASVS 16.3.1), as the audit cannot always hold them (a reset link names no tenant).
 */
const AUTHN_FAILURES: Partial<Record<ErrorCode, string>> = {
  INVALID_TOKEN: "authn_token_invalid",
  MFA_CODE_INVALID: "authn_mfa_fail",
};

/** Records a refused request; its failure must not change the answer (it is logged instead). */
export type DeniedRecorder = (request: FastifyRequest, code: ErrorCode) => Promise<void>;

export function installErrorHandling(
  app: FastifyInstance,
  pages: PageFallback | null = null,
  routes: readonly RegisteredRoute[] = [],
  recordDenied: DeniedRecorder | null = null,
): void {
  app.setErrorHandler(async (error: FastifyError | AppError | ZodError | Error, request, reply) => {
    // SCIM clients read SCIM's Error message; everything else gets problem+json.
    const sendProblem: typeof sendApiProblem = isScimUrl(request.url) ? sendScimError : sendApiProblem;
    // Refused before its body was read (too large, or by a route's onRequest hooks): read it to its end.
    lingerOnRefusedBody(request, reply);
    if (error instanceof AppError) {
      if (recordDenied && DENIED.has(error.code)) {
        logRefusal(request, error.code);
        await recordDenied(request, error.code).catch((failure: unknown) =>
          request.log.error({ err: failure, event: "authz_fail_unrecorded" }, "refusal not audited"),
        );
      }
      const authnFailure = error.logAs ?? AUTHN_FAILURES[error.code];
      if (authnFailure) {
        request.log.info(
          {
            event: authnFailure,
            code: error.code,
            route: request.routeOptions.url,
            tenantId: request.caller?.tenantId,
            actorId: request.caller?.actor.id,
            ip: request.ip,
          },
          "authentication step refused",
        );
      }
      if (VALIDATION_CODES.has(error.code)) logInputValidationFailure(request, error.code, error.errors);
      // API.md: every 429 carries Retry-After (seconds), whichever use case throttled; so does a 503
      // that knows when to come back (shed sign-ins).
      const status = statusOfCode(error.code);
      if (status === 429 || (status === 503 && error.extensions.retryAfter !== undefined)) {
        const after = Number(error.extensions.retryAfter);
        reply.header("retry-after", String(Number.isFinite(after) && after > 0 ? Math.ceil(after) : 60));
      }
      return sendProblem(
        reply,
        error.code,
        error.message,
        error.errors,
        error.extensions as Record<string, unknown>,
      );
    }
    if (error instanceof ZodError) {
      const errors = zodFieldErrors(error);
      logInputValidationFailure(request, "VALIDATION_FAILED", errors);
      return sendProblem(reply, "VALIDATION_FAILED", undefined, errors);
    }
    const fastifyCode = (error as FastifyError).code;
    const mapped = fastifyCode ? FASTIFY_CODES[fastifyCode] : undefined;
    if (mapped && VALIDATION_CODES.has(mapped)) logInputValidationFailure(request, mapped, undefined);
    if (mapped) return sendProblem(reply, mapped, error.message);
    if (error instanceof SyntaxError || (error as FastifyError).statusCode === 400) {
      // Malformed JSON, and __proto__ / constructor.prototype keys refused by the parser (Fastify
      // reports both as one error, so the key cannot be named).
      logInputValidationFailure(request, "MALFORMED_JSON", undefined);
      return sendProblem(reply, "MALFORMED_JSON", "The body could not be parsed as safe JSON");
    }
    // The console's files (@fastify/static, through `send`): a path that leaves assets/ or names a
    // dotfile is refused there with a 403 or 404 of its own; to a client it is no file of ours.
    const status = (error as { statusCode?: unknown }).statusCode;
    if ((status === 403 || status === 404) && request.url.startsWith("/assets/")) {
      return sendProblem(
        reply,
        "ROUTE_NOT_FOUND",
        `${request.method} ${request.url.split("?")[0]} is not an endpoint`,
      );
    }
    if (isDatabaseUnavailable(error)) {
      request.log.error({ err: error, event: "db_unavailable" }, "the database cannot be reached");
      reply.header("retry-after", "5");
      return sendProblem(reply, "DATABASE_UNAVAILABLE");
    }
    request.log.error({ err: error }, "unhandled error");
    return sendProblem(reply, "INTERNAL");
  });
  app.setNotFoundHandler((request, reply) => {
    if (REFUSED_METHODS.has(request.method)) {
      const pathname = request.url.split("?")[0] ?? "/";
      // A path no route serves is the console's page when the console is served (GET and HEAD);
      // an empty Allow says a resource allows nothing (RFC 9110 §10.2.1), true only of the rest.
      const page = pages !== null && !isApiPath(pathname);
      reply.header("allow", allowedAt(routes, pathname) || (page ? "GET, HEAD" : ""));
      return sendProblem(reply, "METHOD_NOT_ALLOWED", `${request.method} is not served`);
    }
    // An endpoint asked with a method it does not serve is 405 with what it does (RFC 9110
    // §15.5.6), not a 404 that says the endpoint is not there. Judged by the path's shape only:
    // the same for any id, so it tells nothing about what exists.
    const pathname = request.url.split("?")[0] ?? "/";
    if (isApiPath(pathname)) {
      const allow = allowedAt(routes, pathname);
      if (allow !== "") {
        reply.header("allow", allow);
        return (isScimUrl(request.url) ? sendScimError : sendProblem)(
          reply,
          "METHOD_NOT_ALLOWED",
          `${request.method} is not served at this endpoint; it serves ${allow}`,
        );
      }
    }
    if (pages?.(request, reply)) return reply;
    return (isScimUrl(request.url) ? sendScimError : sendProblem)(
      reply,
      "ROUTE_NOT_FOUND",
      `${request.method} ${request.url.split("?")[0]} is not an endpoint`,
    );
  });
}
