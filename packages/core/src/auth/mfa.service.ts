/**
 * TOTP MFA use cases (issue 4 item 8, PRODUCT.md §4 "MFA", SECURITY.md item 21): enrolment and its
 * confirmation (which hands out 10 recovery codes, once), disabling with re-authentication, and
 * the administrator's reset (`users.credentials`). The sign-in's side lives in mfa-login.ts.
 *
 * Never in the audit or the logs: the TOTP secret, a TOTP code, a recovery code or a remember-
 * device token (nor their hashes). The audit says only that enrolment changed and how many codes.
 */
import { appendAudit } from "../audit/audit-writer.ts";
import type { UsersTable } from "../db/schema.ts";
import { loadRolesById } from "../roles/roles.table.ts";
import type { Ctx } from "../shared/context.ts";
import type { Deps } from "../shared/deps.ts";
import { AppError } from "../shared/errors.ts";
import type { Executor } from "../shared/tx.ts";
import { inChangeTx, inTenantTx } from "../shared/tx.ts";
import { expectVersion } from "../shared/versions.ts";
import { readSettings, type TenantSettings } from "../tenants/settings.rules.ts";
import { createTenantStore } from "../tenants/tenants.store.ts";
import { createUserActionsStore } from "../users/user-actions.store.ts";
import { ensureNotSelf, loadTargetWithin, userOf } from "../users/user-lifecycle.service.ts";
import { createUserStore } from "../users/users.store.ts";
import { endAccessOf } from "./access-cutoff.ts";
import type { Caller } from "./caller.ts";
import { endOtherSessions } from "./credential-tokens.store.ts";
import {
  holdsPatientPermission,
  isTotpShape,
  matchTotp,
  mfaRequiredFor,
  normaliseRecoveryCode,
  otpauthUrl,
} from "./mfa.rules.ts";
import { createMfaStore } from "./mfa.store.ts";
import { notifyMfaChange } from "./mfa-emails.ts";
import { newRecoveryCodes, newTotpSecret, openSecret, sealSecret, secretKeyFrom } from "./mfa-secrets.ts";
import { longEnoughAlone, passwordPolicyFor } from "./password-policy.rules.ts";
import { reauthenticate } from "./reauthenticate.ts";
import { createSessionStore } from "./sessions.store.ts";
import { requireRecentSignIn } from "./step-up.ts";
import { stillSignedIn } from "./still-signed-in.ts";

/** The sealing key for TOTP secrets: from STAFFGATE_SECRET_KEY, or none (stored as-is). */
export function mfaSecretKey(): Buffer | undefined {
  return secretKeyFrom(process.env.STAFFGATE_SECRET_KEY);
}

/** What the sealed secret is bound to: a row copied onto another user or tenant does not open. */
export const secretBinding = (tenantId: string, userId: string) => `mfa_totp:${tenantId}:${userId}`;

/** True when the tenant requires MFA of this user (reads the user's roles only for patient_access). */
export async function mfaRequiredOf(
  deps: Deps,
  db: Executor,
  user: Pick<UsersTable, "tenant_id" | "id" | "role_id" | "virtual">,
  settings: TenantSettings,
): Promise<boolean> {
  if (user.virtual === 1 || settings.mfaRequired === "off") return false;
  if (settings.mfaRequired === "all") return true;
  const tenant = await createTenantStore(db).findTenantById(user.tenant_id);
  const catalog = tenant && deps.catalogs.get(tenant.catalog);
  if (!catalog) return true; // Unknown catalogue: require rather than guess.
  const wsRoles = await createUserActionsStore(db, user.tenant_id).workspaceRoleIds(user.id);
  const roles = await loadRolesById(db, user.tenant_id, [user.role_id, ...wsRoles.map((w) => w.role_id)]);
  const held = holdsPatientPermission(catalog, [...roles.values()]);
  return mfaRequiredFor(settings.mfaRequired, { virtual: false, holdsPatientPermission: () => held });
}

/**
 * Verifies a second-factor code of an enrolled user and uses it up: a 6-digit TOTP code (its step
 * must be later than the last one accepted) or an unused recovery code. Null when neither.
 */
