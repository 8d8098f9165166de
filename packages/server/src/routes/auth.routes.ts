/** /api/v1/auth: sign-in, sign-out, "who am I" and the caller's own sessions. */
import {
  EndSessionBody,
  IdParams,
  LoginBody,
  LoginResponse,
  MeResponse,
  SessionListQuery,
  SessionListResponse,
} from "@staffgate/contract";
import type { Core } from "@staffgate/core";
import { AppError, isAppError } from "@staffgate/core";
import type { FastifyInstance } from "fastify";
import { bearerOf } from "../http/auth.ts";
import {
  clearedCookies,
  parseCookies,
  REMEMBER_COOKIE,
  rememberCookie,
  SESSION_COOKIE,
  signInCookies,
} from "../http/cookies.ts";
import { PASSWORD_BODY_LIMIT, type RouteOptions, route } from "../http/route.ts";

export function authRoutes(app: FastifyInstance, core: Core, options: RouteOptions): void {
  const tags = ["auth"];
  route(app, options, {
    method: "POST",
    url: "/api/v1/auth/login",
    summary:
      "Sign in with tenant, username or email, and password (+ TOTP); sets the console's session and CSRF cookies",
    tags,
    auth: "public",
    body: LoginBody,
    bodyLimit: PASSWORD_BODY_LIMIT,
    status: 200,
    response: LoginResponse,
    otherResponses: {
      401: 'INVALID_CREDENTIALS, one identical answer for every failure (unknown tenant or user, wrong password or code, locked, inactive…); with `secondFactor: "required"` when the password was right and a code is needed',
    },
    handler: async ({ meta, body, request, reply }) => {
      try {
        const cookies = parseCookies(request.headers.cookie);
        const rememberToken = cookies.get(REMEMBER_COOKIE);
        // The session this client already holds ends with the new sign-in (fixation).
        const bearer = bearerOf(request.headers.authorization);
        const replacedToken = bearer?.startsWith("sgs_") ? bearer : cookies.get(SESSION_COOKIE);
        const { remember, ...result } = await core.auth.login(meta, body, { rememberToken, replacedToken });
        reply.header("set-cookie", [
          ...signInCookies(result.token, result.csrfToken),
          ...(remember ? [rememberCookie(remember.token, remember.expiresAt)] : []),
        ]);
        return result;
      } catch (error) {
        if (isAppError(error, "THROTTLED")) {
          reply.header("retry-after", String(error.extensions.retryAfter ?? 60));
        }
        // ASVS 16.3.1: every failed sign-in is logged, also where no tenant's audit can hold it (an
        // unknown tenant); the tenant and its id when what was typed names one, the client's address,
        // never the login or the password. A wrong second factor is the same refusal
        // (INVALID_CREDENTIALS): its reason is in the tenant's audit trail (docs/logging.md).
        if (error instanceof AppError) {
          const tenant = await core.tenants.findTenantBySlug(body.tenant).catch(() => undefined);
          request.log.info(
            {
              event: error.code === "THROTTLED" ? "excess_rate_limit_exceeded" : "authn_login_fail",
              code: error.code,
              // The slug only when it names a tenant: what was typed otherwise may be a password
              // typed into the wrong field, which no log keeps (as the audit keeps no typed login).
              tenant: tenant?.slug,
              tenantId: tenant?.id,
              ip: request.ip,
            },
            "sign-in refused",
          );
        }
        throw error;
      }
    },
  });
  route(app, options, {
    method: "POST",
    url: "/api/v1/auth/logout",
    summary: "End the current session (and clear the console's cookies)",
    tags,
    auth: "tenant",
    response: null,
    handler: async ({ caller, meta, reply }) => {
      await core.auth.logout(caller, meta);
      reply.header("set-cookie", clearedCookies());
    },
  });
  route(app, options, {
    method: "GET",
    url: "/api/v1/auth/me",
    summary: "The signed-in user, their tenant and tenant-level permissions",
    tags,
    auth: "tenant",
    response: MeResponse,
    handler: ({ caller }) => core.auth.me(caller),
  });
  route(app, options, {
    method: "GET",
    url: "/api/v1/auth/sessions",
    summary: "The caller's own sessions (creation, last use, address, user agent, which is this one)",
    tags,
    auth: "tenant",
    query: SessionListQuery,
    response: SessionListResponse,
    handler: ({ caller, query }) => core.auth.listSessions(caller, query),
  });
  route(app, options, {
    method: "DELETE",
    ifMatch: true,
    url: "/api/v1/auth/sessions/:id",
    summary:
      "End one of the caller's own sessions (another user's id is 404). Another than this one, more than 10 minutes after signing in: the password again (401 REAUTHENTICATION_REQUIRED without it, a step-up challenge)",
    tags,
    auth: "tenant",
    params: IdParams,
    body: EndSessionBody,
    bodyLimit: PASSWORD_BODY_LIMIT,
    response: null,
    handler: async ({ caller, ctx, params, ifMatch, body }) => {
      await core.auth.endSession(caller, ctx, params.id, ifMatch, body ?? {});
    },
  });
}
