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

/**
 * How long a close waits for connections still open (a request in progress, a client trickling its
 * body) before it ends them: Node stops timing clients out once the server closes, so one stalled
 * client held a stopping process until the process manager's kill (found by the durability audit).
 * Under Kubernetes' default 30 s grace, above any request Staffgate answers but a long export.
 */
export const SHUTDOWN_GRACE_MS = 25_000;

/** How often a close ends the connections that have gone idle since it began. */
const SWEEP_MS = 50;

/** Registered first, so that a refused request reaches no other hook (authentication, rate limit). */
export function installShutdownRefusal(app: FastifyInstance, graceMs = SHUTDOWN_GRACE_MS): void {
  let closing = false;
  let deadline: NodeJS.Timeout | undefined;
  let sweep: NodeJS.Timeout | undefined;
  app.addHook("preClose", (done) => {
    closing = true;
    // A keep-alive connection whose request finishes during the close would stay open until its
    // client let go (72 s) or the deadline (found by the re-check): each is closed once it is idle.
    sweep = setInterval(() => app.server.closeIdleConnections(), SWEEP_MS);
    sweep.unref();
    deadline = setTimeout(() => {
      app.log.warn(
        { event: "sys_shutdown_forced", graceMs },
        "connections still open at the deadline: ended",
      );
      app.server.closeAllConnections();
    }, graceMs);
    deadline.unref();
    done();
  });
  app.addHook("onClose", (_instance, done) => {
    clearTimeout(deadline);
    clearInterval(sweep);
    done();
  });
  app.addHook("onRequest", (_request, reply, done) => {
    if (!closing) return done();
    reply.header("retry-after", String(RETRY_AFTER_SECONDS));
    reply.header("connection", "close");
    void sendProblem(reply, "NOT_READY", "The server is shutting down; retry shortly");
  });
}
