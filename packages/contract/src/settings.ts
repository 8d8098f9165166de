/**
 * The tenant security policy (PRODUCT.md §5, SECURITY.md §2): `GET/PATCH /api/v1/settings`.
 * Every bound below is the product's: floors come from NIST 800-63B and HIPAA, so a tenant can
 * only tighten them.
 */
import { z } from "zod";
import { Id } from "./common.ts";

/**
 * The longest idle timeout, for the tenant and for a workspace's override alike (8 hours, a
 * clinical shift): a workspace may differ from the tenant's limit, never leave this bound
 * (SECURITY.md E-37; docs/decisions.md "Idle timeout").
 */
export const IDLE_TIMEOUT_MAX_MINUTES = 480;

/** 1440 → "1,440": the way the console's hints write the same bound. */
const n = (value: number) => value.toLocaleString("en-US");

/**
 * A whole number within the product's bounds, refused in words that name them. `floor`: why the
 * minimum is where it is, for the bounds a tenant may only raise (a lower lockout threshold or a
 * shorter timeout is the stricter setting, so "tighten" would mislead there).
 */
const int = (min: number, max: number, floor?: string) =>
  z
    .number({ error: `must be a whole number from ${n(min)} to ${n(max)}` })
    .int(`must be a whole number from ${n(min)} to ${n(max)}`)
    .min(min, floor ? `must be at least ${n(min)}: ${floor}` : `must be at least ${n(min)}`)
    .max(max, `must be at most ${n(max)}`);

/** Each field with its bounds; PATCH takes any subset, GET returns all of them. */
export const SETTINGS_FIELDS = {
  /** Password used alone: NIST 800-63B rev4 floor 15; 64 must always stay allowed. */
  passwordMinLength: int(
    15,
    64,
    "the product's floor for a password used alone (NIST 800-63B), which a practice may only raise",
  ),
  /** Password used with MFA: NIST floor 8. */
  passwordMinLengthWithMfa: int(
    8,
    64,
    "the product's floor for a password used with two-factor sign-in (NIST 800-63B), which a practice may only raise",
  ),
  /** How many earlier passwords may not be reused; 0 = off. */
  passwordHistory: int(0, 24),
  /** Consecutive failures before the account locks: NIST allows at most 100. */
  lockoutThreshold: int(1, 100),
  /** How long a lock lasts; 0 = until an administrator unlocks. */
  lockoutMinutes: int(0, 1440),
  mfaRequired: z.enum(["off", "all", "patient_access"]),
  /** "Remember this device" for MFA; 0 = never. */
  rememberDeviceDays: int(0, 30),
  idleTimeoutMinutes: int(1, IDLE_TIMEOUT_MAX_MINUTES),
  absoluteTimeoutHours: int(1, 24),
  /**
   * Concurrent sessions one person may hold (ASVS 7.1.2); a sign-in beyond it ends the oldest
   * (audited `auth.session.evicted`, logged `excess_sessions_exceeded`). API tokens do not count.
   */
  maxSessionsPerUser: int(1, 100),
  /** Whether administrators may type a user's password (ASVS 6.4.6 prefers random or a reset link). */
  adminTypedPasswordsAllowed: z.boolean(),
  emergencyAccessHours: int(1, 24),
  /**
   * What an emergency elevation grants (PRODUCT.md §2); null: every patient-scoped permission of
   * the catalogue that is not `forbidden` for collaborators. A list may only narrow that set.
   */
  emergencyPermissions: z
    .array(z.string().min(1).max(100), { error: "must be a list of permission keys, or null" })
    .min(1, "must name at least one permission, or be null for the default set")
    .max(200)
    .nullable(),
  /** HIPAA 164.316(b)(2)(i): six years at least, in days that hold any six calendar years (6 × 365 + 2 leap days). */
  auditRetentionDays: int(
    2192,
    36_500,
    "six years, the least HIPAA allows, which a practice may only lengthen",
  ),
  auditAllPatientDecisions: z.boolean(),
  /**
   * The role a user provisioned over SCIM gets when the request names no group (a user always
   * holds one role); null: such a request is refused (SCIM_NO_DEFAULT_ROLE).
   */
  scimDefaultRoleId: Id.nullable(),
} as const;

export const SETTINGS_FIELD_NAMES = Object.keys(SETTINGS_FIELDS) as (keyof typeof SETTINGS_FIELDS)[];

export const SettingsSchema = z.strictObject({
  ...SETTINGS_FIELDS,
  /** The settings' version, also sent as the `ETag`; `If-Match` on PATCH. */
  version: z.number().int(),
});
export type Settings = z.infer<typeof SettingsSchema>;

export const UpdateSettingsBody = z.strictObject({
  passwordMinLength: SETTINGS_FIELDS.passwordMinLength.optional(),
  passwordMinLengthWithMfa: SETTINGS_FIELDS.passwordMinLengthWithMfa.optional(),
  passwordHistory: SETTINGS_FIELDS.passwordHistory.optional(),
  lockoutThreshold: SETTINGS_FIELDS.lockoutThreshold.optional(),
  lockoutMinutes: SETTINGS_FIELDS.lockoutMinutes.optional(),
  mfaRequired: SETTINGS_FIELDS.mfaRequired.optional(),
  rememberDeviceDays: SETTINGS_FIELDS.rememberDeviceDays.optional(),
  idleTimeoutMinutes: SETTINGS_FIELDS.idleTimeoutMinutes.optional(),
  absoluteTimeoutHours: SETTINGS_FIELDS.absoluteTimeoutHours.optional(),
  maxSessionsPerUser: SETTINGS_FIELDS.maxSessionsPerUser.optional(),
  adminTypedPasswordsAllowed: SETTINGS_FIELDS.adminTypedPasswordsAllowed.optional(),
  emergencyAccessHours: SETTINGS_FIELDS.emergencyAccessHours.optional(),
  emergencyPermissions: SETTINGS_FIELDS.emergencyPermissions.optional(),
  auditRetentionDays: SETTINGS_FIELDS.auditRetentionDays.optional(),
  auditAllPatientDecisions: SETTINGS_FIELDS.auditAllPatientDecisions.optional(),
  scimDefaultRoleId: SETTINGS_FIELDS.scimDefaultRoleId.optional(),
  /**
   * The version the change is made from, as GET gave it: a stale one is 412, as a stale `If-Match`
   * is. So the object GET returns can be sent back with a field changed.
   */
  version: z.number().int().optional(),
});
export type UpdateSettingsBody = z.infer<typeof UpdateSettingsBody>;
