/** How an outbox message reads in the console: its kind and its delivery state in words. */

import { formatDateTime } from "../../dates.ts";
import type { OutboxMessage } from "./filters.ts";

const KIND_LABEL: Readonly<Record<string, string>> = {
  "user.invitation": "Invitation",
  "auth.password.reset_link": "Password reset link",
  "auth.locked": "Account locked",
  "user.email_changed": "Email address changed",
  "emergency_access.opened": "Emergency access opened",
  // The three notices of a new password (changed by the user, reset by link, set by an administrator).
  "auth.password.changed": "Password changed",
  "auth.password.reset": "Password changed",
  "auth.password.set_by_administrator": "Password changed",
  // The notices of two-factor sign-in (auth/mfa-emails.ts).
  "auth.mfa.enrolled": "Two-factor sign-in turned on",
  "auth.mfa.disabled": "Two-factor sign-in turned off",
  "auth.mfa.reset_by_administrator": "Two-factor sign-in reset",
  "auth.mfa.recovery_codes_renewed": "New recovery codes",
  "auth.mfa.made_virtual": "Made a virtual user",
};

/** The kind in words where it is plain what it is, else as the server names it. */
export function kindLabel(kind: string): string {
  return KIND_LABEL[kind] ?? kind;
}

export function localTime(iso: string): string {
  return formatDateTime(iso, { seconds: true });
}

/**
 * "Sent … via smtp", "Waiting to be sent", "Failing: 3 attempts — <the mail server's words>", or
 * "Not sent: gave up after 8 attempts — …".
 */
export function stateLabel(m: OutboxMessage): string {
  if (m.state === "sent") {
    const when = m.sentAt ? ` ${localTime(m.sentAt)}` : "";
    return `Sent${when}${m.sentVia ? ` via ${m.sentVia}` : ""}`;
  }
  if (m.state === "pending") return "Waiting to be sent";
  const attempts = `${m.attempts} ${m.attempts === 1 ? "attempt" : "attempts"}`;
  const why = m.lastError ? ` — ${m.lastError}` : "";
  if (m.state === "given_up") return `Not sent: gave up after ${attempts}${why}`;
  return `Failing: ${attempts}${why}`;
}
