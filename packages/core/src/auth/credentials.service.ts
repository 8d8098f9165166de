/**
 * Password flows (issue 4 items 4–7; PRODUCT.md §4; SECURITY.md A–C): change one's own password,
 * forgot / reset by email link, invitations, and the administrator's password actions.
 *
 * - One-time links: `newSecret` (256 bits), only SHA-256 stored, redeemed by one conditional
 *   UPDATE (credential-tokens.store.ts `consume`), so concurrent redemptions give one success.
 *   Reset links live 60 minutes, invitations 72 hours; a newer link of a kind voids the older ones.
 * - Argon2 work (verify, history, hash) runs before the transaction, never under the tenant lock.
 * - Audit rows never hold a password, a hash or a token; emails hold a token only in a link.
 * - A wrong current password on change: 400 naming `currentPassword`, audited as a failure; it does
 *   not touch the sign-in failure counter (a signed-in session cannot lock its own account out),
 *   but after 5 wrong ones in 15 minutes the account's changes are refused with 429 for the rest
 *   of that window (counted from the audit trail, so every instance agrees).
 */

import { randomInt } from "node:crypto";
import { appendAudit, type Changes } from "../audit/audit-writer.ts";
import type { TenantsTable, UsersTable } from "../db/schema.ts";
import { enqueue } from "../mail/outbox.store.ts";
import { anonymousActor, type Ctx, type RequestMeta } from "../shared/context.ts";
import type { Deps } from "../shared/deps.ts";
import { AppError, wrongPassword } from "../shared/errors.ts";
import { hashSecret } from "../shared/ids.ts";
import { foldKey } from "../shared/text.rules.ts";
import { inTenantTx, inTx, type Trx } from "../shared/tx.ts";
import { readSettings, type TenantSettings } from "../tenants/settings.rules.ts";
import { createTenantStore } from "../tenants/tenants.store.ts";
import { loadTargetWithin } from "../users/user-lifecycle.service.ts";
import { createUserStore } from "../users/users.store.ts";
import type { Caller } from "./caller.ts";
import { type PasswordNotice, passwordNoticeEmail } from "./credential-emails.ts";
import { issueCredentialLink, queueInvitation } from "./credential-links.ts";
import {
  type CredentialTokenKind,
  createCredentialTokenStore,
  createPasswordHistoryStore,
  endOtherSessions,
  findCredentialToken,
} from "./credential-tokens.store.ts";
import {
  checkPassword,
  exceedsHardCap,
  isInHistory,
  passwordInvalid,
  passwordPolicyFor,
  REUSED,
} from "./password-policy.rules.ts";
import { takeReauthAttempt } from "./reauth-throttle.ts";
import { createSessionStore } from "./sessions.store.ts";

export { issueCredentialLink, queueInvitation };

const MINUTE_MS = 60_000;
/** Forgot-password emails per account per hour (SECURITY.md C-28). */
export const RESET_EMAILS_PER_HOUR = 3;
/** Generated passwords: 6 groups of 4 from 56 unambiguous characters, about 139 bits. */
const RANDOM_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
const RANDOM_GROUPS = 6;

/** Ids that match no row: the unknown-tenant / unknown-email path runs the same statements. */
const NO_TENANT = "ten_none";
const NO_USER = "usr_none";

const ANONYMOUS = anonymousActor();

export type AdminPasswordInput =
  | { readonly password: string; readonly mustChangePassword?: boolean | undefined }
  | { readonly random: true; readonly mustChangePassword?: boolean | undefined }
  | { readonly sendResetLink: true }
  | { readonly compromised: true };

export type AdminPasswordResult =
  | { readonly kind: "typed" }
  | { readonly kind: "random"; readonly password: string }
  | { readonly kind: "link" };

/** A bad, used, voided or expired link: the same answer for each (which one is nobody's business). */
function invalidToken(): AppError {
  const message = "is not a valid link: it may have expired, been used, or been replaced by a newer one";
  return new AppError("INVALID_TOKEN", undefined, { errors: [{ path: "token", message }] });
}

/** Who may receive a reset link: an active (locked or not), unexpired, non-virtual account. */
export function canResetPassword(user: UsersTable, at: string): boolean {
  return user.virtual === 0 && user.status === "active" && (user.expires_at === null || user.expires_at > at);
}

