/**
 * Turning a person into a virtual user, or back (PATCH `virtual`; Provet's edit form carries the
 * flag). A virtual user has no credentials and never signs in (PRODUCT.md §2), so:
 *  - made virtual: its password, must-change flag, lock, two-factor enrolment, remembered devices,
 *    open invitation and reset links, sessions and the API tokens it made all go; an invited user
 *    becomes active (as a virtual user is created);
 *  - made a person again: only while active, and it is invited (72-hour link) to choose a password,
 *    as a person created without one is. An API token's integration user stays virtual (the token
 *    acts as it: revoke the token instead).
 * Nobody switches their own account (they would end their own credentials mid-request). Either
 * way is a credential action (it removes a password and a second factor, or sends a link to set
 * one), so it needs `users.credentials` besides the edit's `users.manage`: without it an editor
 * could reset someone's MFA and send their invitation to an address of the editor's choosing (the
 * review of this change). For the same reason the edit that makes a person of a virtual user
 * cannot also change its email, and the person is told when their credentials are removed.
 */

import { endAccessOf, endedChanges } from "../auth/access-cutoff.ts";
import { createApiTokenStore } from "../auth/api-tokens.store.ts";
import { type Caller, isOwnAccount } from "../auth/caller.ts";
import { queueInvitation } from "../auth/credential-links.ts";
import { createCredentialTokenStore } from "../auth/credential-tokens.store.ts";
import { createMfaStore } from "../auth/mfa.store.ts";
import { notifyMfaChange } from "../auth/mfa-emails.ts";
import type { UsersTable } from "../db/schema.ts";
import type { Ctx } from "../shared/context.ts";
import type { Deps } from "../shared/deps.ts";
import { AppError } from "../shared/errors.ts";
import type { Trx } from "../shared/tx.ts";
import { createTenantStore } from "../tenants/tenants.store.ts";
import { expiredRefusal, hasExpired } from "./user-lifecycle.rules.ts";

const refuse = (detail: string, message: string) =>
  new AppError("USER_STATE_INVALID", detail, { errors: [{ path: "virtual", message }] });

/** The row's columns after the switch; throws when the switch is not allowed. */
export async function virtualSwitch(
  trx: Trx,
  ctx: Ctx,
  caller: Caller,
  row: UsersTable,
  toVirtual: boolean,
  /** Whether the same edit changes the email address. */
  emailChanges: boolean,
  now: string,
): Promise<Partial<UsersTable>> {
  if (!caller.permissions.has("users.credentials")) {
    throw new AppError(
      "FORBIDDEN",
      "Switching whether a user is virtual removes or creates their credentials: it needs users.credentials",
      { errors: [{ path: "virtual", message: "needs users.credentials" }] },
    );
  }
  if (isOwnAccount(caller, row.id)) {
    throw new AppError(
      "SELF_ACTION_FORBIDDEN",
      "Ask another administrator to change whether you are virtual",
      {
        errors: [{ path: "virtual", message: "is your own account's" }],
      },
    );
  }
  if (toVirtual) {
    return {
      virtual: 1,
      status: row.status === "invited" ? "active" : row.status,
      password_hash: null,
      password_alone: null,
      must_change_password: 0,
      mfa_enrolled: 0,
      locked: 0,
      locked_until: null,
      failed_attempts: 0,
    };
  }
  const tokens = await createApiTokenStore(trx, ctx.tenantId).liveTokensOf(row.id);
  const actsAs = tokens.find((t) => t.user_id === row.id);
  if (actsAs) {
    throw refuse(
      `The user is the integration user of the API token “${actsAs.name}”; revoke the token instead`,
      "is an API token's integration user",
    );
  }
  if (emailChanges) {
    throw refuse(
      "Make the user a person and change its email address in two edits: the invitation goes to the address it has",
      "cannot change in the same edit as the email address",
    );
  }
  if (hasExpired(row.expires_at, now)) {
    const refusal = expiredRefusal(row.expires_at!);
    throw new AppError(refusal.code, refusal.detail);
  }
  if (row.status !== "active") {
    throw refuse(
      `The user is ${row.status}; reactivate it before making it a person who signs in`,
      `cannot be turned off while the user is ${row.status}`,
    );
  }
  return { virtual: 0, status: "invited", must_change_password: 0 };
}

/**
 * What the switch ends or sends, after the row is written, in the same transaction; what it ended,
 * for the audit event.
 */
export async function afterVirtualSwitch(
  deps: Deps,
  trx: Trx,
  ctx: Ctx,
  before: UsersTable,
  user: UsersTable,
  at: string,
): Promise<Record<string, { before?: unknown; after: unknown }>> {
  if (user.virtual === 1) {
    const cleared = await createMfaStore(trx, ctx.tenantId).clearAll(user.id);
    await createCredentialTokenStore(trx, ctx.tenantId).voidOpen(user.id, "invitation", at);
    const ended = await endAccessOf(deps, trx, ctx, user.id, at, "the user was made virtual");
    // Told at the address they have: their password and second factor are gone (SECURITY.md 16).
    if (before.mfa_enrolled === 1 || before.password_hash !== null) {
      await notifyMfaChange(deps, trx, ctx.tenantId, "made_virtual", at, before);
    }
    // Everything the switch removed, as an administrator's MFA reset records it.
    return {
      ...(before.password_hash !== null ? { passwordRemoved: { after: true } } : {}),
      ...(before.mfa_enrolled === 1 ? { mfaEnrolled: { before: true, after: false } } : {}),
      ...(before.locked === 1 ? { locked: { before: true, after: false } } : {}),
      ...(cleared.codes > 0 ? { recoveryCodesRemoved: { after: cleared.codes } } : {}),
      ...endedChanges({ ...ended, rememberedDevices: ended.rememberedDevices + cleared.devices }),
    };
  }
  const tenant = await createTenantStore(trx).findTenantById(ctx.tenantId);
  if (!tenant) throw new AppError("TENANT_NOT_FOUND");
  await queueInvitation(deps, trx, tenant, user);
  return {};
}
