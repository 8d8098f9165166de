/**
 * Password flows (issue 4 items 4–7; API.md "auth" rows and `POST /users/{id}/password`):
 * change one's own password, forgot / reset, accept an invitation, administrator actions.
 * Passwords are checked against the policy by the server (the reason names the field); the schema
 * only bounds their size, the hard cap of 1024 code points being the policy's.
 */
import { z } from "zod";

/** Generous in UTF-16 units: 1024 code points of 4-byte characters; the policy counts code points. */
const Password = z.string().min(1).max(4096);
/** One-time link tokens are `sgr_…` / `sgi_…` (256 bits, base64url); anything far longer is junk. */
const Token = z.string().min(1).max(512);

export const ChangePasswordBody = z.strictObject({
  currentPassword: Password,
  newPassword: Password,
});
export type ChangePasswordBody = z.infer<typeof ChangePasswordBody>;

export const ForgotPasswordBody = z.strictObject({
  /** The tenant's slug. */
  tenant: z.string().min(1).max(200),
  email: z.string().min(1).max(320),
});
export type ForgotPasswordBody = z.infer<typeof ForgotPasswordBody>;

/** The one answer of forgot-password, whatever happened (SECURITY.md A-15, C-28). */
export const ForgotPasswordResponse = z.strictObject({
  status: z.literal("accepted"),
  message: z.string(),
});
export type ForgotPasswordResponse = z.infer<typeof ForgotPasswordResponse>;

export const FORGOT_PASSWORD_ANSWER: ForgotPasswordResponse = {
  status: "accepted",
  message:
    "If an account with this email exists in this practice, a link to reset its password has been sent. The link works once, for 60 minutes.",
};

export const ResetPasswordBody = z.strictObject({
  token: Token,
  newPassword: Password,
});
export type ResetPasswordBody = z.infer<typeof ResetPasswordBody>;

export const AcceptInvitationBody = z.strictObject({
  token: Token,
  password: Password,
});
export type AcceptInvitationBody = z.infer<typeof AcceptInvitationBody>;

/**
 * `POST /users/{id}/password`: exactly one of `password` (typed by the administrator; refused
 * when the tenant forbids it), `random: true` (generated, shown once) or `sendResetLink: true`.
 * `mustChangePassword` (default true) applies to the first two.
 */
export const AdminPasswordBody = z.union([
  z.strictObject({ password: Password, mustChangePassword: z.boolean().optional() }),
  z.strictObject({ random: z.literal(true), mustChangePassword: z.boolean().optional() }),
  z.strictObject({ sendResetLink: z.literal(true) }),
]);
export type AdminPasswordBody = z.infer<typeof AdminPasswordBody>;

/**
 * The 200 body for `random: true`: the only time that password is ever shown (it is not stored in
 * clear, nor audited, nor emailed). A typed password answers 204, a reset link 202 with no body.
 */
export const AdminPasswordResponse = z.strictObject({ password: z.string() });
export type AdminPasswordResponse = z.infer<typeof AdminPasswordResponse>;
