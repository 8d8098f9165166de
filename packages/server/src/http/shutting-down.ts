/**
 * A request that arrives once shutdown has begun (on a kept-alive connection; new ones are no
 * longer accepted) is refused as every other refusal is, a problem (503 NOT_READY with
 * Retry-After), instead of Fastify's own `{"error":"Service Unavailable"}` (its
 * `return503OnClosing`, turned off in app.ts). Requests already in progress finish.
 */
import type { FastifyInstance } from "fastify";
import { sendProblem } from "./problem.ts";

/** Seconds a client should wait: another instance, or this one restarted, answers by then. */
const RETRY_AFTER_SECONDS = 5;

/** Registered first, so that a refused request reaches no other hook (authentication, rate limit). */
export function installShutdownRefusal(app: FastifyInstance): void {
  let closing = false;
  app.addHook("preClose", (done) => {
    closing = true;
    done();
  });
  app.addHook("onRequest", (_request, reply, done) => {
    if (!closing) return done();
    reply.header("retry-after", String(RETRY_AFTER_SECONDS));
    reply.header("connection", "close");
    void sendProblem(reply, "NOT_READY", "The server is shutting down; retry shortly");
  });
}