export async function verifyMfaCode(
  deps: Deps,
  tenantId: string,
  userId: string,
  code: string,
): Promise<"totp" | "recovery" | null> {
  const store = createMfaStore(deps.db.kysely, tenantId);
  const compact = code.replace(/\s+/g, "");
  if (isTotpShape(compact)) {
    const row = await store.findTotp(userId);
    if (!row || row.confirmed_at === null) return null;
    const secret = openSecret(row.secret, mfaSecretKey(), secretBinding(tenantId, userId));
    const step = matchTotp(secret, compact, deps.clock.now().getTime(), Number(row.last_used_step));
    if (step === null) return null;
    // Conditional on last_used_step < step: of two requests with one code, exactly one gets here.
    return (await store.useTotpStep(userId, step)) ? "totp" : null;
  }
  const canonical = normaliseRecoveryCode(code);
  if (!canonical) return null;
  const rows = await store.unusedRecoveryCodes(userId);
  const matches = await Promise.all(rows.map((r) => deps.hasher.verify(r.code_hash, canonical)));
  const hit = rows.find((_, i) => matches[i]);
  if (!hit) return null;
  // Conditional on used_at IS NULL: of many parallel uses of one code, exactly one succeeds.
  const used = await store.useRecoveryCode(userId, hit.id, deps.clock.now().toISOString());
  return used ? "recovery" : null;
}

export interface TotpEnrolment {
  readonly secret: string;
  readonly otpauthUrl: string;
}

export function ensureSignedInUser(caller: Caller): void {
  if (caller.kind !== "session") {
    throw new AppError("FORBIDDEN", "MFA belongs to a person: sign in as the user to manage it");
  }
}

/**
 * Changing an enrolled person's second factor (turning it off, new recovery codes) needs a session
 * that passed it: a session opened with the password alone before they enrolled could otherwise
 * mint codes or swap the authenticator with the password only (found by an adversarial audit).
 */
export function ensureVerifiedSession(caller: Caller, user: Pick<UsersTable, "mfa_enrolled">): void {
  if (user.mfa_enrolled === 1 && caller.sessionId !== null && caller.sessionMfaVerified !== true) {
    throw new AppError("MFA_SESSION_UNVERIFIED");
  }
}

