/**
 * Sessions: sign-in (delegated to login.service.ts), sign-out, resolving a token to its caller
 * (with the idle and absolute limits), "who am I", and the user's own list of sessions.
 */

import type { Session } from "@staffgate/contract";
import type { Selectable } from "kysely";
import type { PolicyCache } from "../access/policy-cache.ts";
import { appendAudit } from "../audit/audit-writer.ts";
import type { SessionsTable } from "../db/schema.ts";
import type { Ctx, RequestMeta } from "../shared/context.ts";
import { decodePairCursor, encodeCursor } from "../shared/cursor.ts";
import type { Deps } from "../shared/deps.ts";
import { AppError } from "../shared/errors.ts";
import { inChangeTx } from "../shared/tx.ts";
import { expectVersion } from "../shared/versions.ts";
import { readSettings, type TenantSettings } from "../tenants/settings.rules.ts";
import { createTenantStore } from "../tenants/tenants.store.ts";
import { createUserStore } from "../users/users.store.ts";
import { createWorkspaceStore } from "../workspaces/workspaces.store.ts";
import { API_TOKEN_PREFIX } from "./api-tokens.service.ts";
import { createApiTokenAuthenticator, createSessionAuthenticator } from "./authenticate.ts";
import type { Caller } from "./caller.ts";
import { createLoginService, LOGIN_THROTTLE, type LoginThrottleLimits } from "./login.service.ts";
import { rememberDeviceDays } from "./mfa.rules.ts";
import { mfaRequiredOf } from "./mfa.service.ts";
import { idledOut, sessionEndIso, sessionEndMs } from "./session-lifetime.rules.ts";
import { purposeNow, reportedPurpose } from "./session-purpose.rules.ts";
import { createSessionStore } from "./sessions.store.ts";
import { requireRecentSignIn } from "./step-up.ts";

export type { LoginInput, LoginResult } from "./login.service.ts";

export interface AuthenticateOptions {
  /**
   * The workspace the request is made in (header `Staffgate-Workspace`): when that workspace has
   * its own idle timeout (`idle_timeout_seconds`), that limit applies instead of the tenant's; a
   * shorter one binds the session from then on, whatever later requests name.
   */
  readonly workspaceId?: string | undefined;
}

export interface AuthServiceOptions {
  /** Sign-in throttling limits; the defaults are LOGIN_THROTTLE (tests and benchmarks raise them). */
  readonly loginThrottle?: Partial<LoginThrottleLimits>;
}

