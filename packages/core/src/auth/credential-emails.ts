/**
 * The texts of the credential emails. Links are built from `deps.publicUrl` (configuration), never
 * from a request. Notifications carry no secret; only the link emails carry a one-time token.
 */
import type { UsersTable } from "../db/schema.ts";
import type { OutboxMessage } from "../mail/outbox.store.ts";

type Person = Pick<UsersTable, "email" | "username" | "first_name">;
type Practice = { readonly name: string; readonly slug: string };

export const RESET_LINK_MINUTES = 60;
export const INVITATION_HOURS = 72;

const greeting = (user: Person) => `Hello ${user.first_name || user.username},`;
const signature = "\n\n— Staffgate";

export function resetLinkEmail(
  publicUrl: string,
  token: string,
  user: Person,
  tenant: Practice,
): OutboxMessage {
  return {
    to: user.email,
    kind: "auth.password.reset_link",
    subject: `Reset your password for ${tenant.name}`,
    body:
      `${greeting(user)}\n\nA password reset was requested for your account "${user.username}" at ${tenant.name}` +
      ` (practice "${tenant.slug}"). To choose a new password, open this link within ${RESET_LINK_MINUTES} minutes:\n\n` +
      `${publicUrl}/reset-password#token=${token}\n\n` +
      "The link works once; a newer request replaces it. If you did not ask for this, ignore this email: " +
      `your password stays as it is.${signature}`,
  };
}

export function invitationEmail(
  publicUrl: string,
  token: string,
  user: Person,
  tenant: Practice,
): OutboxMessage {
  return {
    to: user.email,
    kind: "user.invitation",
    subject: `You are invited to ${tenant.name}`,
    body:
      `${greeting(user)}\n\nAn account "${user.username}" was created for you at ${tenant.name} (practice "${tenant.slug}").` +
      ` To choose your password and start, open this link within ${INVITATION_HOURS} hours:\n\n` +
      `${publicUrl}/accept-invitation#token=${token}\n\n` +
      `The link works once. If it has expired, ask your administrator to send a new invitation.${signature}`,
  };
}

export type PasswordNotice = "changed" | "reset" | "set_by_administrator";

const NOTICE: Record<PasswordNotice, string> = {
  changed: "The password of your account was changed, and your other sessions were signed out.",
  reset: "The password of your account was reset with an email link; every session was signed out.",
  set_by_administrator: "An administrator set a new password for your account; every session was signed out.",
};

/** "Your password changed" (SECURITY.md A-16): says what and when, never the password. */
export function passwordNoticeEmail(
  what: PasswordNotice,
  at: string,
  user: Person,
  tenant: Practice,
): OutboxMessage {
  return {
    to: user.email,
    kind: `auth.password.${what}`,
    subject: `Your password for ${tenant.name} was changed`,
    body:
      `${greeting(user)}\n\n${NOTICE[what]}\n\nAccount: ${user.username} at ${tenant.name}\nWhen: ${at} (UTC)\n\n` +
      `If this was not you, contact your practice's administrator at once.${signature}`,
  };
}
