/**
 * The texts of the credential emails. Links are built from `deps.publicUrl` (configuration), never
 * from a request. Notifications carry no secret; only the link emails carry a one-time token.
 */
import type { UsersTable } from "../db/schema.ts";
import { mailTime } from "../mail/mail-time.ts";
import type { OutboxMessage } from "../mail/outbox.store.ts";

type Person = Pick<UsersTable, "email" | "username" | "first_name">;
type Practice = { readonly name: string; readonly slug: string };
/** Notices say when something happened, in the practice's time zone. */
type PracticeInZone = Practice & { readonly time_zone: string };

export const RESET_LINK_MINUTES = 60;
export const INVITATION_HOURS = 72;

const greeting = (user: Person) => `Hello ${user.first_name || user.username},`;
const signature = "\n\n— Staffgate";

/**
 * Why a reset link is sent, which its email says: the person asked (forgot-password), an
 * administrator sent it, or an administrator voided the password as compromised (the email audit,
 * 2026-12-07: that one said "if you did not ask for this, ignore this email: your password stays as
 * it is" to someone whose password had just stopped working).
 */
export type ResetLinkCause = "asked" | "administrator" | "compromised";

const RESET_OPENING: Record<ResetLinkCause, (account: string) => string> = {
  asked: (account) => `A password reset was requested for your account ${account}.`,
  administrator: (account) =>
    `An administrator sent you a link to choose a new password for your account ${account}.`,
  compromised: (account) =>
    `An administrator marked the password of your account ${account} as compromised: it no longer ` +
    "works, and every session of the account was signed out.",
};

const RESET_CLOSING: Record<ResetLinkCause, string> = {
  asked: "If you did not ask for this, ignore this email: your password stays as it is.",
  administrator: "If you did not expect this, ask your administrator.",
  compromised: "If you did not expect this, ask your administrator.",
};

export function resetLinkEmail(
  publicUrl: string,
  token: string,
  /** When the link stops working: said as a moment, as a delayed email's reader needs (the time review). */
  expiresAt: string,
  user: Person,
  tenant: PracticeInZone,
  cause: ResetLinkCause = "asked",
): OutboxMessage {
  const account = `"${user.username}" at ${tenant.name} (practice "${tenant.slug}")`;
  return {
    to: user.email,
    kind: "auth.password.reset_link",
    subject: `Reset your password for ${tenant.name}`,
    body:
      `${greeting(user)}\n\n${RESET_OPENING[cause](account)} To choose a new password, open this link within ` +
      `${RESET_LINK_MINUTES} minutes (until ${mailTime(expiresAt, tenant.time_zone)}):\n\n` +
      `${publicUrl}/reset-password#token=${token}\n\n` +
      `The link works once; a newer one replaces it. ${RESET_CLOSING[cause]}${signature}`,
  };
}

export function invitationEmail(
  publicUrl: string,
  token: string,
  /** When the link stops working (see resetLinkEmail). */
  expiresAt: string,
  user: Person,
  tenant: PracticeInZone,
): OutboxMessage {
  return {
    to: user.email,
    kind: "user.invitation",
    subject: `You are invited to ${tenant.name}`,
    body:
      `${greeting(user)}\n\nAn account "${user.username}" was created for you at ${tenant.name} (practice "${tenant.slug}").` +
      ` To choose your password and start, open this link within ${INVITATION_HOURS} hours` +
      ` (until ${mailTime(expiresAt, tenant.time_zone)}):\n\n` +
      `${publicUrl}/accept-invitation#token=${token}\n\n` +
      `The link works once. If it has expired, ask for a new one with "Forgot Password" on the sign-in page` +
      ` (practice "${tenant.slug}", this email address), or ask your administrator.${signature}`,
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
  tenant: PracticeInZone,
): OutboxMessage {
  return {
    to: user.email,
    kind: `auth.password.${what}`,
    subject: `Your password for ${tenant.name} was changed`,
    body:
      `${greeting(user)}\n\n${NOTICE[what]}\n\nAccount: ${user.username} at ${tenant.name}\nWhen: ${mailTime(at, tenant.time_zone)}\n\n` +
      `If this was not you, contact your practice's administrator at once.${signature}`,
  };
}

/**
 * "Your account's email address changed" (SECURITY.md A-16), to both addresses: the old one, so
 * that the owner learns of a change that would send the next reset link elsewhere, and the new one.
 */
export function emailChangedEmails(
  at: string,
  user: Person,
  previousEmail: string,
  tenant: PracticeInZone,
): OutboxMessage[] {
  const what = `The email address of your account "${user.username}" at ${tenant.name} (practice "${tenant.slug}") was changed from ${previousEmail} to ${user.email}.`;
  const subject = `The email address of your ${tenant.name} account was changed`;
  const when = mailTime(at, tenant.time_zone);
  return [
    {
      to: previousEmail,
      kind: "user.email_changed",
      subject,
      body:
        `${greeting(user)}\n\n${what} Emails about the account, such as password reset links, now go to the new address.\n\n` +
        `When: ${when}\n\nIf this was not expected, contact your practice's administrator at once.${signature}`,
    },
    {
      to: user.email,
      kind: "user.email_changed",
      subject,
      body: `${greeting(user)}\n\n${what}\n\nWhen: ${when}\n\nIf this was not expected, contact your practice's administrator.${signature}`,
    },
  ];
}

/**
 * "Your account was locked" (SECURITY.md A-16, ASVS 6.3.5: suspicious attempts): when, until when,
 * and the way back that needs no administrator: a reset link, asked for on the forgot-password
 * page (the lock is no reason to send one unasked: whoever typed the passwords did not ask).
 */
export function lockedEmail(
  publicUrl: string,
  at: string,
  failedAttempts: number,
  lockedUntil: string | null,
  user: Person,
  tenant: PracticeInZone,
): OutboxMessage {
  const until =
    lockedUntil === null
      ? "until an administrator unlocks it"
      : `until ${mailTime(lockedUntil, tenant.time_zone)}`;
  return {
    to: user.email,
    kind: "auth.locked",
    subject: `Your ${tenant.name} account was locked`,
    body:
      `${greeting(user)}\n\nYour account "${user.username}" at ${tenant.name} (practice "${tenant.slug}") was locked at ${mailTime(at, tenant.time_zone)} ` +
      `after ${failedAttempts} failed sign-in attempts in a row. It stays locked ${until}.\n\n` +
      // Waiting helps only a lock with an end: a lock "until an administrator unlocks it" does not pass.
      `If this was you, ${lockedUntil === null ? "ask an administrator to unlock it, or" : "wait or"} reset your password: ${publicUrl}/forgot-password (a reset also unlocks the account).\n` +
      `If it was not you, someone may be guessing your password: reset it and tell your practice's administrator.${signature}`,
  };
}
