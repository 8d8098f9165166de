/** Opaque random identifiers (never sequential): a type prefix and 128 random bits. */
import { createHash, randomBytes } from "node:crypto";

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

/** Secrets are stored only as their SHA-256 (they are random, so no salt or KDF is needed). */
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}
