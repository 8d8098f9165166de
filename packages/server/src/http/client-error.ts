/**
 * Requests Node's HTTP parser refuses before Fastify sees them (malformed or smuggling-shaped
 * framing, oversized headers, a request that never finishes arriving): answered as problems
 * with the headers every answer carries, and the connection closed, instead of Fastify's
 * default JSON without them.
 */
import type { Socket } from "node:net";
import { type ErrorCode, errorCatalog, problemType, statusOfCode } from "@staffgate/contract";
import { DEFAULT_CSP, FIXED_SECURITY_HEADERS } from "./security-headers.ts";

const REASON: Readonly<Record<number, string>> = {
  400: "Bad Request",
  408: "Request Timeout",
  431: "Request Header Fields Too Large",
};

function codeOf(error: { code?: string }): ErrorCode {
  if (error.code === "HPE_HEADER_OVERFLOW") return "HEADERS_TOO_LARGE";
  if (error.code === "ERR_HTTP_REQUEST_TIMEOUT") return "REQUEST_TIMEOUT";
  return "MALFORMED_REQUEST";
}

/** The raw answer, as written on the socket. */
export function clientErrorResponse(error: { code?: string }): string {
  const code = codeOf(error);
  const status = statusOfCode(code);
  const body = JSON.stringify({ type: problemType(code), title: errorCatalog[code].title, status, code });
  return [
    `HTTP/1.1 ${status} ${REASON[status]}`,
    "Content-Type: application/problem+json; charset=utf-8",
    `Content-Length: ${Buffer.byteLength(body)}`,
    "Cache-Control: no-store",
    ...Object.entries(FIXED_SECURITY_HEADERS).map(([name, value]) => `${name}: ${value}`),
    `Content-Security-Policy: ${DEFAULT_CSP}`,
    "Connection: close",
    "",
    body,
  ].join("\r\n");
}

export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  // A reset connection, or one already answered, has nobody left to tell.
  if (error.code === "ECONNRESET" || !socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(clientErrorResponse(error));
}
