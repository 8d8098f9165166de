/** Opaque random identifiers (never sequential): a type prefix and 128 random bits. */
import { hash, randomBytes } from "node:crypto";

export type IdPrefix = "ten" | "usr" | "rol" | "wsp" | "ses" | "tok" | "grt" | "evt" | "req" | "emg";

export interface Ids {
  next(prefix: IdPrefix): string;
}

export const randomIds: Ids = {
  next: (prefix) => `${prefix}_${randomBytes(16).toString("base64url")}`,
};

/** A bearer secret with 256 bits of entropy. */
export function newSecret(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString("base64url")}`;
}

/**
 * Secrets are stored only as their SHA-256 (they are random, so no salt or KDF is needed). The
 * one-shot crypto.hash: every authenticated request hashes its token, and it is a third of
 * createHash().update().digest()'s cost.
 */
export function hashSecret(secret: string): string {
  return hash("sha256", secret, "hex");
}
