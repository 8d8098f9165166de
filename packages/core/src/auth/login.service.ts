/**
 * Sign-in (issue 4 items 1 and 2; SECURITY.md, D-32, D-34, E-36).
 *
 * Order of a sign-in:
 * 1. Throttle: one atomic upsert counts the attempt under two keys, the client address and the
 *    tenant + login (whether or not either exists, so a 429 tells nothing about the account).
 *    Over a limit → 429 THROTTLED with Retry-After. A successful sign-in gives its attempt back,
 *    in its transaction.
 * 2. Tenant and user are looked up (one read); a locked account's password is not verified (a dummy
 *    verify runs instead, as for an unknown user, so the time is the same).
 * 3. Wrong password or a missing / wrong second factor counts a failure: ONE UPDATE … RETURNING
 *    increments the counter and locks at the threshold, and does nothing while the account is
 *    locked (so attempts never extend a lock and the counter is exact under parallel attempts).
 * 4. Success is one conditional UPDATE that refuses when a parallel failure locked the account
 *    meanwhile: no success while locked, even in a race. A new session (and token) every time.
 *
 * Every refusal is the same 401 INVALID_CREDENTIALS. The audit says why (for the tenant's
 * administrators); it never holds a password, token or code.
 */

import type { User } from "@staffgate/contract";
import { appendAudit, flushAudit } from "../audit/audit-writer.ts";
import type { SessionPurpose } from "../db/schema.ts";
import type { Ctx, RequestMeta } from "../shared/context.ts";
import type { Deps } from "../shared/deps.ts";
import { AppError } from "../shared/errors.ts";
import { failpoint } from "../shared/failpoint.ts";
import { hashSecret, newSecret } from "../shared/ids.ts";
import { foldKey } from "../shared/text.rules.ts";
import { inTx, type Trx } from "../shared/tx.ts";
import { DEFAULT_SETTINGS, readSettings } from "../tenants/settings.rules.ts";
import { createUserStore } from "../users/users.store.ts";
import { lockedAt } from "../users/users.table.ts";
import { findLoginTarget, recordSignIn } from "./login.store.ts";
import { type FailureReason, recordLoginFailure } from "./login-failure.ts";
import {
  hitThrottle,
  pruneThrottle,
  refundThrottle,
  throttleKey,
  windowStartOf,
} from "./login-throttle.store.ts";
import { checkSecondFactor, issueRememberToken, type RememberToken } from "./mfa-login.ts";
import { reportedPurpose } from "./session-purpose.rules.ts";
import { createSessionStore, endPresentedSession } from "./sessions.store.ts";

/**
 * Throttling besides the lockout (documented in docs/security/auth-controls.md). The lockout is
 * what limits guesses on one account (5 per 15 minutes by default); the per-account limit caps a
 * tenant that loosened it (up to 100 failures and a 1-minute lock) at 250 attempts per 15 minutes,
 * and lets a burst of 200 parallel attempts (SECURITY.md D-34) all be answered and counted, and
 * the correct password after them be refused by the lock with the same 401 (D-12), not a 429. Per
 * address: 1,000 failures per 15 minutes (about one a second) caps a stuffing run from one
 * address while a clinic behind one NAT address, or a test run, never meets it (successes are
 * given back).
 */
export const LOGIN_THROTTLE = {
  windowMs: 15 * 60_000,
  perAccount: 250,
  perAddress: 1000,
} as const;

export interface LoginThrottleLimits {
  readonly windowMs: number;
  readonly perAccount: number;
  readonly perAddress: number;
}

export interface LoginInput {
  readonly tenant: string;
  readonly login: string;
  readonly password: string;
  readonly totp?: string | undefined;
  readonly rememberDevice?: boolean | undefined;
}

export interface LoginExtras {
  /** The remember-device token from the console's cookie, if any (passed to the MFA seam). */
  readonly rememberToken?: string | undefined;
  /**
   * The session token the client presented with the sign-in (the console's cookie, or a bearer
   * session token): that session ends when the new one begins (fixation, SECURITY.md E-36).
   */
  readonly replacedToken?: string | undefined;
}

export interface LoginResult {
  readonly token: string;
  readonly csrfToken: string;
  readonly expiresAt: string;
  readonly mustChangePassword: boolean;
  readonly purpose: SessionPurpose;
  readonly user: User;
  /** A new remember-device token for the console's cookie (never in the response body). */
  readonly remember?: RememberToken | undefined;
}