export function createMfaService(deps: Deps) {
  const now = () => deps.clock.now();

  async function loadSelf(db: Executor, caller: Caller): Promise<UsersTable> {
    const row = await createUserStore(db, caller.tenantId).findUserRowById(caller.userId);
    if (!row) throw new AppError("UNAUTHENTICATED");
    return row;
  }

  return {
    /**
     * Starts TOTP enrolment (or restarts an unconfirmed one): the secret is shown until confirmed.
     * A session that did not sign in just now gives the password again (step-up.rules.ts).
     */
    async startTotpEnrolment(
      caller: Caller,
      ctx: Ctx,
      input: { password?: string | undefined } = {},
    ): Promise<TotpEnrolment> {
      ensureSignedInUser(caller);
      const self = await loadSelf(deps.db.kysely, caller);
      // Enrolled already: 409 before any password is asked for, counted or checked.
      if (self.mfa_enrolled === 1) throw new AppError("MFA_ALREADY_ENROLLED");
      await requireRecentSignIn(
        deps,
        ctx,
        caller,
        input.password,
        { action: "auth.mfa.enrolled", doing: "Setting up two-factor sign-in" },
        self,
      );
      const secret = newTotpSecret();
      const sealed = sealSecret(secret, mfaSecretKey(), secretBinding(caller.tenantId, caller.userId));
      return inChangeTx(deps, caller.tenantId, async (trx) => {
        const user = await stillSignedIn(deps, trx, caller);
        if (user.mfa_enrolled === 1) throw new AppError("MFA_ALREADY_ENROLLED");
        const tenant = await createTenantStore(trx).findTenantById(caller.tenantId);
        if (!tenant) throw new AppError("TENANT_NOT_FOUND");
        const started = await createMfaStore(trx, caller.tenantId).replaceUnconfirmedTotp(
          caller.userId,
          sealed,
          now().toISOString(),
        );
        if (!started) throw new AppError("MFA_ALREADY_ENROLLED");
        return { secret, otpauthUrl: otpauthUrl(secret, tenant.slug, user.username) };
      });
    },

    /**
     * Confirms enrolment with a current code and returns 10 recovery codes, shown this once (only
     * their argon2id hashes are kept). The confirming code's step counts as used.
     */
    async confirmTotp(
      caller: Caller,
      ctx: Ctx,
      input: { code: string },
    ): Promise<{ recoveryCodes: string[] }> {
      ensureSignedInUser(caller);
      const store = createMfaStore(deps.db.kysely, caller.tenantId);
      const row = await store.findTotp(caller.userId);
      if (!row) throw new AppError("MFA_NOT_STARTED");
      if (row.confirmed_at !== null) throw new AppError("MFA_ALREADY_ENROLLED");
      const secret = openSecret(row.secret, mfaSecretKey(), secretBinding(caller.tenantId, caller.userId));
      const code = input.code.replace(/\s+/g, "");
      const step = matchTotp(secret, code, now().getTime(), Number(row.last_used_step));
      if (step === null) {
        throw new AppError("MFA_CODE_INVALID", "The code does not match; check the authenticator's clock", {
          errors: [{ path: "code", message: "does not match the current code" }],
        });
      }
      const recoveryCodes = newRecoveryCodes();
      const hashes = await Promise.all(recoveryCodes.map((c) => deps.hasher.hash(c)));
      await inTenantTx(deps, caller.tenantId, async (trx) => {
        const at = now().toISOString();
        // The user's row before any MFA row, in every MFA change (a reset, a restart): no deadlock.
        const user = await stillSignedIn(deps, trx, caller);
        const tx = createMfaStore(trx, caller.tenantId);
        // Conditional: the row must still be the pending one we checked (not restarted meanwhile).
        const current = await tx.findTotp(caller.userId);
        if (!current || current.secret !== row.secret || !(await tx.confirmTotp(caller.userId, step, at))) {
          throw new AppError("MFA_NOT_STARTED", "The enrolment was restarted or confirmed meanwhile");
        }
        await tx.replaceRecoveryCodes(caller.userId, hashes, at);
        await createUserStore(trx, caller.tenantId).updateUserRow(caller.userId, {
          mfa_enrolled: 1,
          updated_at: at,
          version: user.version + 1,
        });
        // An enrolment-only session has now done what it was confined to: it becomes a full one.
        if (caller.sessionId)
          await createSessionStore(trx, caller.tenantId).setPurpose(caller.sessionId, "full", true);
        // The user's other sessions were opened with the password alone. Where the tenant requires
        // MFA of this user they end, so that every session left has passed the second factor (an
        // enrolled user's session is no longer confined: session-purpose.rules.ts purposeNow).
        const tenant = await createTenantStore(trx).findTenantById(caller.tenantId);
        const required = tenant ? await mfaRequiredOf(deps, trx, user, readSettings(tenant.settings)) : true;
        const othersEnded = required
          ? await endOtherSessions(trx, caller.tenantId, caller.userId, caller.sessionId ?? null)
          : 0;
        await appendAudit(deps, trx, ctx, {
          action: "auth.mfa.enrolled",
          target: { type: "user", id: caller.userId, label: user.username },
          changes: {
            mfaEnrolled: { before: false, after: true },
            method: { after: "totp" },
            recoveryCodes: { after: recoveryCodes.length },
            ...(othersEnded > 0 ? { otherSessionsEnded: { after: othersEnded } } : {}),
          },
        });
        await notifyMfaChange(deps, trx, caller.tenantId, "enrolled", at, user);
      });
      return { recoveryCodes };
    },

    /**
     * Turns the user's own MFA off after re-authenticating with the password (ASVS 7.5.1; a wrong one
     * is 400 naming `password`); refused with MFA_REQUIRED while the tenant requires MFA of this
     * user. Idempotent when not enrolled.
     */
    async disableMfa(caller: Caller, ctx: Ctx, input: { password: string }, ifMatch?: number): Promise<void> {
      ensureSignedInUser(caller);
      const user = await loadSelf(deps.db.kysely, caller);
      // MFA is part of the user: If-Match names the user's version. Checked before the attempt is
      // counted, so a 412 changes nothing; and again under the lock below.
      expectVersion(user.version, ifMatch);
      ensureVerifiedSession(caller, user);
      await reauthenticate(deps, ctx, user, input.password, "auth.mfa.disabled");
      const tenant = await createTenantStore(deps.db.kysely).findTenantById(caller.tenantId);
      if (!tenant) throw new AppError("TENANT_NOT_FOUND");
      const settings = readSettings(tenant.settings);
      if (user.mfa_enrolled === 1 && (await mfaRequiredOf(deps, deps.db.kysely, user, settings))) {
        throw new AppError(
          "MFA_REQUIRED",
          "Your practice requires two-factor sign-in for your account, so it cannot be turned off",
        );
      }
      // A password chosen under the with-MFA minimum (8) must not become the only factor (NIST
      // 800-63B: 15 alone; found by the auth audit).
      if (user.mfa_enrolled === 1 && !longEnoughAlone(input.password, settings)) {
        throw new AppError(
          "PASSWORD_TOO_SHORT_ALONE",
          `Your password is shorter than the ${passwordPolicyFor(settings, { mfa: false }).minLength} characters a password used alone needs: change it first, then turn two-factor sign-in off`,
          { errors: [{ path: "password", message: "is too short to be used without two-factor sign-in" }] },
        );
      }
      await inTenantTx(deps, caller.tenantId, async (trx) => {
        const fresh = await stillSignedIn(deps, trx, caller);
        expectVersion(fresh.version, ifMatch);
        const cleared = await createMfaStore(trx, caller.tenantId).clearAll(caller.userId);
        if (fresh.mfa_enrolled === 0 && !cleared.totp && cleared.codes === 0 && cleared.devices === 0) return;
        const at = now().toISOString();
        if (fresh.mfa_enrolled === 1) {
          await createUserStore(trx, caller.tenantId).updateUserRow(caller.userId, {
            mfa_enrolled: 0,
            updated_at: at,
            version: fresh.version + 1,
          });
        }
        // No open session has passed a factor the person still has (session-purpose.rules.ts).
        await createSessionStore(trx, caller.tenantId).forgetSecondFactor(caller.userId);
        await appendAudit(deps, trx, ctx, {
          action: "auth.mfa.disabled",
          target: { type: "user", id: caller.userId, label: fresh.username },
          changes: {
            mfaEnrolled: { before: fresh.mfa_enrolled === 1, after: false },
            recoveryCodesRemoved: { after: cleared.codes },
            rememberedDevicesRemoved: { after: cleared.devices },
          },
        });
        if (fresh.mfa_enrolled === 1)
          await notifyMfaChange(deps, trx, caller.tenantId, "disabled", at, fresh);
      });
    },

    /**
     * Administrator reset (`users.credentials`): clears the user's enrolment, recovery codes and
     * remembered devices and ends their sessions. The actor must cover the user (SECURITY.md G-52);
     * 404 for another tenant's id. Not on oneself: use DELETE /auth/mfa, which asks the password.
     */
    adminResetMfa(caller: Caller, ctx: Ctx, userId: string, ifMatch?: number) {
      ensureNotSelf(caller, userId, "reset the MFA of");
      return inTenantTx(deps, ctx.tenantId, async (trx) => {
        const row = await loadTargetWithin(trx, caller, userId, ifMatch);
        // As for its password (admin-password.service): a virtual user never signs in, so there is
        // no second factor to reset, and a 200 would record an act that did nothing.
        if (row.virtual === 1) {
          throw new AppError("USER_STATE_INVALID", "A virtual user has no two-factor sign-in to reset");
        }
        // Nothing of an archived account is edited (its unlock and password are refused too): a
        // restore brought the account back without the second factor it had (lifecycle audit).
        if (row.status === "archived") {
          throw new AppError(
            "USER_STATE_INVALID",
            "The user is archived; restore it before resetting its MFA",
          );
        }
        const at = now().toISOString();
        // The user's row before any MFA row, as every MFA change takes them: no deadlock.
        await createUserStore(trx, ctx.tenantId).lockUserRow(userId, deps.db.dialect);
        const cleared = await createMfaStore(trx, ctx.tenantId).clearAll(userId);
        if (row.mfa_enrolled === 0 && !cleared.totp && cleared.codes === 0 && cleared.devices === 0) {
          // Nothing to clear, but an administrator's act on an account all the same: audited with
          // the unchanged state (issue 4 item 7 "all audited"; as an unlock of an unlocked user).
          await appendAudit(deps, trx, ctx, {
            action: "user.mfa_reset",
            target: { type: "user", id: userId, label: row.username },
            changes: { mfaEnrolled: { before: false, after: false } },
          });
          return userOf(deps, trx, ctx.tenantId, userId);
        }
        // A password chosen under the with-MFA minimum (8), or one not known to be long enough,
        // must not stay the only factor: the next sign-in is confined to choosing one that is.
        const mustChange = row.password_hash !== null && row.password_alone !== 1;
        await createUserStore(trx, ctx.tenantId).updateUserRow(userId, {
          mfa_enrolled: 0,
          must_change_password: mustChange ? 1 : row.must_change_password,
          updated_at: at,
          version: row.version + 1,
        });
        const ended = await endAccessOf(
          deps,
          trx,
          ctx,
          userId,
          at,
          "two-factor sign-in reset by an administrator",
        );
        await appendAudit(deps, trx, ctx, {
          action: "user.mfa_reset",
          target: { type: "user", id: userId, label: row.username },
          changes: {
            mfaEnrolled: { before: row.mfa_enrolled === 1, after: false },
            recoveryCodesRemoved: { after: cleared.codes },
            rememberedDevicesRemoved: { after: cleared.devices },
            sessionsEnded: { after: ended.sessions },
            ...(mustChange && row.must_change_password === 0
              ? { mustChangePassword: { before: false, after: true } }
              : {}),
          },
        });
        await notifyMfaChange(deps, trx, ctx.tenantId, "reset_by_administrator", at, row);
        return userOf(deps, trx, ctx.tenantId, userId);
      });
    },
  };
}

export type MfaService = ReturnType<typeof createMfaService>;
