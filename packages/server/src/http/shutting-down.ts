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

/**
 * How long a close leaves idle keep-alive connections open. Node's `server.close()` ends them at
 * once, but one that looks idle may hold a client's next request not yet read: ended with it
 * unread, the client met a reset and could not tell whether its POST was carried out (the operator
 * audit: up to 8 of 8 clients). Left open this long, such a request is read and answered 503 with
 * `Connection: close`, and only connections still idle after it are ended.
 */
const IDLE_GRACE_MS = 1000;

/** The idle grace, never longer than the whole shutdown grace (tests shorten that). */
const graceFor = (graceMs: number) => Math.min(IDLE_GRACE_MS, graceMs / 2);

/** Registered first, so that a refused request reaches no other hook (authentication, rate limit). */
export function installShutdownRefusal(app: FastifyInstance, graceMs = SHUTDOWN_GRACE_MS): void {
  let closing = false;
  let deadline: NodeJS.Timeout | undefined;
  let sweep: NodeJS.Timeout | undefined;
  app.addHook("preClose", (done) => {
    closing = true;
    const server = app.server;
    const closeIdle = server.closeIdleConnections.bind(server);
    // close() calls this at once (Node ≥ 19); the sweep below calls it after IDLE_GRACE_MS.
    server.closeIdleConnections = () => undefined;
    const began = Date.now();
    // A keep-alive connection whose request finishes during the close would stay open until its
    // client let go (72 s) or the deadline (found by the re-check): each is closed once it is idle.
    sweep = setInterval(() => {
      if (Date.now() - began >= graceFor(graceMs)) closeIdle();
    }, SWEEP_MS);
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
  // A request in progress when the close began is answered with `Connection: close`: its client
  // then opens a new connection for its next request, which is refused outright (nothing was sent,
  // safe to retry anywhere), instead of reusing this one as the sweep closes it, where a request
  // met a reset and could not tell whether it was carried out (the operator audit: 7-9 of 8
  // clients' next POSTs, against 0-8 answered 503).
  app.addHook("onSend", (_request, reply, payload, done) => {
    if (closing) reply.header("connection", "close");
    done(null, payload);
  });
  app.addHook("onRequest", (_request, reply, done) => {
    if (!closing) return done();
    reply.header("retry-after", String(RETRY_AFTER_SECONDS));
    reply.header("connection", "close");
    void sendProblem(reply, "NOT_READY", "The server is shutting down; retry shortly");
  });
}
