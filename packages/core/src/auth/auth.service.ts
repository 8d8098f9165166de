/**
 * Sessions: sign-in (delegated to login.service.ts), sign-out, resolving a token to its caller
 * (with the idle and absolute limits), "who am I", and the user's own list of sessions.
 */
import type { Session } from "@staffgate/contract";
import type { RoleGrants } from "../access/grants.rules.ts";
import type { PolicyCache } from "../access/policy-cache.ts";
import { appendAudit } from "../audit/audit-writer.ts";
import type { Ctx, RequestMeta } from "../shared/context.ts";
import type { Deps } from "../shared/deps.ts";
import { AppError } from "../shared/errors.ts";
import { hashSecret } from "../shared/ids.ts";
import { inTx } from "../shared/tx.ts";
import { createTenantStore } from "../tenants/tenants.store.ts";
import { createUserStore } from "../users/users.store.ts";
import { API_TOKEN_PREFIX } from "./api-tokens.service.ts";
import { createApiTokenStore } from "./api-tokens.store.ts";
import { findApiTokenCaller, findSessionCaller } from "./authenticate.store.ts";
import { type Caller, callerPermissions } from "./caller.ts";
import { createLoginService, LOGIN_THROTTLE, type LoginThrottleLimits } from "./login.service.ts";
import { createSessionStore } from "./sessions.store.ts";

export type { LoginInput, LoginResult } from "./login.service.ts";

/** Touching last_used_at on every request would make every read a write; once a minute at most. */
const TOUCH_INTERVAL_MS = 60_000;

export interface AuthenticateOptions {
  /**
   * The workspace the request is made in (header `Staffgate-Workspace`): when that workspace has
   * its own idle timeout (`idle_timeout_seconds`), that limit applies instead of the tenant's.
   */
  readonly workspaceId?: string | undefined;
}

export interface AuthServiceOptions {
  /** Sign-in throttling limits; the defaults are LOGIN_THROTTLE (tests and benchmarks raise them). */
  readonly loginThrottle?: Partial<LoginThrottleLimits>;
}

