/**
 * What the password flows share (credentials.service.ts): the policy and history check of a new
 * password, the write of its hash, the notice email, and the lookup of a one-time link.
 */
import type { Changes } from "../audit/audit-writer.ts";
import type { TenantsTable, UsersTable } from "../db/schema.ts";
import { enqueue } from "../mail/outbox.store.ts";
import type { Deps } from "../shared/deps.ts";
import { AppError } from "../shared/errors.ts";
import { failpoint } from "../shared/failpoint.ts";
import { hashSecret } from "../shared/ids.ts";
import type { Trx } from "../shared/tx.ts";
import { readSettings, type TenantSettings } from "../tenants/settings.rules.ts";
import { createTenantStore } from "../tenants/tenants.store.ts";
import { createUserStore } from "../users/users.store.ts";
import { refuseBreached } from "./breached-passwords.ts";
import { type PasswordNotice, passwordNoticeEmail } from "./credential-emails.ts";
import {
  type CredentialTokenKind,
  createCompromisedPasswordStore,
  createCredentialTokenStore,
  createPasswordHistoryStore,
  findCredentialToken,
} from "./credential-tokens.store.ts";
import { passwordContextOf, personOf } from "./password-context.ts";
import {
  COMPROMISED,
  checkPassword,
  isInHistory,
  longEnoughAlone,
  passwordInvalid,
  passwordPolicyFor,
  REUSED,
  SAME_AS_CURRENT,
} from "./password-policy.rules.ts";

/**
 * A bad, used, voided or expired link: the same answer for each (which one is nobody's business);
 * the log tells a used one apart (`authn_token_reuse`, SECURITY.md I-63).
 */
export function invalidToken(used = false): AppError {
  const message = "is not a valid link: it may have expired, been used, or been replaced by a newer one";
  return new AppError("INVALID_TOKEN", undefined, {
    errors: [{ path: "token", message }],
    ...(used ? { logAs: "authn_token_reuse" } : {}),
  });
}

/** Who may receive a reset link: an active (locked or not), unexpired, non-virtual account. */
export function canResetPassword(user: UsersTable, at: string): boolean {
  return user.virtual === 0 && user.status === "active" && (user.expires_at === null || user.expires_at > at);
}

export function canAcceptInvitation(user: UsersTable, at: string): boolean {
  return (
    user.virtual === 0 && user.status === "invited" && (user.expires_at === null || user.expires_at > at)
  );
}

export function createPasswordWrites(deps: Deps) {
  const db = deps.db.kysely;
  const nowIso = () => deps.clock.now().toISOString();

  /**
   * The policy, then the history, for a new password of `user` (path names the field). With
   * history N > 0 the new password must differ from the current one and the N before it; a user
   * forced to change (`must_change_password`) must pick one that differs from the current one.
   */
  async function checkNewPassword(
    path: string,
    password: string,
    user: UsersTable,
    tenant: TenantsTable,
    settings: TenantSettings,
  ): Promise<void> {
    const rejection = checkPassword(password, {
      policy: passwordPolicyFor(settings, { mfa: user.mfa_enrolled === 1 }),
      context: await passwordContextOf(db, tenant, personOf(user)),
    });
    if (rejection) throw passwordInvalid(path, rejection);
    await refuseBreached(deps.breachedPasswords, path, password);
    const previous = await createPasswordHistoryStore(db, tenant.id).recent(
      user.id,
      settings.passwordHistory,
    );
    const compareCurrent =
      user.password_hash !== null && (settings.passwordHistory > 0 || user.must_change_password === 1);
    if (compareCurrent && (await isInHistory(deps.hasher, password, [user.password_hash!])))
      throw passwordInvalid(path, SAME_AS_CURRENT);
    if (await isInHistory(deps.hasher, password, previous)) throw passwordInvalid(path, REUSED);
    const compromised = await createCompromisedPasswordStore(db, tenant.id).hashesOf(user.id);
    if (await isInHistory(deps.hasher, password, compromised)) throw passwordInvalid(path, COMPROMISED);
  }

  /**
   * Writes a new password's hash (`chosen.password` is only measured) inside `trx`: remembers the old one when the tenant keeps a
   * history, voids open reset links (they were for the old password), bumps the version, and ends
   * any lock (`lockEnded` says so in the audit): the guessing a lock stops was aimed at the
   * password now gone, and whoever set the new one (the person with a link or their current
   * password, or an administrator) means the account to be usable with it (DOMAIN.md W8).
   */
  async function storePassword(
    trx: Trx,
    tenantId: string,
    user: UsersTable,
    chosen: { readonly hash: string; readonly password: string },
    settings: TenantSettings,
    at: string,
    extra: Partial<Pick<UsersTable, "must_change_password" | "status">>,
    expectHash?: string | null,
  ): Promise<boolean> {
    let q = trx
      .updateTable("users")
      .set({
        password_hash: chosen.hash,
        // Whether it may one day be the only factor (an administrator's MFA reset, mfa.service.ts).
        password_alone: longEnoughAlone(chosen.password, settings) ? 1 : 0,
        updated_at: at,
        version: user.version + 1,
        locked: 0,
        locked_until: null,
        failed_attempts: 0,
        ...extra,
      })
      .where("tenant_id", "=", tenantId)
      .where("id", "=", user.id);
    if (expectHash !== undefined) {
      q =
        expectHash === null
          ? q.where("password_hash", "is", null)
          : q.where("password_hash", "=", expectHash);
    }
    const updated = await q.executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) return false;
    failpoint("after_hash_write");
    const history = createPasswordHistoryStore(trx, tenantId);
    if (user.password_hash !== null)
      await history.push(user.id, user.password_hash, at, settings.passwordHistory);
    await createCredentialTokenStore(trx, tenantId).voidOpen(user.id, "reset", at);
    return true;
  }

  async function notify(
    trx: Trx,
    what: PasswordNotice,
    at: string,
    user: UsersTable,
    tenant: TenantsTable,
  ): Promise<void> {
    await enqueue(deps, trx, tenant.id, passwordNoticeEmail(what, at, user, tenant));
  }

  async function tenantOf(tenantId: string): Promise<TenantsTable> {
    const tenant = await createTenantStore(db).findTenantById(tenantId);
    if (!tenant) throw new AppError("TENANT_NOT_FOUND");
    return tenant;
  }

  /** A usable link's user and tenant, read without consuming it (the policy runs before). */
  async function lookUpLink(kind: CredentialTokenKind, token: string) {
    const row = await findCredentialToken(deps.db.allTenants, kind, hashSecret(token));
    const at = nowIso();
    if (!row || row.used_at !== null || row.expires_at <= at) throw invalidToken(row?.used_at != null);
    const user = await createUserStore(db, row.tenant_id).findUserRowById(row.user_id);
    const tenant = await createTenantStore(db).findTenantById(row.tenant_id);
    if (!user || !tenant) throw invalidToken();
    return { row, user, tenant, settings: readSettings(tenant.settings) };
  }

  return { nowIso, checkNewPassword, storePassword, notify, tenantOf, lookUpLink };
}

export type PasswordWrites = ReturnType<typeof createPasswordWrites>;

/** The audit's record of the lock a new password ended (storePassword), if there was one. */
export function lockEnded(user: Pick<UsersTable, "locked" | "locked_until" | "failed_attempts">): Changes {
  const was = user.locked === 1 || user.locked_until !== null || user.failed_attempts > 0;
  return was ? { locked: { before: user.locked === 1, after: false } } : {};
}
