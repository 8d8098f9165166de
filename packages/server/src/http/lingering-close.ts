/**
 * A body refused before it was read (413 too large; 401, 403 or 429 from a route's onRequest
 * hooks) is read to its end and thrown away before the connection is left, as nginx's lingering
 * close does. Fastify answers a 413 and closes at once; closing a socket with the client's bytes
 * still unread makes the kernel send a reset, and a client still writing its body (fetch, curl)
 * then reports EPIPE or ECONNRESET instead of the answer: about half of 1.5–20 MB bodies did on
 * loopback. Reading costs a copy per chunk; past MAX_DRAINED_BYTES the client is not worth it and
 * is cut off (Node would otherwise read any length for a kept-alive connection), and
 * requestTimeout (app.ts) bounds a client that trickles.
 */
import type { FastifyReply, FastifyRequest } from "fastify";

const MAX_DRAINED_BYTES = 64 * 1024 * 1024;

export function lingerOnRefusedBody(request: FastifyRequest, reply: FastifyReply): void {
  const raw = request.raw;
  if (raw.complete || raw.destroyed) return;
  if (Number(request.headers["content-length"]) > MAX_DRAINED_BYTES) {
    reply.header("connection", "close");
    return;
  }
  // With `connection: close` (Fastify's choice) Node destroys the socket once the answer is written;
  // without it the socket stays, the rest of the body is read and dropped, and the connection is
  // usable again once it ends.
  if (reply.getHeader("connection") === "close") reply.removeHeader("connection");
  let drained = 0;
  raw.on("data", (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > MAX_DRAINED_BYTES) raw.socket.destroy();
  });
  raw.resume();
}