export function createLoginService(deps: Deps, limits: LoginThrottleLimits = LOGIN_THROTTLE) {
  let dummyHash: Promise<string> | null = null;
  const dummy = () => {
    dummyHash ??= deps.hasher.hash("staffgate-dummy-password-for-timing");
    return dummyHash;
  };
  let prunedWindow = "";

  /**
   * Counts the attempt under both keys (one statement); throws THROTTLED when either is over its
   * limit. Returns the refund, to run in the transaction of a successful sign-in.
   */
  async function throttle(meta: RequestMeta, input: LoginInput, now: Date) {
    const windowStart = windowStartOf(now, limits.windowMs);
    if (prunedWindow !== windowStart) {
      // Once per window per instance: rows of windows before the previous one are dead.
      prunedWindow = windowStart;
      await pruneThrottle(deps.db.kysely, new Date(Date.parse(windowStart) - limits.windowMs).toISOString());
    }
    const limitsOf = [limits.perAddress, limits.perAccount];
    const hits = await hitThrottle(
      deps.db.kysely,
      [
        throttleKey(`ip:${meta.ip ?? "unknown"}`),
        throttleKey(`account:${foldKey(input.tenant)}\0${foldKey(input.login)}`),
      ],
      windowStart,
    );
    const over = hits.filter((h, i) => h.count > limitsOf[i]!);
    if (over.length > 0) {
      const ends = Math.max(...over.map((h) => Date.parse(h.windowStart) + limits.windowMs));
      const retryAfter = Math.max(1, Math.ceil((ends - now.getTime()) / 1000));
      throw new AppError("THROTTLED", "Too many sign-in attempts; try again later", {
        extensions: { retryAfter },
      });
    }
    return (trx: Trx) => refundThrottle(trx, hits);
  }

  /**
   * The session the client presented while signing in again, ended once the new one is committed.
   * In a transaction of its own: it may be another tenant's, and one transaction writing two
   * tenants' audit events holds the first tenant's chain while it waits for the second's (a purge
   * there held every sign-in of the first). A failure here fails the sign-in (its new session,
   * whose token nobody was given, ends by its idle limit): an answer of 200 always means the
   * presented session is over (ASVS 7.2.4), and the client keeps the one it has otherwise.
   */
  async function endReplacedSession(meta: RequestMeta, token: string): Promise<void> {
    await inTx(deps, async (trx) => {
      const old = await endPresentedSession(trx, hashSecret(token));
      if (!old) return;
      await appendAudit(
        deps,
        trx,
        { ...meta, tenantId: old.tenantId, actor: { type: "user", id: old.userId, label: old.username } },
        {
          action: "auth.logout",
          target: { type: "user", id: old.userId, label: old.username },
          changes: { cause: { after: "a new sign-in from the same client" } },
        },
      );
    });
  }

  return {
    async login(meta: RequestMeta, input: LoginInput, extras: LoginExtras = {}): Promise<LoginResult> {
      const now = deps.clock.now();
      const nowIso = now.toISOString();
      const refund = await throttle(meta, input, now);

      const target = await findLoginTarget(deps.db.kysely, foldKey(input.tenant), foldKey(input.login));
      const tenant = target?.tenant;
      const users = tenant && createUserStore(deps.db.kysely, tenant.id);
      const row = target?.user;
      const settings = tenant ? readSettings(tenant.settings) : DEFAULT_SETTINGS;
      const locked = row !== undefined && lockedAt(row, nowIso);
      let passwordOk = false;
      // While locked the password is not even verified; the dummy keeps the time the same.
      if (row?.password_hash && !locked)
        passwordOk = await deps.hasher.verify(row.password_hash, input.password);
      else await deps.hasher.verify(await dummy(), input.password);

      const fail = async (reason: FailureReason, counted: boolean): Promise<never> => {
        if (tenant) await recordLoginFailure(deps, { meta, tenant, row, settings, now }, reason, counted);
        throw new AppError("INVALID_CREDENTIALS");
      };

      if (!tenant || !users || !row) return fail("unknown_user", false);
      if (locked) return fail("locked", false);
      // No password yet (invited) or ever (virtual): nothing was guessed, so nothing counts toward
      // a lock that would then meet the password the invitation sets.
      if (!row.password_hash) return fail("no_password", false);
      if (!passwordOk) return fail("wrong_password", true);
      const usable =
        row.status === "active" && row.virtual === 0 && (row.expires_at === null || row.expires_at > nowIso);
      if (!usable) return fail("not_active", false);

      const second = await checkSecondFactor(
        deps,
        row,
        { totp: input.totp, rememberToken: extras.rememberToken },
        settings,
      );
      // The password was right: say that a code is needed (the console then asks for it). Not counted
      // as a failure; a wrong code is. Every other failure stays the one INVALID_CREDENTIALS.
      if (second.status === "missing") {
        await fail("second_factor_missing", false).catch(() => undefined);
        // API.md: every sign-in failure is 401 INVALID_CREDENTIALS; this one also says that a code is
        // what is missing, which only someone who typed the right password learns.
        throw new AppError("INVALID_CREDENTIALS", undefined, { extensions: { secondFactor: "required" } });
      }
      if (second.status === "invalid") return fail("second_factor_invalid", true);
      const purpose: SessionPurpose = second.status === "enrolment_required" ? "mfa_enrolment" : "full";

      // Upgrade the work factor (Password Storage CS) while the password is at hand.
      const rehash =
        row.password_hash && deps.hasher.needsRehash(row.password_hash)
          ? await deps.hasher.hash(input.password)
          : null;

      const token = newSecret("sgs");
      const csrfToken = newSecret("csrf");
      const expiresAt = new Date(now.getTime() + settings.absoluteTimeoutHours * 3_600_000).toISOString();
      const ctx: Ctx = {
        ...meta,
        tenantId: tenant.id,
        actor: { type: "user", id: row.id, label: row.username },
      };
      const fresh = await inTx(deps, async (trx) => {
        // Refused if the account changed while the password was verified (a parallel failure
        // locked it, its password was set or reset, it stopped being active); its row is the user
        // as signed in, for the answer (no read after the commit).
        const signedIn = await recordSignIn(trx, tenant.id, row.id, nowIso, row.password_hash!);
        if (!signedIn) return undefined;
        if (rehash) {
          await trx
            .updateTable("users")
            .set({ password_hash: rehash })
            .where("tenant_id", "=", tenant.id)
            .where("id", "=", row.id)
            .where("password_hash", "=", row.password_hash)
            .execute();
          failpoint("after_hash_write");
        }
        const sessionId = deps.ids.next("ses");
        const sessionStore = createSessionStore(trx, tenant.id);
        await sessionStore.insertSession({
          id: sessionId,
          user_id: row.id,
          token_hash: hashSecret(token),
          created_at: nowIso,
          last_used_at: nowIso,
          expires_at: expiresAt,
          ip: meta.ip,
          user_agent: meta.userAgent,
          purpose,
          csrf_hash: hashSecret(csrfToken),
          mfa_verified: second.status === "ok" ? 1 : 0,
        });
        const evicted = await sessionStore.evictBeyond(
          row.id,
          sessionId,
          settings.maxSessionsPerUser - 1,
          nowIso,
        );
        if (evicted > 0) {
          await appendAudit(deps, trx, ctx, {
            action: "auth.session.evicted",
            target: { type: "user", id: row.id, label: row.username },
            changes: {
              sessionsEnded: { after: evicted },
              maxSessionsPerUser: { after: settings.maxSessionsPerUser },
            },
          });
        }
        // Failures counted before this success (read with the account, before the password was
        // verified): the success resets them, and the log names it authn_login_successafterfail.
        const failedBefore = Number(row.failed_attempts);
        await appendAudit(deps, trx, ctx, {
          action: "auth.login.succeeded",
          target: { type: "user", id: row.id, label: row.username },
          ...(failedBefore > 0 ? { vocabulary: "authn_login_successafterfail" } : {}),
          changes: {
            ...(failedBefore > 0 ? { failedAttempts: { before: failedBefore, after: 0 } } : {}),
            ...(second.status === "ok" ? { secondFactor: { after: second.method } } : {}),
            ...(purpose !== "full" ? { purpose: { after: purpose } } : {}),
            ...(rehash ? { passwordRehashed: { after: true } } : {}),
          },
        });
        // Last, after the audit is written (it waits for the tenant's chain lock, which a purge
        // or an import holds for a while): on PostgreSQL the per-address row, which every sign-in
        // from that address counts on, whatever the tenant, stays locked only until the commit.
        await flushAudit(trx);
        await refund(trx);
        return signedIn;
      });
      if (!fresh) return fail("changed_meanwhile", false);
      if (extras.replacedToken) await endReplacedSession(meta, extras.replacedToken);
      const remember =
        input.rememberDevice && second.status === "ok" && second.method !== "remembered"
          ? await issueRememberToken(deps, tenant.id, row.id, settings)
          : null;
      const [user] = await users.toUsers([fresh], nowIso);
      return {
        token,
        csrfToken,
        expiresAt,
        mustChangePassword: fresh.must_change_password === 1,
        purpose: reportedPurpose(purpose, fresh.must_change_password === 1),
        user: user!,
        ...(remember ? { remember } : {}),
      };
    },
  };
}

export type LoginService = ReturnType<typeof createLoginService>;