function canAcceptInvitation(user: UsersTable, at: string): boolean {
  return (
    user.virtual === 0 && user.status === "invited" && (user.expires_at === null || user.expires_at > at)
  );
}

/** A password from a CSPRNG that the policy accepts (it always does; the loop is a guarantee). */
export function generatePassword(accepts: (candidate: string) => boolean): string {
  for (;;) {
    const groups: string[] = [];
    for (let g = 0; g < RANDOM_GROUPS; g++) {
      let group = "";
      for (let i = 0; i < 4; i++) group += RANDOM_ALPHABET[randomInt(RANDOM_ALPHABET.length)];
      groups.push(group);
    }
    const candidate = groups.join("-");
    if (accepts(candidate)) return candidate;
  }
}

export function createCredentialsService(deps: Deps) {
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
      context: {
        tenantSlug: tenant.slug,
        tenantName: tenant.name,
        username: user.username,
        email: user.email,
        firstName: user.first_name,
        lastName: user.last_name,
      },
    });
    if (rejection) throw passwordInvalid(path, rejection);
    const previous = await createPasswordHistoryStore(db, tenant.id).recent(
      user.id,
      settings.passwordHistory,
    );
    const compareCurrent =
      user.password_hash !== null && (settings.passwordHistory > 0 || user.must_change_password === 1);
    const hashes = compareCurrent ? [user.password_hash!, ...previous] : previous;
    if (await isInHistory(deps.hasher, password, hashes)) throw passwordInvalid(path, REUSED);
  }

  /**
   * Writes a new password hash inside `trx`: remembers the old one when the tenant keeps a
   * history, voids open reset links (they were for the old password), bumps the version.
   */
  async function storePassword(
    trx: Trx,
    tenantId: string,
    user: UsersTable,
    hash: string,
    settings: TenantSettings,
    at: string,
    extra: Partial<
      Pick<UsersTable, "must_change_password" | "locked" | "locked_until" | "failed_attempts" | "status">
    >,
    expectHash?: string | null,
  ): Promise<boolean> {
    let q = trx
      .updateTable("users")
      .set({ password_hash: hash, updated_at: at, version: user.version + 1, ...extra })
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
    const row = await findCredentialToken(db, kind, hashSecret(token));
    const at = nowIso();
    if (!row || row.used_at !== null || row.expires_at <= at) throw invalidToken();
    const user = await createUserStore(db, row.tenant_id).findUserRowById(row.user_id);
    const tenant = await createTenantStore(db).findTenantById(row.tenant_id);
    if (!user || !tenant) throw invalidToken();
    return { row, user, tenant, settings: readSettings(tenant.settings) };
  }

  return {
    /** `POST /auth/password`: current + new; ends the caller's other sessions; notifies. */
    async changeOwnPassword(
      caller: Caller,
      ctx: Ctx,
      input: { readonly currentPassword: string; readonly newPassword: string },
    ): Promise<void> {
      if (caller.kind !== "session") {
        throw new AppError("FORBIDDEN", "API tokens have no password; a person changes their own");
      }
      // Oversized input is refused before anything else (no database read, no hashing).
      if (exceedsHardCap(input.newPassword))
        throw passwordInvalid("newPassword", checkPassword(input.newPassword)!);
      const tenant = await tenantOf(caller.tenantId);
      const settings = readSettings(tenant.settings);
      const user = await createUserStore(db, caller.tenantId).findUserRowById(caller.userId);
      if (!user) throw new AppError("UNAUTHENTICATED");
      const target = { type: "user", id: user.id, label: user.username } as const;

      const attempt = await takeReauthAttempt(deps, db, {
        tenantId: caller.tenantId,
        userId: user.id,
        action: "auth.password.change_failed",
      });

      const currentOk =
        user.password_hash !== null &&
        !exceedsHardCap(input.currentPassword) &&
        (await deps.hasher.verify(user.password_hash, input.currentPassword));
      if (!currentOk) {
        await inTx(deps, (trx) =>
          appendAudit(deps, trx, ctx, { action: "auth.password.change_failed", target, outcome: "failure" }),
        );
        throw wrongPassword("currentPassword", "is not your current password");
      }
      await attempt.giveBack();
      await checkNewPassword("newPassword", input.newPassword, user, tenant, settings);
      const hash = await deps.hasher.hash(input.newPassword);
      await inTx(deps, async (trx) => {
        const at = nowIso();
        // Conditional on the hash just verified: a concurrent change makes this one fail.
        const stored = await storePassword(
          trx,
          caller.tenantId,
          user,
          hash,
          settings,
          at,
          { must_change_password: 0 },
          user.password_hash,
        );
        if (!stored) throw wrongPassword("currentPassword", "is not your current password");
        const ended = await endOtherSessions(trx, caller.tenantId, user.id, caller.sessionId);
        await notify(trx, "changed", at, user, tenant);
        const changes: Changes = {
          sessionsEnded: { after: ended },
          ...(user.must_change_password === 1 ? { mustChangePassword: { before: true, after: false } } : {}),
        };
        await appendAudit(deps, trx, ctx, { action: "auth.password.changed", target, changes });
      });
    },

    /**
     * `POST /auth/forgot-password`. Never throws for anything about the account and never returns
     * early: an unknown tenant or email runs the same reads and the same transaction (against ids
     * that match nothing), so neither the answer nor its time tells whether the account exists.
     * Returns what happened, for tests and the log; the route answers the same 202 regardless.
     */
    async forgotPassword(
      meta: RequestMeta,
      input: { readonly tenant: string; readonly email: string },
    ): Promise<"sent" | "throttled" | "ineligible" | "unknown"> {
      const tenant = await createTenantStore(db).findTenantBySlug(foldKey(input.tenant));
      const tenantId = tenant?.id ?? NO_TENANT;
      const user = await db
        .selectFrom("users")
        .selectAll()
        .where("tenant_id", "=", tenantId)
        .where("email_key", "=", foldKey(input.email))
        .executeTakeFirst();
      return inTx(deps, async (trx) => {
        const now = deps.clock.now();
        const at = now.toISOString();
        const hourAgo = new Date(now.getTime() - 60 * MINUTE_MS).toISOString();
        const issued = await createCredentialTokenStore(trx, tenantId).countIssuedSince(
          user?.id ?? NO_USER,
          "reset",
          hourAgo,
        );
        const outcome = !tenant
          ? "unknown"
          : !user
            ? "unknown"
            : !canResetPassword(user, at)
              ? "ineligible"
              : issued >= RESET_EMAILS_PER_HOUR
                ? "throttled"
                : "sent";
        if (!tenant) return outcome;
        if (outcome === "sent") await issueCredentialLink(deps, trx, tenant, user!, "reset");
        const ctx: Ctx = { ...meta, tenantId: tenant.id, actor: ANONYMOUS };
        await appendAudit(deps, trx, ctx, {
          action: "auth.password.reset_requested",
          ...(user ? { target: { type: "user", id: user.id, label: user.username } } : {}),
          outcome: outcome === "sent" ? "success" : "failure",
          ...(outcome === "sent" ? {} : { changes: { reason: { after: outcome } } }),
        });
        return outcome;
      });
    },

    /**
     * `POST /auth/reset-password`: sets the password, unlocks, ends every session and API token,
     * notifies; does not sign in. Bad, used, voided or expired link: 400 INVALID_TOKEN.
     */
    async resetPassword(meta: RequestMeta, input: { readonly token: string; readonly newPassword: string }) {
      if (exceedsHardCap(input.newPassword))
        throw passwordInvalid("newPassword", checkPassword(input.newPassword)!);
      const { row, user, tenant, settings } = await lookUpLink("reset", input.token);
      if (!canResetPassword(user, nowIso())) throw invalidToken();
      await checkNewPassword("newPassword", input.newPassword, user, tenant, settings);
      const hash = await deps.hasher.hash(input.newPassword);
      const ctx: Ctx = {
        ...meta,
        tenantId: tenant.id,
        actor: { type: "user", id: user.id, label: user.username },
      };
      await inTx(deps, async (trx) => {
        const at = nowIso();
        const userId = await createCredentialTokenStore(trx, tenant.id).consume("reset", row.token_hash, at);
        if (userId !== user.id) throw invalidToken();
        const fresh = await createUserStore(trx, tenant.id).findUserRowById(user.id);
        if (!fresh || !canResetPassword(fresh, at)) throw invalidToken();
        const wasLocked = fresh.locked === 1 || fresh.locked_until !== null || fresh.failed_attempts > 0;
        await storePassword(trx, tenant.id, fresh, hash, settings, at, {
          must_change_password: 0,
          locked: 0,
          locked_until: null,
          failed_attempts: 0,
        });
        const ended = await createSessionStore(trx, tenant.id).endAllForUser(user.id, at);
        await notify(trx, "reset", at, fresh, tenant);
        await appendAudit(deps, trx, ctx, {
          action: "auth.password.reset",
          target: { type: "user", id: user.id, label: user.username },
          changes: {
            sessionsEnded: { after: ended },
            ...(wasLocked ? { locked: { before: fresh.locked === 1, after: false } } : {}),
          },
        });
      });
    },

    /** `POST /auth/invitations/accept`: sets the password; the user becomes `active`; single use. */
    async acceptInvitation(meta: RequestMeta, input: { readonly token: string; readonly password: string }) {
      if (exceedsHardCap(input.password)) throw passwordInvalid("password", checkPassword(input.password)!);
      const { row, user, tenant, settings } = await lookUpLink("invitation", input.token);
      if (!canAcceptInvitation(user, nowIso())) throw invalidToken();
      await checkNewPassword("password", input.password, user, tenant, settings);
      const hash = await deps.hasher.hash(input.password);
      const ctx: Ctx = {
        ...meta,
        tenantId: tenant.id,
        actor: { type: "user", id: user.id, label: user.username },
      };
      // A tenant transaction: the status changes, which decisions read.
      await inTenantTx(deps, tenant.id, async (trx) => {
        const at = nowIso();
        const tokens = createCredentialTokenStore(trx, tenant.id);
        const userId = await tokens.consume("invitation", row.token_hash, at);
        if (userId !== user.id) throw invalidToken();
        const fresh = await createUserStore(trx, tenant.id).findUserRowById(user.id);
        if (!fresh || !canAcceptInvitation(fresh, at)) throw invalidToken();
        await storePassword(trx, tenant.id, fresh, hash, settings, at, {
          status: "active",
          must_change_password: 0,
        });
        await tokens.voidOpen(user.id, "invitation", at);
        await appendAudit(deps, trx, ctx, {
          action: "user.invitation_accepted",
          target: { type: "user", id: user.id, label: user.username },
          changes: { status: { before: "invited", after: "active" } },
        });
      });
    },

    /** `POST /users/{id}/invitation` (users.manage): a new invitation link; the older one stops working. */
    async resendInvitation(caller: Caller, ctx: Ctx, id: string): Promise<void> {
      await inTenantTx(deps, ctx.tenantId, async (trx) => {
        const user = await loadTargetWithin(trx, caller, id, undefined);
        if (user.status !== "invited" || user.virtual === 1) {
          throw new AppError(
            "USER_STATE_INVALID",
            "Only an invited user who has not accepted yet can be invited again",
          );
        }
        const tenant = (await createTenantStore(trx).findTenantById(ctx.tenantId))!;
        await queueInvitation(deps, trx, tenant, user);
        await appendAudit(deps, trx, ctx, {
          action: "user.invitation_sent",
          target: { type: "user", id, label: user.username },
        });
      });
    },

    /**
     * `POST /users/{id}/password` (users.credentials; the actor must hold everything the target
     * holds). A typed password (refused with 422 when the tenant forbids it), a random one (returned
     * once), or a reset link. Setting a password ends every session and API token of the user and
     * makes an invited user active; never for oneself (that is `POST /auth/password`).
     */
    async setUserPassword(
      caller: Caller,
      ctx: Ctx,
      id: string,
      input: AdminPasswordInput,
      ifMatch?: number,
    ): Promise<AdminPasswordResult> {
      if (caller.userId === id) {
        throw new AppError(
          "SELF_ACTION_FORBIDDEN",
          "Change your own password with POST /api/v1/auth/password (it asks for the current one)",
        );
      }
      const ensureSettable = (user: UsersTable, link: boolean) => {
        const ok = user.virtual === 0 && (link ? user.status === "active" : user.status !== "archived");
        if (!ok) {
          throw new AppError(
            "USER_STATE_INVALID",
            user.virtual === 1
              ? "A virtual user has no password"
              : link
                ? `A reset link is only sent to an active user (this one is ${user.status})`
                : "An archived user cannot get a password; restore it first",
          );
        }
      };

      if ("sendResetLink" in input) {
        await inTenantTx(deps, ctx.tenantId, async (trx) => {
          const user = await loadTargetWithin(trx, caller, id, ifMatch);
          ensureSettable(user, true);
          const tenant = (await createTenantStore(trx).findTenantById(ctx.tenantId))!;
          await issueCredentialLink(deps, trx, tenant, user, "reset");
          await appendAudit(deps, trx, ctx, {
            action: "user.password_reset_link_sent",
            target: { type: "user", id, label: user.username },
          });
        });
        return { kind: "link" };
      }

      if ("compromised" in input) {
        // The password stops working at once (whoever holds it cannot use it, not even to choose
        // the next one), every session ends, and the owner gets a reset link at the address on record.
        await inTenantTx(deps, ctx.tenantId, async (trx) => {
          const at = nowIso();
          const user = await loadTargetWithin(trx, caller, id, ifMatch);
          ensureSettable(user, true);
          await trx
            .updateTable("users")
            .set({ password_hash: null, must_change_password: 0, version: user.version + 1, updated_at: at })
            .where("tenant_id", "=", ctx.tenantId)
            .where("id", "=", id)
            .execute();
          const ended = await createSessionStore(trx, ctx.tenantId).endAllForUser(id, at);
          const tenant = (await createTenantStore(trx).findTenantById(ctx.tenantId))!;
          await issueCredentialLink(deps, trx, tenant, user, "reset");
          await appendAudit(deps, trx, ctx, {
            action: "user.password_compromised",
            target: { type: "user", id, label: user.username },
            changes: {
              passwordVoided: { after: true },
              resetLinkSent: { after: true },
              sessionsEnded: { after: ended },
            },
          });
        });
        return { kind: "link" };
      }

      const tenant = await tenantOf(ctx.tenantId);
      const settings = readSettings(tenant.settings);
      const typed = "password" in input;
      if (typed && !settings.adminTypedPasswordsAllowed) {
        throw new AppError(
          "TYPED_PASSWORDS_FORBIDDEN",
          "This practice does not allow administrators to type passwords: send a reset link or set a random password",
        );
      }
      if (typed && exceedsHardCap(input.password))
        throw passwordInvalid("password", checkPassword(input.password)!);
      // The coverage check first (403 before any word about the password), outside the tenant lock.
      const target = await inTx(deps, async (trx) => {
        const user = await loadTargetWithin(trx, caller, id, ifMatch);
        ensureSettable(user, false);
        return user;
      });
      let password: string;
      if (typed) {
        password = input.password;
        await checkNewPassword("password", password, target, tenant, settings);
      } else {
        const policy = passwordPolicyFor(settings, { mfa: target.mfa_enrolled === 1 });
        const context = {
          tenantSlug: tenant.slug,
          tenantName: tenant.name,
          username: target.username,
          email: target.email,
          firstName: target.first_name,
          lastName: target.last_name,
        };
        password = generatePassword((p) => checkPassword(p, { policy, context }) === null);
      }
      const hash = await deps.hasher.hash(password);
      const mustChange = input.mustChangePassword ?? true;
      await inTenantTx(deps, ctx.tenantId, async (trx) => {
        const at = nowIso();
        const user = await loadTargetWithin(trx, caller, id, ifMatch);
        ensureSettable(user, false);
        const activates = user.status === "invited";
        await storePassword(trx, ctx.tenantId, user, hash, settings, at, {
          must_change_password: mustChange ? 1 : 0,
          ...(activates ? { status: "active" as const } : {}),
        });
        if (activates) await createCredentialTokenStore(trx, ctx.tenantId).voidOpen(id, "invitation", at);
        const ended = await createSessionStore(trx, ctx.tenantId).endAllForUser(id, at);
        await notify(trx, "set_by_administrator", at, user, tenant);
        await appendAudit(deps, trx, ctx, {
          action: "user.password_set",
          target: { type: "user", id, label: user.username },
          changes: {
            method: { after: typed ? "typed" : "random" },
            // The administrator's choice is always recorded; a before only when it changed.
            mustChangePassword:
              (user.must_change_password === 1) === mustChange
                ? { after: mustChange }
                : { before: user.must_change_password === 1, after: mustChange },
            sessionsEnded: { after: ended },
            ...(activates ? { status: { before: "invited", after: "active" } } : {}),
          },
        });
      });
      return typed ? { kind: "typed" } : { kind: "random", password };
    },
  };
}

export type CredentialsService = ReturnType<typeof createCredentialsService>;
