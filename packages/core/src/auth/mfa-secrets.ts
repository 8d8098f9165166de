/**
 * MFA secrets: what takes randomness or a key, apart from the pure rules (mfa.rules.ts).
 * - The TOTP secret is 160 bits (RFC 4226 §4 recommends 160) from the CSPRNG (ASVS 6.5.3).
 * - Recovery codes come from the CSPRNG, in the form mfa.rules.ts reads back.
 * - The TOTP secret must be readable to verify codes. With STAFFGATE_SECRET_KEY set it is sealed
 *   with AES-256-GCM (key = SHA-256 of the variable; the tenant and user ids are the associated
 *   data, so a row copied onto another user does not open); without it, it is stored as
 *   `plain:<base32>` and the database is the secret store. Both forms read back either way.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { authenticator } from "otplib";
import { RECOVERY_ALPHABET, RECOVERY_CODE_COUNT } from "./mfa.rules.ts";

/** A new TOTP secret: 20 random bytes as base32 (32 characters). */
export function newTotpSecret(): string {
  return authenticator.generateSecret(20);
}

/** One recovery code, `xxxxx-xxxxx`: 10 symbols × 5 bits = 50 bits (256 % 32 = 0, so unbiased). */
export function newRecoveryCode(): string {
  let out = "";
  for (const b of randomBytes(10)) out += RECOVERY_ALPHABET[b & 31];
  return `${out.slice(0, 5)}-${out.slice(5)}`;
}

export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
}

/** The sealing key from the value of STAFFGATE_SECRET_KEY (any length ≥ 32; hashed to 256 bits). */
export function secretKeyFrom(value: string | undefined): Buffer | undefined {
  if (!value) return undefined;
  if (value.length < 32) throw new Error("STAFFGATE_SECRET_KEY must be at least 32 characters");
  return createHash("sha256").update(value).digest();
}

/** The stored form of a TOTP secret; `bind` (tenant and user ids) is authenticated with it. */
export function sealSecret(secret: string, key: Buffer | undefined, bind: string): string {
  if (!key) return `plain:${secret}`;
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(bind));
  const ct = Buffer.concat([cipher.update(secret, "utf8"), cipher.final()]);
  return `v1:${iv.toString("base64url")}:${cipher.getAuthTag().toString("base64url")}:${ct.toString("base64url")}`;
}

/** Reads a stored TOTP secret back; throws when it is sealed and the key is missing or wrong. */
export function openSecret(stored: string, key: Buffer | undefined, bind: string): string {
  if (stored.startsWith("plain:")) return stored.slice("plain:".length);
  const [version, iv, tag, ct] = stored.split(":");
  if (version !== "v1" || !iv || !tag || ct === undefined) throw new Error("unknown TOTP secret format");
  if (!key) throw new Error("the TOTP secret is sealed: STAFFGATE_SECRET_KEY is needed to read it");
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
  decipher.setAAD(Buffer.from(bind));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(ct, "base64url")), decipher.final()]).toString("utf8");
}