export function createAuthService(deps: Deps, cache: PolicyCache, options: AuthServiceOptions = {}) {
  const signIn = createLoginService(deps, { ...LOGIN_THROTTLE, ...options.loginThrottle });

  return {
    login: signIn.login,

    async logout(caller: Caller, meta: RequestMeta): Promise<void> {
      if (!caller.sessionId) return;
      const ctx: Ctx = { ...meta, tenantId: caller.tenantId, actor: caller.actor };
      await inTx(deps, async (trx) => {
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
     * (never stale, see access/policy-cache.ts), which the request's decisions then reuse.
     *
     * Idle limit: the workspace's `idle_timeout_seconds` when `options.workspaceId` names a
     * workspace of the session's tenant that has one, else the tenant's idleTimeoutMinutes.
     * last_used_at is written when older than min(60 s, idle / 4), so a session can end at most
     * that much early and never late.
     */
    async authenticate(token: string, options: AuthenticateOptions = {}): Promise<Caller | undefined> {
      if (token.startsWith(`${API_TOKEN_PREFIX}_`)) return authenticateApiToken(deps, cache, token);
      if (!token.startsWith("sgs_")) return undefined;
      const workspaceId = options.workspaceId ?? "";
      const row = await findSessionCaller(deps.db.kysely, hashSecret(token), workspaceId);
      const now = deps.clock.now();
      const nowIso = now.toISOString();
      if (!row || row.expiresAt <= nowIso) return undefined;
      if (row.status !== "active" || row.virtual === 1) return undefined;
      if (row.userExpiresAt !== null && row.userExpiresAt <= nowIso) return undefined;
      let policy = await cache.at(row.tenantId, { version: Number(row.version), settings: row.settings });
      if (policy && !policy.users.has(row.userId)) policy = await cache.reload(row.tenantId);
      const user = policy?.users.get(row.userId);
      const role = user ? policy?.roles.get(user.roleId) : undefined;
      if (!policy || !user || !role) return undefined;
      const idleMs =
        row.workspaceIdleSeconds !== null && row.workspaceIdleSeconds !== undefined
          ? Number(row.workspaceIdleSeconds) * 1000
          : policy.settings.idleTimeoutMinutes * 60_000;
      const idleFor = now.getTime() - Date.parse(row.lastUsedAt);
      if (idleFor > idleMs) return undefined;
      const workspaceRoles = new Map<string, RoleGrants>();
      for (const [workspaceId, roleId] of user.workspaceRoles) {
        const r = policy.roles.get(roleId);
        if (r) workspaceRoles.set(workspaceId, r);
      }
      if (idleFor >= Math.min(TOUCH_INTERVAL_MS, idleMs / 4)) {
        await createSessionStore(deps.db.kysely, row.tenantId).touchSession(row.sessionId, nowIso);
      }
      return {
        kind: "session",
        tenantId: row.tenantId,
        actor: { type: "user", id: row.userId, label: row.username },
        userId: row.userId,
        sessionId: row.sessionId,
        mustChangePassword: row.mustChangePassword === 1,
        sessionPurpose: row.purpose,
        csrfHash: row.csrfHash,
        catalog: policy.catalog,
        holder: { role, workspaceRoles },
        permissions: callerPermissions(policy.catalog, role),
        policy,
      };
    },

    /** The caller's own sessions that have not reached their absolute limit (SECURITY.md E-39). */
    async listSessions(caller: Caller): Promise<{ items: Session[] }> {
      const rows = await createSessionStore(deps.db.kysely, caller.tenantId).listForUser(
        caller.userId,
        deps.clock.now().toISOString(),
      );
      return {
        items: rows.map((r) => ({
          id: r.id,
          createdAt: r.created_at,
          lastUsedAt: r.last_used_at,
          expiresAt: r.expires_at,
          ip: r.ip,
          userAgent: r.user_agent,
          purpose: r.purpose,
          current: r.id === caller.sessionId,
        })),
      };
    },

    /** Ends one of the caller's own sessions; another user's (or tenant's) id is 404 like a missing one. */
    async endSession(caller: Caller, ctx: Ctx, id: string): Promise<void> {
      await inTx(deps, async (trx) => {
        const ended = await createSessionStore(trx, caller.tenantId).deleteUserSession(caller.userId, id);
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
      const [user] = await users.toUsers([row]);
      // The console warns before the idle limit signs it out, so it needs the limit and the purpose.
      const session = caller.sessionId
        ? await createSessionStore(deps.db.kysely, caller.tenantId).findSession(caller.sessionId)
        : undefined;
      return {
        user: user!,
        tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name },
        permissions: [...caller.permissions].sort(),
        session:
          session && caller.policy
            ? {
                id: session.id,
                purpose: session.purpose,
                idleTimeoutSeconds: caller.policy.settings.idleTimeoutMinutes * 60,
                expiresAt: session.expires_at,
              }
            : null,
      };
    },
  };
}

/**
 * The API-token branch of authenticate(): one statement reads the token (by its hash), its
 * integration user's state and the tenant's policy version; the user's roles come from the policy
 * snapshot at that version, as for sessions. Nothing about a token is cached, so a revocation or
 * expiry holds from the very next request.
 */
async function authenticateApiToken(
  deps: Deps,
  cache: PolicyCache,
  token: string,
): Promise<Caller | undefined> {
  const row = await findApiTokenCaller(deps.db.kysely, hashSecret(token));
  const now = deps.clock.now();
  const nowIso = now.toISOString();
  if (!row || row.revokedAt !== null) return undefined;
  if (row.expiresAt !== null && row.expiresAt <= nowIso) return undefined;
  // A token acts only as its own virtual integration user, and only while that user is active.
  if (row.status !== "active" || row.virtual !== 1) return undefined;
  if (row.userExpiresAt !== null && row.userExpiresAt <= nowIso) return undefined;
  let policy = await cache.at(row.tenantId, { version: Number(row.version), settings: row.settings });
  if (policy && !policy.users.has(row.userId)) policy = await cache.reload(row.tenantId);
  const user = policy?.users.get(row.userId);
  const role = user ? policy?.roles.get(user.roleId) : undefined;
  if (!policy || !user || !role) return undefined;
  const workspaceRoles = new Map<string, RoleGrants>();
  for (const [workspaceId, roleId] of user.workspaceRoles) {
    const r = policy.roles.get(roleId);
    if (r) workspaceRoles.set(workspaceId, r);
  }
  if (row.lastUsedAt === null || now.getTime() - Date.parse(row.lastUsedAt) > TOUCH_INTERVAL_MS) {
    await createApiTokenStore(deps.db.kysely, row.tenantId).touchToken(row.tokenId, nowIso);
  }
  return {
    kind: "api_token",
    tenantId: row.tenantId,
    actor: { type: "api_token", id: row.tokenId, label: row.name, userId: row.userId },
    userId: row.userId,
    sessionId: null,
    mustChangePassword: false,
    catalog: policy.catalog,
    holder: { role, workspaceRoles },
    permissions: callerPermissions(policy.catalog, role),
    policy,
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
