/**
 * Turning a person into a virtual user, or back (PATCH `virtual`; Provet's edit form carries the
 * flag). A virtual user has no credentials and never signs in (PRODUCT.md §2), so:
 *  - made virtual: its password, must-change flag, lock, two-factor enrolment, remembered devices,
 *    open invitation and reset links, sessions and the API tokens it made all go; an invited user
 *    becomes active (as a virtual user is created);
 *  - made a person again: only while active, and it is invited (72-hour link) to choose a password,
 *    as a person created without one is. An API token's integration user stays virtual (the token
 *    acts as it: revoke the token instead).
 * Nobody switches their own account (they would end their own credentials mid-request).
 */

import { endAccessOf, endedChanges } from "../auth/access-cutoff.ts";
import { createApiTokenStore } from "../auth/api-tokens.store.ts";
import { type Caller, isOwnAccount } from "../auth/caller.ts";
import { queueInvitation } from "../auth/credential-links.ts";
import { createCredentialTokenStore } from "../auth/credential-tokens.store.ts";
import { createMfaStore } from "../auth/mfa.store.ts";
import type { UsersTable } from "../db/schema.ts";
import type { Ctx } from "../shared/context.ts";
import type { Deps } from "../shared/deps.ts";
import { AppError } from "../shared/errors.ts";
import type { Trx } from "../shared/tx.ts";
import { createTenantStore } from "../tenants/tenants.store.ts";

const refuse = (detail: string, message: string) =>
  new AppError("USER_STATE_INVALID", detail, { errors: [{ path: "virtual", message }] });

/** The row's columns after the switch; throws when the switch is not allowed. */
export async function virtualSwitch(
  trx: Trx,
  ctx: Ctx,
  caller: Caller,
  row: UsersTable,
  toVirtual: boolean,
): Promise<Partial<UsersTable>> {
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
  user: UsersTable,
  at: string,
): Promise<Record<string, { after: number }>> {
  if (user.virtual === 1) {
    const cleared = await createMfaStore(trx, ctx.tenantId).clearAll(user.id);
    await createCredentialTokenStore(trx, ctx.tenantId).voidOpen(user.id, "invitation", at);
    const ended = await endAccessOf(deps, trx, ctx, user.id, at, "the user was made virtual");
    return {
      ...endedChanges(ended),
      ...(cleared.codes > 0 ? { recoveryCodesRemoved: { after: cleared.codes } } : {}),
    };
  }
  const tenant = await createTenantStore(trx).findTenantById(ctx.tenantId);
  if (!tenant) throw new AppError("TENANT_NOT_FOUND");
  await queueInvitation(deps, trx, tenant, user);
  return {};
}
