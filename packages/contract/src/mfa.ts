/**
 * TOTP MFA (API.md `auth/mfa/*`, PRODUCT.md §4 "MFA"). The secret is answered by the enrolment
 * start, the recovery codes by its confirmation: each once, and never again.
 */
import { z } from "zod";

/** `POST /auth/mfa/totp`: the secret to type or the otpauth:// URI to scan as a QR code. */
export const TotpEnrolmentSchema = z.strictObject({
  secret: z.string(),
  otpauthUrl: z.string(),
});
export type TotpEnrolment = z.infer<typeof TotpEnrolmentSchema>;

/**
 * Starting enrolment takes the password again when the session signed in more than 10 minutes ago
 * (ASVS 7.5.1; core's step-up.rules.ts); right after signing in, no body is needed (API.md).
 */
export const StartTotpBody = z
  .strictObject({ password: z.string().min(1, "is required").max(1024).optional() })
  .optional();
export type StartTotpBody = z.infer<typeof StartTotpBody>;

/** `POST /auth/mfa/totp/confirm`: the code the authenticator shows now. */
export const ConfirmTotpBody = z.strictObject({
  code: z
    .string()
    .trim()
    .regex(/^\d{6}$/, "must be the 6-digit code"),
});
export type ConfirmTotpBody = z.infer<typeof ConfirmTotpBody>;

/** 10 single-use recovery codes, shown this once. */
export const RecoveryCodesSchema = z.strictObject({
  recoveryCodes: z.array(z.string()),
});
export type RecoveryCodes = z.infer<typeof RecoveryCodesSchema>;

/** `DELETE /auth/mfa`: the current password again (re-authentication, ASVS 7.5.1). */
export const DisableMfaBody = z.strictObject({
  password: z.string().min(1, "is required").max(1024),
});
export type DisableMfaBody = z.infer<typeof DisableMfaBody>;

/** `GET /auth/mfa`: whether the signed-in user's MFA is on, and how many recovery codes are unused. */
export const MfaStatusSchema = z.strictObject({
  enrolled: z.boolean(),
  recoveryCodesLeft: z.number().int(),
});
export type MfaStatus = z.infer<typeof MfaStatusSchema>;

/** `POST /auth/mfa/recovery-codes`: the password again; 10 new codes replace every earlier one. */
export const NewRecoveryCodesBody = DisableMfaBody;
