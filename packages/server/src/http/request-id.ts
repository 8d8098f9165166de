/**
 * Request ids (`req_` + 72 random bits, base64url). They are not secrets, only unique; drawing 9
 * bytes from the CSPRNG on every request was a synchronous native call that cost /healthz and
 * /check a few percent each (bench/decisions profile), so bytes are drawn in blocks and sliced.
 */
import { randomFillSync } from "node:crypto";

const ID_BYTES = 9;
const BLOCK = 512;
const pool = Buffer.alloc(ID_BYTES * BLOCK);
let next = BLOCK;

export function newRequestId(): string {
  if (next === BLOCK) {
    randomFillSync(pool);
    next = 0;
  }
  const at = next++ * ID_BYTES;
  return `req_${pool.toString("base64url", at, at + ID_BYTES)}`;
}
