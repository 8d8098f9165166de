/** Opaque random identifiers (never sequential): a type prefix and 128 random bits. */
import { hash, randomFillSync } from "node:crypto";

export type IdPrefix = "ten" | "usr" | "rol" | "wsp" | "ses" | "tok" | "grt" | "evt" | "req" | "emg";

export interface Ids {
  next(prefix: IdPrefix): string;
}

/**
 * Random bytes from a pool refilled 4 KiB at a time from the CSPRNG, as Node's own randomUUID
 * does: a randomBytes() call costs about 5 µs in job set-up (measured on a 2-core host), and every
 * request takes an id (its request id, server/http/request-id.ts), a sign-in four more. Each byte is
 * handed out once: a refill allocates a new buffer, so no earlier slice ever sees its bytes change.
 */
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let taken = 0;
export function randomPiece(bytes: number): Buffer {
  if (taken + bytes > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafe(POOL_BYTES));
    taken = 0;
  }
  const piece = pool.subarray(taken, taken + bytes);
  taken += bytes;
  return piece;
}

export const randomIds: Ids = {
  next: (prefix) => `${prefix}_${randomPiece(16).toString("base64url")}`,
};

/** A bearer secret with 256 bits of entropy. */
export function newSecret(prefix: string): string {
  return `${prefix}_${randomPiece(32).toString("base64url")}`;
}

/**
 * Secrets are stored only as their SHA-256 (they are random, so no salt or KDF is needed). The
 * one-shot crypto.hash: every authenticated request hashes its token, and it is a third of
 * createHash().update().digest()'s cost.
 */
export function hashSecret(secret: string): string {
  return hash("sha256", secret, "hex");
}
