/**
 * Password flows (issue 4 items 4–7; API.md "auth" rows and `POST /users/{id}/password`):
 * change one's own password, forgot / reset, accept an invitation, administrator actions.
 * Passwords are checked against the policy by the server (the reason names the field); the schema
 * only bounds their size, the hard cap of 1024 code points being the policy's.
 */
import { z } from "zod";
import { Email } from "./users.ts";

/** Generous in UTF-16 units: 1024 code points of 4-byte characters; the policy counts code points. */
const Password = z.string().min(1).max(4096, "must be at most 1024 characters");
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
  /** Validated like a user's address (400 naming `email`): no CR/LF can reach a mail header. */
  email: Email,
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
    "If an account with this email exists in this practice, a link to reset its password has been sent. The link works once, for 60 minutes (someone invited who has not set a password yet is sent a new invitation instead).",
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

/** What `POST /users/{id}/password` does: exactly one of these. */
export type AdminPasswordInput =
  | { password: string; mustChangePassword?: boolean | undefined }
  | { random: true; mustChangePassword?: boolean | undefined }
  | { sendResetLink: true }
  | { compromised: true };

const ADMIN_PASSWORD_CHOICES = ["password", "random", "sendResetLink", "compromised"] as const;

/**
 * `POST /users/{id}/password`: exactly one of `password` (typed by the administrator; refused
 * when the tenant forbids it), `random: true` (generated, shown once) or `sendResetLink: true`.
 * `mustChangePassword` (default true) applies to the first two. `compromised: true` (NIST
 * 800-63B: a change is forced on evidence of compromise) voids the current password at once, ends
 * the user's sessions and emails a reset link: whoever holds the old password can no longer use
 * it, even to choose the next one. One flat object (not a union), so a refusal names the field at
 * fault rather than the whole body.
 */
export const AdminPasswordBody = z
  .strictObject({
    password: Password.optional(),
    random: z.literal(true, "must be true when given").optional(),
    sendResetLink: z.literal(true, "must be true when given").optional(),
    compromised: z.literal(true, "must be true when given").optional(),
    mustChangePassword: z.boolean().optional(),
  })
  .superRefine((body, ctx) => {
    const chosen = ADMIN_PASSWORD_CHOICES.filter((k) => body[k] !== undefined);
    if (chosen.length === 0) {
      ctx.addIssue({
        code: "custom",
        path: ["password"],
        message: "is required, unless random: true, sendResetLink: true or compromised: true is given",
      });
    }
    for (const extra of chosen.slice(1)) {
      ctx.addIssue({ code: "custom", path: [extra], message: `cannot be combined with ${chosen[0]}` });
    }
    if ((body.sendResetLink || body.compromised) && body.mustChangePassword !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["mustChangePassword"],
        message: "does not apply to a reset link (the user chooses the password)",
      });
    }
  })
  .transform((body): AdminPasswordInput => {
    if (body.sendResetLink) return { sendResetLink: true };
    if (body.compromised) return { compromised: true };
    const must = body.mustChangePassword === undefined ? {} : { mustChangePassword: body.mustChangePassword };
    return body.random ? { random: true, ...must } : { password: body.password!, ...must };
  });
export type AdminPasswordBody = z.output<typeof AdminPasswordBody>;

/**
 * The 200 body for `random: true`: the only time that password is ever shown (it is not stored in
 * clear, nor audited, nor emailed). A typed password answers 204, a reset link 202 with no body.
 */
export const AdminPasswordResponse = z.strictObject({ password: z.string() });
export type AdminPasswordResponse = z.infer<typeof AdminPasswordResponse>;
