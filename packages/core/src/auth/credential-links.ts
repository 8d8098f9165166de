/**
 * Issuing a one-time link (reset or invitation) inside the caller's transaction: the user's older
 * open links of that kind are voided, the new token is stored hashed, and the email is queued in
 * the outbox, so a rolled-back change sends nothing. Its own module: user lifecycle and creation
 * issue invitations too, and the credentials service depends on them.
 */
import { randomBytes } from "node:crypto";
import type { TenantsTable, UsersTable } from "../db/schema.ts";
import { enqueue } from "../mail/outbox.store.ts";
import type { Deps } from "../shared/deps.ts";
import { hashSecret, newSecret } from "../shared/ids.ts";
import type { Executor, Trx } from "../shared/tx.ts";
import {
  INVITATION_HOURS,
  invitationEmail,
  RESET_LINK_MINUTES,
  type ResetLinkCause,
  resetLinkEmail,
} from "./credential-emails.ts";
import { type CredentialTokenKind, createCredentialTokenStore } from "./credential-tokens.store.ts";

const MINUTE_MS = 60_000;
export const RESET_LINK_TTL_MS = RESET_LINK_MINUTES * MINUTE_MS;
export const INVITATION_TTL_MS = INVITATION_HOURS * 60 * MINUTE_MS;

/**
 * Issues a one-time link of `kind` for `user` inside the caller's transaction: voids the user's
 * open links of that kind, stores the new token's hash, and queues the email (the only place the
 * token ever exists). Used by users.service on creation (invitations) and by this service.
 */
export async function issueCredentialLink(
  deps: Deps,
  trx: Executor,
  tenant: Pick<TenantsTable, "id" | "name" | "slug" | "time_zone">,
  user: Pick<UsersTable, "id" | "email" | "username" | "first_name">,
  kind: CredentialTokenKind,
  options: {
    /** Why a reset link is sent (its email says so); the person asked, unless said otherwise. */
    readonly cause?: ResetLinkCause;
    /** Wait for the email's printing only until then (outbox.store.ts `printBy`). */
    readonly printBy?: number;
  } = {},
): Promise<void> {
  const now = deps.clock.now();
  const at = now.toISOString();
  const tokens = createCredentialTokenStore(trx, tenant.id);
  await tokens.voidOpen(user.id, kind, at);
  const token = newSecret(kind === "reset" ? "sgr" : "sgi");
  const expiresAt = new Date(
    now.getTime() + (kind === "reset" ? RESET_LINK_TTL_MS : INVITATION_TTL_MS),
  ).toISOString();
  await tokens.insert({
    id: `ctk_${randomBytes(16).toString("base64url")}`,
    user_id: user.id,
    kind,
    token_hash: hashSecret(token),
    created_at: at,
    expires_at: expiresAt,
  });
  const message =
    kind === "reset"
      ? resetLinkEmail(deps.publicUrl, token, expiresAt, user, tenant, options.cause)
      : invitationEmail(deps.publicUrl, token, expiresAt, user, tenant);
  await enqueue(
    deps,
    trx,
    tenant.id,
    message,
    options.printBy === undefined ? {} : { printBy: options.printBy },
  );
}

/** The invitation of a user created without a password, in the creating transaction. */
export function queueInvitation(
  deps: Deps,
  trx: Trx,
  tenant: Pick<TenantsTable, "id" | "name" | "slug" | "time_zone">,
  user: Pick<UsersTable, "id" | "email" | "username" | "first_name">,
): Promise<void> {
  return issueCredentialLink(deps, trx, tenant, user, "invitation");
}
