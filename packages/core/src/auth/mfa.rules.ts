/**
 * MFA rules (pure): TOTP (RFC 6238) codes and time steps, the recovery codes' form, the tenant
 * requirement and "remember this device" lifetimes. What takes randomness or a key (new secrets and
 * recovery codes, sealing the secret at rest) is in mfa-secrets.ts.
 *
 * Decisions (SECURITY.md item 21, ASVS 6.5.x):
 * - TOTP: SHA-1, 6 digits, 30 s steps (ASVS 6.5.5: ≤ 30 s), ±1 step accepted for clock drift.
 *   A code is accepted only for a step later than the last accepted one (RFC 6238 §5.2), which
 *   refuses replay within the window and any earlier code after a later one was used.
 * - Recovery codes: 10 codes of 10 symbols from a 32-symbol alphabet = 50 bits each (6.5.4: ≥ 20).
 *   Being under 112 bits, they are stored with an approved password hash with a salt (6.5.2):
 *   argon2id via the PasswordHasher (its PHC string carries a 128-bit random salt).
 */
import { timingSafeEqual } from "node:crypto";
import { authenticator } from "otplib";
import type { RoleGrants } from "../access/grants.rules.ts";
import type { Catalog } from "../catalog/catalog.rules.ts";
import type { TenantSettings } from "../tenants/settings.rules.ts";

export const TOTP_STEP_SECONDS = 30;
export const TOTP_WINDOW = 1;
export const TOTP_ISSUER = "Staffgate";
export const RECOVERY_CODE_COUNT = 10;
/** The hard cap on "remember this device" (PRODUCT.md §4: up to 30 days). */
export const REMEMBER_DEVICE_MAX_DAYS = 30;

/** The RFC 6238 time step of an instant. */
export function totpStepAt(ms: number): number {
  return Math.floor(ms / 1000 / TOTP_STEP_SECONDS);
}

/** The 6-digit code of `secret` for one time step. */
export function totpCodeAt(secret: string, step: number): string {
  return authenticator.clone({ epoch: step * TOTP_STEP_SECONDS * 1000 }).generate(secret);
}

export function isTotpShape(code: string): boolean {
  return /^\d{6}$/.test(code);
}

/**
 * The step whose code `code` is, within ±window of `nowMs` and later than `lastUsedStep`; null when
 * none. Every candidate is compared (in constant time) so the answer's time does not tell which.
 */
export function matchTotp(
  secret: string,
  code: string,
  nowMs: number,
  lastUsedStep: number,
  window: number = TOTP_WINDOW,
): number | null {
  if (!isTotpShape(code)) return null;
  const now = totpStepAt(nowMs);
  let found: number | null = null;
  for (let step = now - window; step <= now + window; step += 1) {
    const same = timingSafeEqual(Buffer.from(totpCodeAt(secret, step)), Buffer.from(code));
    if (same && step > lastUsedStep && found === null) found = step;
  }
  return found;
}

/** The otpauth:// URI an authenticator app scans; label `Staffgate:<tenant>:<username>`. */
export function otpauthUrl(secret: string, tenantSlug: string, username: string): string {
  return authenticator.keyuri(`${tenantSlug}:${username}`, TOTP_ISSUER, secret);
}

/** Crockford's base32 symbols in lower case: no i, l, o, u, so nothing reads as another symbol. */
export const RECOVERY_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";

/**
 * A typed recovery code in its canonical form (the form that is hashed), or null when it cannot
 * be one: case, spaces and hyphens do not matter, and i/l read as 1 and o as 0 (Crockford).
 */
export function normaliseRecoveryCode(input: string): string | null {
  const s = input
    .toLowerCase()
    .replace(/[\s-]+/g, "")
    .replace(/[il]/g, "1")
    .replace(/o/g, "0");
  if (s.length !== 10) return null;
  for (const ch of s) if (!RECOVERY_ALPHABET.includes(ch)) return null;
  return `${s.slice(0, 5)}-${s.slice(5)}`;
}

const EMERGENCY_ACCESS = "emergency_access.use";

/**
 * True when any of the roles grants a patient-scoped permission or emergency access (tenant level
 * or in a workspace).
 */
export function holdsPatientPermission(catalog: Catalog, roles: readonly RoleGrants[]): boolean {
  // Emergency access opens patient permissions on demand: its holders are people who can reach
  // patient data (SECURITY.md 14), so `patient_access` requires MFA of them too.
  const patient = (key: string) => {
    for (const k of catalog.closure.get(key) ?? [])
      if (k === EMERGENCY_ACCESS || catalog.byKey.get(k)?.patientScoped) return true;
    return false;
  };
  return roles.some(
    (r) => r.permissions.some(patient) || r.workspaces.some((w) => w.permissions.some(patient)),
  );
}

/** Whether the tenant requires this user to use MFA (virtual users never sign in). */
export function mfaRequiredFor(
  setting: TenantSettings["mfaRequired"],
  user: { readonly virtual: boolean; readonly holdsPatientPermission: () => boolean },
): boolean {
  if (user.virtual || setting === "off") return false;
  if (setting === "all") return true;
  return user.holdsPatientPermission();
}

/** How long a remembered device lasts under the tenant's setting: 0 (never) to 30 days. */
export function rememberDeviceDays(settings: Pick<TenantSettings, "rememberDeviceDays">): number {
  const days = Math.floor(settings.rememberDeviceDays);
  if (!Number.isFinite(days) || days <= 0) return 0;
  return Math.min(days, REMEMBER_DEVICE_MAX_DAYS);
}

/**
 * A remembered device is good while its own expiry is ahead and, should the tenant have shortened
 * rememberDeviceDays since, while it is younger than the current setting.
 */
export function rememberedDeviceValid(
  row: { readonly created_at: string; readonly expires_at: string },
  settings: Pick<TenantSettings, "rememberDeviceDays">,
  nowMs: number,
): boolean {
  const days = rememberDeviceDays(settings);
  if (days === 0) return false;
  return Date.parse(row.expires_at) > nowMs && Date.parse(row.created_at) + days * 86_400_000 > nowMs;
}
