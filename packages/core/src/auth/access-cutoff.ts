/**
 * Ending what a user signs in and acts with, in the caller's transaction: every session, every
 * password-reset link not yet used (one sent before a deactivation must not work after the
 * reactivation), every browser remembered to skip the second factor (whatever ended the access,
 * a password set by an administrator or a lost workstation, must not leave a device that skips
 * the code for whoever holds the password), the API tokens the user acts through (an integration
 * user's) and the API tokens the person created. A
 * token must not outlive the account that made it, or a stolen password could mint a lasting way
 * back in that survives the reset (SECURITY.md C-30, E-38). Every token revoked here is audited
 * (`api_token.revoked`, with the cause: "no audit, no change"), and a token's integration user is
 * archived with it, as when the token is revoked by hand: it exists only for its token.
 */
import { appendAudit } from "../audit/audit-writer.ts";
import type { Ctx } from "../shared/context.ts";
import type { Deps } from "../shared/deps.ts";
import type { Trx } from "../shared/tx.ts";
import { createUserStore } from "../users/users.store.ts";
import { createApiTokenStore } from "./api-tokens.store.ts";
import { createCredentialTokenStore } from "./credential-tokens.store.ts";
import { createMfaStore } from "./mfa.store.ts";
import { createSessionStore } from "./sessions.store.ts";

/** What endAccessOf ended, for its caller's audit event (endedChanges). */
export interface AccessEnded {
  readonly sessions: number;
  readonly rememberedDevices: number;
}

/** Ends the user's sessions, links, remembered devices and tokens (see above). */
export async function endAccessOf(
  deps: Deps,
  trx: Trx,
  ctx: Ctx,
  userId: string,
  at: string,
  cause: string,
): Promise<AccessEnded> {
  const sessions = await createSessionStore(trx, ctx.tenantId).deleteAllForUser(userId);
  const rememberedDevices = await createMfaStore(trx, ctx.tenantId).forgetDevices(userId);
  await createCredentialTokenStore(trx, ctx.tenantId).voidOpen(userId, "reset", at);
  for (const token of await createApiTokenStore(trx, ctx.tenantId).liveTokensOf(userId)) {
    await revokeTokenRow(deps, trx, ctx, token, at, cause, userId);
  }
  return { sessions, rememberedDevices };
}

/** The audit's record of what endAccessOf ended: the sessions always, remembered devices when any. */
export function endedChanges(ended: AccessEnded) {
  return {
    sessionsEnded: { after: ended.sessions },
    ...(ended.rememberedDevices > 0 ? { rememberedDevicesRemoved: { after: ended.rememberedDevices } } : {}),
  };
}

/**
 * Revokes one token, audited, and archives its integration user unless that user is the one
 * whose access is being ended (`skipUser`: its own change is its caller's).
 */
export async function revokeTokenRow(
  deps: Deps,
  trx: Trx,
  ctx: Ctx,
  token: { readonly id: string; readonly name: string; readonly user_id: string },
  at: string,
  cause: string | null,
  skipUser?: string,
): Promise<void> {
  await createApiTokenStore(trx, ctx.tenantId).revokeToken(token.id, at);
  await appendAudit(deps, trx, ctx, {
    action: "api_token.revoked",
    target: { type: "api_token", id: token.id, label: token.name },
    changes: {
      revokedAt: { before: null, after: at },
      userId: { before: token.user_id },
      ...(cause ? { cause: { before: null, after: cause } } : {}),
    },
  });
  if (token.user_id === skipUser) return;
  const users = createUserStore(trx, ctx.tenantId);
  const user = await users.findUserRowById(token.user_id);
  if (!user || user.status === "archived") return;
  await users.updateUserRow(user.id, {
    status: "archived",
    archived_from: user.status,
    updated_at: at,
    version: user.version + 1,
  });
  // Also ends anything else the integration user holds (another token, should one exist).
  await endAccessOf(deps, trx, ctx, user.id, at, `integration user ${user.username} archived`);
  await appendAudit(deps, trx, ctx, {
    action: "user.archived",
    target: { type: "user", id: user.id, label: user.username },
    changes: { status: { before: user.status, after: "archived" } },
  });
}
