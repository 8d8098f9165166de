/**
 * "Your two-factor sign-in changed" (ASVS 6.3.7 / SECURITY.md A-16: users are told of changes to
 * their authentication details): what changed and when, in the practice's time zone, never a
 * secret or a code. Queued in the change's own transaction, so a rolled-back change tells no one.
 */
import type { UsersTable } from "../db/schema.ts";
import { mailTime } from "../mail/mail-time.ts";
import { enqueue, type OutboxMessage } from "../mail/outbox.store.ts";
import type { Deps } from "../shared/deps.ts";
import type { Executor } from "../shared/tx.ts";
import { createTenantStore } from "../tenants/tenants.store.ts";

export type MfaNotice =
  | "enrolled"
  | "disabled"
  | "reset_by_administrator"
  | "recovery_codes_renewed"
  | "made_virtual";

const WHAT: Record<MfaNotice, { readonly subject: string; readonly text: string }> = {
  enrolled: {
    subject: "Two-factor sign-in was turned on",
    text: "Two-factor sign-in was turned on for your account: signing in now also asks for a code from your authenticator app.",
  },
  disabled: {
    subject: "Two-factor sign-in was turned off",
    text: "Two-factor sign-in was turned off for your account: signing in now asks for your password alone.",
  },
  reset_by_administrator: {
    subject: "Your two-factor sign-in was reset",
    text:
      "An administrator reset the two-factor sign-in of your account: your authenticator app, recovery codes and remembered " +
      "browsers no longer work, and every session was signed out.",
  },
  recovery_codes_renewed: {
    subject: "New recovery codes were made",
    text: "New recovery codes were made for your account; the earlier ones no longer work.",
  },
  made_virtual: {
    subject: "Your account can no longer sign in",
    text:
      "An administrator made your account a virtual user: it is still listed and can be scheduled, but its password and " +
      "two-factor sign-in were removed, every session was signed out, and it cannot sign in.",
  },
};

type Person = Pick<UsersTable, "email" | "username" | "first_name" | "virtual">;

export function mfaNoticeEmail(
  what: MfaNotice,
  at: string,
  user: Person,
  tenant: { readonly name: string; readonly time_zone: string },
): OutboxMessage {
  const { subject, text } = WHAT[what];
  return {
    to: user.email,
    kind: `auth.mfa.${what}`,
    subject: `${subject} (${tenant.name})`,
    body:
      `Hello ${user.first_name || user.username},\n\n${text}\n\nAccount: ${user.username} at ${tenant.name}\n` +
      `When: ${mailTime(at, tenant.time_zone)}\n\nIf this was not you, contact your practice's administrator at once.\n\n— Staffgate`,
  };
}

/** Queues the notice to `user` of `tenantId` (an integration user has no mailbox: nothing). */
export async function notifyMfaChange(
  deps: Pick<Deps, "clock" | "mailQueued">,
  trx: Executor,
  tenantId: string,
  what: MfaNotice,
  at: string,
  user: Person,
): Promise<void> {
  if (user.virtual === 1) return;
  const tenant = await createTenantStore(trx).findTenantById(tenantId);
  if (tenant) await enqueue(deps, trx, tenantId, mfaNoticeEmail(what, at, user, tenant));
}
