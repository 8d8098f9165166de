/**
 * Request ids (`req_` + 72 random bits, base64url). They are not secrets, only unique; their bytes
 * come from core's pool (shared/ids.ts), because a synchronous CSPRNG call per request cost
 * /healthz and /check a few percent each (bench/decisions profile).
 */
import { randomPiece } from "@staffgate/core";

export function newRequestId(): string {
  return `req_${randomPiece(9).toString("base64url")}`;
}
