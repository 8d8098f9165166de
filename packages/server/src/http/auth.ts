/**
 * Resolves who is calling: the operator token, or a tenant session / API token.
 *
 * Programs send `Authorization: Bearer`; the console sends the `__Host-staffgate_session` cookie,
 * read only when there is no Authorization header. A cookie-authenticated unsafe request (POST,
 * PUT, PATCH, DELETE) must carry `X-CSRF-Token` matching its session (synchronizer token: the
 * session stores the token's SHA-256); without it the request is not authenticated and a tenant
 * route answers 403 CSRF_TOKEN_INVALID (route.ts). Bearer requests need no CSRF token: a browser
 * never adds an Authorization header on its own.
 *
 * `Staffgate-Workspace: <id>` names the workspace a request is made in; a workspace with its own
 * idle timeout then sets the session's idle limit (auth.service.ts authenticate).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { type Caller, type Core, isTenantToken } from "@staffgate/core";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { CSRF_HEADER, parseCookies, SESSION_COOKIE } from "./cookies.ts";

declare module "fastify" {
  interface FastifyRequest {
    caller?: Caller;
    operator?: boolean;
    /** The session came from the cookie (not a bearer header). */
    viaCookie?: boolean;
    /** A valid session cookie came with an unsafe method but without a matching X-CSRF-Token. */
    csrfRejected?: boolean;
    /**
     * That session, for the refusal's audit record and log line only (a forged request is an
     * attempt to bypass a control, ASVS 16.3.3); never a caller: nothing is done as it.
     */
    csrfRefusedCaller?: Caller;
  }
}

export const WORKSPACE_HEADER = "staffgate-workspace";

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

function sha256(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

/** `token` is the secret whose SHA-256 is `secretHash` (hashed first: the same time whatever the lengths). */
function sameSecret(token: string, secretHash: Buffer): boolean {
  return timingSafeEqual(sha256(token), secretHash);
}

/** The header's token hashes to the session's stored CSRF hash. */
function csrfMatches(header: string | string[] | undefined, storedHash: string | null | undefined): boolean {
  if (typeof header !== "string" || header.length === 0 || header.length > 200 || !storedHash) return false;
  const stored = Buffer.from(storedHash, "hex");
  const given = sha256(header);
  return stored.length === given.length && timingSafeEqual(stored, given);
}

export function bearerOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

export function installAuthentication(
  app: FastifyInstance,
  core: Core,
  operatorToken: string | undefined,
): void {
  // Hashed once, not on every request.
  const operatorHash = operatorToken ? sha256(operatorToken) : undefined;
  /** Takes the caller authenticate() found, unless a cookie-borne request fails the CSRF rule. */
  const accept = (request: FastifyRequest, reply: FastifyReply, caller: Caller | undefined): void => {
    if (!caller) return;
    if (request.viaCookie) {
      // The cookie carries sessions only (never API tokens); unsafe methods need the CSRF token.
      if (caller.kind !== "session") return;
      if (UNSAFE.has(request.method) && !csrfMatches(request.headers[CSRF_HEADER], caller.csrfHash)) {
        request.csrfRejected = true;
        request.csrfRefusedCaller = caller;
        return;
      }
    }
    request.caller = caller;
    // Every later line of this request, "request completed" included, names its tenant
    // (SECURITY.md I-64, Multi-Tenant CS: tenant context in every log entry).
    request.log = request.log.child({ tenantId: caller.tenantId });
    reply.log = request.log;
  };
  // A callback hook: authenticate() answers synchronously when it needs no read (auth/caller-cache.ts),
  // and then the request goes on without a promise or a microtask.
  app.addHook("onRequest", (request, reply, done) => {
    const header = request.headers.authorization;
    let token = bearerOf(header);
    if (!header) {
      token = parseCookies(request.headers.cookie).get(SESSION_COOKIE);
      if (token) request.viaCookie = true;
    }
    if (!token) return done();
    if (!request.viaCookie && operatorHash && !isTenantToken(token) && sameSecret(token, operatorHash)) {
      request.operator = true;
      return done();
    }
    const ws = request.headers[WORKSPACE_HEADER];
    const workspaceId = typeof ws === "string" && ws.length > 0 && ws.length <= 64 ? ws : undefined;
    let found: ReturnType<Core["auth"]["authenticate"]>;
    try {
      found = core.auth.authenticate(token, { workspaceId });
    } catch (error) {
      return done(error as Error);
    }
    if (found instanceof Promise) {
      found.then(
        (caller) => {
          accept(request, reply, caller);
          done();
        },
        (error: Error) => done(error),
      );
      return;
    }
    accept(request, reply, found);
    done();
  });
}
