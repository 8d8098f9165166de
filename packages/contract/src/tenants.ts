/** Tenants (operator API) and the sign-in contract. */
import { z } from "zod";
import { Id, Label, ListQuery, page, Timestamp } from "./common.ts";
import { Email, Username, UserSchema } from "./users.ts";

/** Unique case-insensitively (PRODUCT.md §2): typed in any case, stored in lower case. */
export const TenantSlug = z
  .string()
  .trim()
  .toLowerCase()
  .min(2)
  .max(40)
  .regex(
    /^[a-z0-9]+(-[a-z0-9]+)*$/,
    "must be lower-case letters and digits in groups joined by single hyphens",
  )
  .describe("letters and digits in groups joined by single hyphens; typed in any case, stored in lower case");

/** An IANA time zone this runtime knows (`Europe/Oslo`, `UTC`), as the tenant's dates are shown in it. */
export const TimeZone = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .refine((v) => canonicalTimeZone(v) !== undefined, "must be an IANA time zone such as Europe/Oslo")
  // Stored in the letter case of the zone's name ("europe/helsinki" → "Europe/Helsinki"), so that
  // a client comparing with IANA names finds it; the name itself is kept (ICU would answer old
  // aliases for current names: Asia/Kolkata → Asia/Calcutta).
  .transform((v) => zoneSpelling(v));

function canonicalTimeZone(name: string): string | undefined {
  try {
    return new Intl.DateTimeFormat("en", { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** `name` in the runtime's letter case when the runtime knows it in another case; else as typed. */
function zoneSpelling(name: string): string {
  const lower = name.toLowerCase();
  const resolved = canonicalTimeZone(name);
  if (resolved !== undefined && resolved.toLowerCase() === lower) return resolved;
  const listed = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return listed.find((z) => z.toLowerCase() === lower) ?? name;
}

export const TenantSchema = z.strictObject({
  id: Id,
  slug: z.string(),
  name: z.string(),
  timeZone: z.string(),
  catalog: z.string(),
  createdAt: Timestamp,
});
export type Tenant = z.infer<typeof TenantSchema>;

export const CreateTenantBody = z.strictObject({
  slug: TenantSlug,
  name: Label(120),
  timeZone: TimeZone.default("UTC"),
  catalogPreset: z.string().min(1).max(80).optional(),
  admin: z.strictObject({
    username: Username,
    email: Email,
    firstName: Label(80),
    lastName: Label(80),
    password: z.string().min(1).max(1024),
  }),
});
export type CreateTenantBody = z.infer<typeof CreateTenantBody>;

export const LoginBody = z.strictObject({
  tenant: z.string().max(80),
  login: z.string().max(254),
  /**
   * Up to 1024 code points of the NFC form, as the password policy counts them (a password of
   * 4-byte characters is up to 2048 UTF-16 units); anything longer cannot be a password, so it is
   * refused before hashing. Past 4096 units the check stops there (`abort`): normalising a 1 MB
   * string only to refuse it again took longer than the rest of the request (SECURITY.md A-10).
   */
  password: z
    .string()
    .max(4096, { abort: true, message: "must be at most 1024 characters" })
    .refine(
      (p) => p.length <= 1024 || [...p.normalize("NFC")].length <= 1024,
      "must be at most 1024 characters",
    ),
  totp: z.string().max(64).optional(),
  /** With a valid TOTP or recovery code: skip the code on this device for the tenant's remember-device days. */
  rememberDevice: z.boolean().optional(),
});

export const SessionPurpose = z.enum(["full", "mfa_enrolment", "password_change"]);
export type SessionPurpose = z.infer<typeof SessionPurpose>;

export const LoginResponse = z.strictObject({
  token: z.string(),
  expiresAt: Timestamp,
  mustChangePassword: z.boolean(),
  /** `mfa_enrolment`: the tenant requires MFA and the user has none; the session may only enrol. */
  purpose: SessionPurpose,
  /** Send as `X-CSRF-Token` on unsafe requests authenticated by the session cookie (the console). */
  csrfToken: z.string(),
  user: UserSchema,
});

/** One of the caller's own sessions (GET /api/v1/auth/sessions). */
export const SessionSchema = z.strictObject({
  id: Id,
  createdAt: Timestamp,
  lastUsedAt: Timestamp,
  expiresAt: Timestamp,
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  purpose: SessionPurpose,
  /** The session this request was made with. */
  current: z.boolean(),
});
export type Session = z.infer<typeof SessionSchema>;

/** API.md list convention: `?limit=` (default 50, max 200), `?cursor=`, `{ items, nextCursor }`. */
export const SessionListQuery = ListQuery;
export type SessionListQuery = z.infer<typeof SessionListQuery>;
export const SessionListResponse = page(SessionSchema);

/**
 * `DELETE /auth/sessions/{id}` of another of one's sessions takes the password again when this
 * session signed in more than 10 minutes ago (ASVS 7.5.2); no body otherwise (API.md).
 */
export const EndSessionBody = z
  .strictObject({ password: z.string().min(1, "is required").max(1024).optional() })
  .optional();
export type EndSessionBody = z.infer<typeof EndSessionBody>;

export const MeResponse = z.strictObject({
  user: UserSchema,
  tenant: z.strictObject({ id: Id, slug: z.string(), name: z.string() }),
  permissions: z.array(z.string()),
  /** Whether the tenant requires two-factor sign-in of this user (so it cannot be turned off). */
  mfaRequired: z.boolean(),
  /**
   * The practice's rules the console states to everyone who meets them (none is a secret, and the
   * settings themselves need `settings.manage`): whether administrators may type a password,
   * how long an emergency elevation lasts, how long a remembered browser skips the code.
   */
  practice: z.strictObject({
    adminTypedPasswordsAllowed: z.boolean(),
    emergencyAccessHours: z.number().int(),
    rememberDeviceDays: z.number().int(),
  }),
  /** The signed-in session (null for an API token): what it may reach, its idle and absolute limits. */
  session: z
    .strictObject({
      id: Id,
      purpose: z.enum(["full", "mfa_enrolment", "password_change"]),
      idleTimeoutSeconds: z.number().int(),
      expiresAt: z.string(),
    })
    .nullable(),
});

/**
 * The practice's own profile (GET/PATCH /api/v1/tenant): its display name and the time zone its
 * emails give times in. The slug, which staff type to sign in, does not change here: every
 * bookmark and every user's habit names it (docs/decisions.md, "The practice's profile").
 */
export const TenantProfileSchema = z.strictObject({
  id: Id,
  slug: z.string(),
  name: z.string(),
  timeZone: z.string(),
  /** The tenant row's version, shared with the security settings: the ETag of both. */
  version: z.number().int(),
});
export type TenantProfile = z.infer<typeof TenantProfileSchema>;

export const UpdateTenantProfileBody = z.strictObject({
  name: Label(120).optional(),
  timeZone: TimeZone.optional(),
});
export type UpdateTenantProfileBody = z.infer<typeof UpdateTenantProfileBody>;
