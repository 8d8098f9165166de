/** Response headers every answer carries (SECURITY.md J-70) and the request id. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

/** The same on every answer; also written raw by client-error.ts, before Fastify has a reply. */
export const FIXED_SECURITY_HEADERS = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "strict-transport-security": "max-age=31536000; includeSubDomains",
} as const;

/** The default CSP; the console's pages and the docs set their own. */
export const DEFAULT_CSP = "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/** Sets them on one answer; also for answers that skip the hooks (router errors, problem.ts). */
export function setSecurityHeaders(request: FastifyRequest, reply: FastifyReply): void {
  reply.header("x-request-id", request.id);
  reply.headers(FIXED_SECURITY_HEADERS);
  if (!reply.hasHeader("content-security-policy")) reply.header("content-security-policy", DEFAULT_CSP);
  // Everything but the console's files and the public docs may carry personal data or secrets
  // (SECURITY.md E-43): the API, SCIM (an identity provider's default root is /scim/v2), /metrics.
  const url = request.url;
  if (url.startsWith("/api/v1/") || url.startsWith("/scim/") || url.startsWith("/metrics")) {
    reply.header("cache-control", "no-store");
  }
}

export function installSecurityHeaders(app: FastifyInstance): void {
  // A callback hook, not an async one: no promise and microtask on every answer.
  app.addHook("onSend", (request, reply, payload, done) => {
    setSecurityHeaders(request, reply);
    done(null, payload);
  });
}