export function createAuthService(deps: Deps, cache: PolicyCache, options: AuthServiceOptions = {}) {
  const signIn = createLoginService(deps, { ...LOGIN_THROTTLE, ...options.loginThrottle });
  const sessions = createSessionAuthenticator(deps, cache);
  const tokens = createApiTokenAuthenticator(deps, cache);

  /** The tenant's settings as the caller's request sees them. */
  async function settingsOf(caller: Caller): Promise<TenantSettings> {
    return (
      caller.policy?.settings ??
      readSettings((await createTenantStore(deps.db.kysely).findTenantById(caller.tenantId))!.settings)
    );
  }

  /** The caller's MFA state under the tenant's current rule (session-purpose.rules.ts purposeNow). */
  async function mfaStateOf(caller: Caller, settings: TenantSettings) {
    const row = await createUserStore(deps.db.kysely, caller.tenantId).findUserRowById(caller.userId);
    if (!row) throw new AppError("UNAUTHENTICATED");
    return {
      enrolled: row.mfa_enrolled === 1,
      required: await mfaRequiredOf(deps, deps.db.kysely, row, settings),
    };
  }

  return {
    login: signIn.login,

    async logout(caller: Caller, meta: RequestMeta): Promise<void> {
      // A 204 would tell a program its credential ended while it still works.
      if (caller.kind === "api_token") {
        throw new AppError(
          "FORBIDDEN",
          "An API token is not signed out: it ends when revoked (DELETE /api/v1/api-tokens/{id})",
        );
      }
      if (!caller.sessionId) return;
      const ctx: Ctx = { ...meta, tenantId: caller.tenantId, actor: caller.actor };
      await inChangeTx(deps, caller.tenantId, async (trx) => {
        await createSessionStore(trx, caller.tenantId).deleteSession(caller.sessionId!);
        await appendAudit(deps, trx, ctx, {
          action: "auth.logout",
          target: { type: "user", id: caller.userId, label: caller.actor.label },
        });
      });
    },

    /**
     * Resolves a session token (bearer or cookie) or API token to its caller, or undefined when
     * it is unknown, expired, idle too long, or its user cannot act. One statement reads the
     * session, its user's state, the tenant's policy version and (when the request names one) the
     * workspace's idle override; the user's roles come from the policy snapshot at that version
     * (never stale, see access/policy-cache.ts), which the request's decisions then reuse. On
     * SQLite that read is skipped while nothing has been committed since the token's last one
     * (caller-cache.ts), and then the answer is given synchronously.
     *
     * Idle limit: the workspace's `idle_timeout_seconds` when `options.workspaceId` names a
     * workspace of the session's tenant that has one, else the tenant's idleTimeoutMinutes; never
     * more than the shortest workspace limit the session has worked under (authenticate.ts).
     * last_used_at is written when older than min(60 s, idle / 4), so a session can end at most
     * that much early and never late.
     */
    authenticate(
      token: string,
      options: AuthenticateOptions = {},
    ): Caller | undefined | Promise<Caller | undefined> {
      if (token.startsWith(`${API_TOKEN_PREFIX}_`)) return tokens.authenticate(token);
      if (!token.startsWith("sgs_")) return undefined;
      return sessions.authenticate(token, options.workspaceId ?? "");
    },

    /**
     * The caller's own sessions that still serve (SECURITY.md E-39): not past their absolute end
     * (session-lifetime.rules.ts) and not idle past the longest limit they could be judged by (their
     * cap, else the tenant's limit or a workspace's longer one); the one in use is always listed.
     */
    async listSessions(
      caller: Caller,
      query: { readonly limit: number; readonly cursor?: string | undefined },
    ): Promise<{ items: Session[]; nextCursor: string | null }> {
      const settings = await settingsOf(caller);
      const mfa = await mfaStateOf(caller, settings);
      const nowMs = deps.clock.now().getTime();
      const longestWorkspace = await createWorkspaceStore(
        deps.db.kysely,
        caller.tenantId,
      ).longestIdleSeconds();
      const longestIdle = Math.max(settings.idleTimeoutMinutes * 60, longestWorkspace ?? 0);
      /** The row as listed, or null when it could no longer serve a request. */
      const listed = (r: Selectable<SessionsTable>): Session | null => {
        // A session the MFA rule no longer lets serve is refused on its next request: not listed.
        const purpose = purposeNow(r.purpose, {
          ...mfa,
          verified: r.mfa_verified === 1,
          waived: r.mfa_waived === 1,
        });
        if (purpose === null) return null;
        const current = r.id === caller.sessionId;
        const endMs = sessionEndMs(r.created_at, r.expires_at, settings.absoluteTimeoutHours);
        // Its cap is the strictest workspace it worked in, never longer than what could judge it.
        const idleLimit = Math.min(Number(r.idle_cap_seconds ?? longestIdle), longestIdle);
        if (!current && (nowMs >= endMs || idledOut(r.last_used_at, idleLimit, nowMs))) return null;
        return {
          id: r.id,
          createdAt: r.created_at,
          lastUsedAt: r.last_used_at,
          expiresAt: new Date(endMs).toISOString(),
          ip: r.ip,
          userAgent: r.user_agent,
          purpose,
          current,
        };
      };
      // Pages are cut from the sessions listed, not from the rows read: rows that are not listed
      // are read past, so no page comes back empty while more follow.
      const store = createSessionStore(deps.db.kysely, caller.tenantId);
      const shown: { row: Selectable<SessionsTable>; item: Session }[] = [];
      let after = decodePairCursor(query.cursor);
      for (;;) {
        const rows = await store.listForUser(
          caller.userId,
          new Date(nowMs).toISOString(),
          query.limit + 1,
          after,
        );
        for (const row of rows) {
          const item = listed(row);
          if (item) shown.push({ row, item });
          if (shown.length > query.limit) break;
        }
        if (shown.length > query.limit || rows.length <= query.limit) break;
        const last = rows.at(-1)!;
        after = [last.created_at, last.id];
      }
      const page = shown.slice(0, query.limit);
      const last = page.at(-1)?.row;
      return {
        nextCursor: shown.length > query.limit && last ? encodeCursor([last.created_at, last.id]) : null,
        items: page.map((s) => s.item),
      };
    },

    /**
     * Ends one of the caller's own sessions; another user's (or tenant's) id is 404 like a missing
     * one; a stale If-Match is 412 and ends nothing. Ending another of one's sessions needs a
     * recent sign-in or the password (ASVS 7.5.2, step-up.ts); ending this one is signing out.
     */
    async endSession(
      caller: Caller,
      ctx: Ctx,
      id: string,
      ifMatch?: number,
      input: { password?: string | undefined } = {},
    ): Promise<void> {
      // Checked before the password, and outside the change's transaction (a password is hashed
      // to be checked): another user's or tenant's id is 404 and a stale If-Match 412 before any
      // password is read, counted or audited. Sessions have no version: one is never changed
      // through the API, only ended, so it is at 1.
      const mine = await createSessionStore(deps.db.kysely, caller.tenantId).findSession(id);
      if (mine?.user_id !== caller.userId) throw new AppError("NOT_FOUND", "No such session");
      expectVersion(1, ifMatch);
      // A password sent is checked even to end this session, as every step-up checks one sent.
      if (id !== caller.sessionId || input.password !== undefined) {
        await requireRecentSignIn(deps, ctx, caller, input.password, {
          action: "auth.session.ended",
          doing: "Ending another of your sessions",
        });
      }
      await inChangeTx(deps, caller.tenantId, async (trx) => {
        const sessions = createSessionStore(trx, caller.tenantId);
        // Ended meanwhile (by another request): 404, as deleteUserSession finds nothing.
        const ended = await sessions.deleteUserSession(caller.userId, id);
        if (!ended) throw new AppError("NOT_FOUND", "No such session");
        await appendAudit(deps, trx, ctx, {
          action: "auth.session.ended",
          target: { type: "user", id: caller.userId, label: caller.actor.label },
          changes: { session: { before: id } },
        });
      });
    },

    async me(caller: Caller) {
      const users = createUserStore(deps.db.kysely, caller.tenantId);
      const row = await users.findUserRowById(caller.userId);
      if (!row) throw new AppError("UNAUTHENTICATED");
      const tenant = (await createTenantStore(deps.db.kysely).findTenantById(caller.tenantId))!;
      const [user] = await users.toUsers([row], deps.clock.now().toISOString());
      const settings = caller.policy?.settings ?? readSettings(tenant.settings);
      // The console warns before the idle limit signs it out, so it needs the limit and the purpose.
      const session = caller.sessionId
        ? await createSessionStore(deps.db.kysely, caller.tenantId).findSession(caller.sessionId)
        : undefined;
      return {
        user: user!,
        tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name },
        permissions: [...caller.permissions].sort(),
        mfaRequired: await mfaRequiredOf(deps, deps.db.kysely, row, settings),
        practice: {
          adminTypedPasswordsAllowed: settings.adminTypedPasswordsAllowed,
          emergencyAccessHours: settings.emergencyAccessHours,
          rememberDeviceDays: rememberDeviceDays(settings),
        },
        session:
          session && caller.policy
            ? {
                id: session.id,
                purpose: reportedPurpose(
                  caller.sessionPurpose ?? session.purpose,
                  row.must_change_password === 1,
                ),
                // The limit this request is judged by: the named workspace's own, else the tenant's,
                // within the session's cap (the strictest workspace it has worked in).
                idleTimeoutSeconds: caller.idleLimitSeconds ?? caller.policy.settings.idleTimeoutMinutes * 60,
                expiresAt: sessionEndIso(
                  session.created_at,
                  session.expires_at,
                  settings.absoluteTimeoutHours,
                ),
              }
            : null,
      };
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
