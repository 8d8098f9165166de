/** Response headers every answer carries (SECURITY.md J-70) and the request id. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

/** Sets them on one answer; also for answers that skip the hooks (router errors, problem.ts). */
export function setSecurityHeaders(request: FastifyRequest, reply: FastifyReply): void {
  reply.header("x-request-id", request.id);
  reply.header("x-content-type-options", "nosniff");
  reply.header("referrer-policy", "no-referrer");
  reply.header("x-frame-options", "DENY");
  reply.header("strict-transport-security", "max-age=31536000; includeSubDomains");
  if (!reply.hasHeader("content-security-policy")) {
    reply.header(
      "content-security-policy",
      "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    );
  }
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
