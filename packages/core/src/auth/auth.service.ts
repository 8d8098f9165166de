/**
 * Minimal sign-in (issue 3): tenant + username or email + password → an opaque bearer session.
 * Every failure is the same INVALID_CREDENTIALS; a dummy verify runs when there is no user, so
 * the time does not tell either. The full credential lifecycle extends this service.
 */
import type { User } from "@staffgate/contract";
import type { RoleGrants } from "../access/grants.rules.ts";
import type { PolicyCache } from "../access/policy-cache.ts";
import { appendAudit } from "../audit/audit-writer.ts";
import type { Ctx, RequestMeta } from "../shared/context.ts";
import type { Deps } from "../shared/deps.ts";
import { AppError } from "../shared/errors.ts";
import { hashSecret, newSecret } from "../shared/ids.ts";
import { foldKey } from "../shared/text.rules.ts";
import { inTx } from "../shared/tx.ts";
import { readSettings } from "../tenants/settings.rules.ts";
import { createTenantStore } from "../tenants/tenants.store.ts";
import { createUserStore } from "../users/users.store.ts";
import { API_TOKEN_PREFIX } from "./api-tokens.service.ts";
import { createApiTokenStore } from "./api-tokens.store.ts";
import { type Caller, callerPermissions } from "./caller.ts";
import { createSessionStore } from "./sessions.store.ts";

export interface LoginInput {
  readonly tenant: string;
  readonly login: string;
  readonly password: string;
}

export interface LoginResult {
  readonly token: string;
  readonly expiresAt: string;
  readonly mustChangePassword: boolean;
  readonly user: User;
}

/** Touching last_used_at on every request would make every read a write; once a minute is enough. */
const TOUCH_INTERVAL_MS = 60_000;

export function createAuthService(deps: Deps, cache: PolicyCache) {
  let dummyHash: Promise<string> | null = null;
  const dummy = () => {
    dummyHash ??= deps.hasher.hash("staffgate-dummy-password-for-timing");
    return dummyHash;
  };

  return {
    async login(meta: RequestMeta, input: LoginInput): Promise<LoginResult> {
      const tenant = await createTenantStore(deps.db.kysely).findTenantBySlug(foldKey(input.tenant));
      const users = tenant && createUserStore(deps.db.kysely, tenant.id);
      const row = users && (await users.findUserRowByLogin(foldKey(input.login)));
      const now = deps.clock.now();
      let passwordOk = false;
      if (row?.password_hash) passwordOk = await deps.hasher.verify(row.password_hash, input.password);
      else await deps.hasher.verify(await dummy(), input.password);
      const lockedNow =
        row?.locked === 1 && (row.locked_until === null || row.locked_until > now.toISOString());
      const usable =
        row !== undefined &&
        row.status === "active" &&
        row.virtual === 0 &&
        !lockedNow &&
        (row.expires_at === null || row.expires_at > now.toISOString());
      if (!tenant || !row || !passwordOk || !usable) {
        if (tenant) {
          const ctx: Ctx = {
            ...meta,
            tenantId: tenant.id,
            actor: { type: "user", id: row?.id ?? null, label: input.login },
          };
          await inTx(deps, (trx) =>
            appendAudit(deps, trx, ctx, {
              action: "auth.login.failed",
              target: row ? { type: "user", id: row.id, label: row.username } : undefined,
              outcome: "failure",
            }),
          );
        }
        throw new AppError("INVALID_CREDENTIALS");
      }
      const settings = readSettings(tenant.settings);
      const token = newSecret("sgs");
      const expiresAt = new Date(now.getTime() + settings.absoluteTimeoutHours * 3_600_000).toISOString();
      const ctx: Ctx = {
        ...meta,
        tenantId: tenant.id,
        actor: { type: "user", id: row.id, label: row.username },
      };
      await inTx(deps, async (trx) => {
        await createSessionStore(trx, tenant.id).insertSession({
          id: deps.ids.next("ses"),
          user_id: row.id,
          token_hash: hashSecret(token),
          created_at: now.toISOString(),
          last_used_at: now.toISOString(),
          expires_at: expiresAt,
          ip: meta.ip,
          user_agent: meta.userAgent,
        });
        await trx
          .updateTable("users")
          .set({ last_login_at: now.toISOString(), failed_attempts: 0 })
          .where("tenant_id", "=", tenant.id)
          .where("id", "=", row.id)
          .execute();
        await appendAudit(deps, trx, ctx, {
          action: "auth.login.succeeded",
          target: { type: "user", id: row.id, label: row.username },
        });
      });
      const fresh = (await users.findUserRowById(row.id))!;
      const [user] = await users.toUsers([fresh]);
      return { token, expiresAt, mustChangePassword: fresh.must_change_password === 1, user: user! };
    },

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
     * Resolves a bearer token to its caller, or undefined when it is unknown, expired or its user
     * cannot act. One statement reads the session, its user's state and the tenant's policy
     * version; the user's roles come from the policy snapshot at that version (never stale, see
     * access/policy-cache.ts), which the request's decisions then reuse.
     */
    async authenticate(token: string): Promise<Caller | undefined> {
      if (token.startsWith(`${API_TOKEN_PREFIX}_`)) return authenticateApiToken(deps, cache, token);
      if (!token.startsWith("sgs_")) return undefined;
      const row = await deps.db.kysely
        .selectFrom("sessions as s")
        .innerJoin("tenants as t", "t.id", "s.tenant_id")
        .innerJoin("users as u", (join) =>
          join.onRef("u.tenant_id", "=", "s.tenant_id").onRef("u.id", "=", "s.user_id"),
        )
        .select([
          "s.id as sessionId",
          "s.tenant_id as tenantId",
          "s.user_id as userId",
          "s.expires_at as expiresAt",
          "s.last_used_at as lastUsedAt",
          "t.policy_version as version",
          "t.settings as settings",
          "u.username as username",
          "u.status as status",
          "u.virtual as virtual",
          "u.expires_at as userExpiresAt",
          "u.must_change_password as mustChangePassword",
        ])
        .where("s.token_hash", "=", hashSecret(token))
        .executeTakeFirst();
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
      const workspaceRoles = new Map<string, RoleGrants>();
      for (const [workspaceId, roleId] of user.workspaceRoles) {
        const r = policy.roles.get(roleId);
        if (r) workspaceRoles.set(workspaceId, r);
      }
      if (now.getTime() - Date.parse(row.lastUsedAt) > TOUCH_INTERVAL_MS) {
        await createSessionStore(deps.db.kysely, row.tenantId).touchSession(row.sessionId, nowIso);
      }
      return {
        kind: "session",
        tenantId: row.tenantId,
        actor: { type: "user", id: row.userId, label: row.username },
        userId: row.userId,
        sessionId: row.sessionId,
        mustChangePassword: row.mustChangePassword === 1,
        catalog: policy.catalog,
        holder: { role, workspaceRoles },
        permissions: callerPermissions(policy.catalog, role),
        policy,
      };
    },

    async me(caller: Caller) {
      const users = createUserStore(deps.db.kysely, caller.tenantId);
      const row = await users.findUserRowById(caller.userId);
      if (!row) throw new AppError("UNAUTHENTICATED");
      const tenant = (await createTenantStore(deps.db.kysely).findTenantById(caller.tenantId))!;
      const [user] = await users.toUsers([row]);
      return {
        user: user!,
        tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name },
        permissions: [...caller.permissions].sort(),
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
  const row = await deps.db.kysely
    .selectFrom("api_tokens as k")
    .innerJoin("tenants as t", "t.id", "k.tenant_id")
    .innerJoin("users as u", (join) =>
      join.onRef("u.tenant_id", "=", "k.tenant_id").onRef("u.id", "=", "k.user_id"),
    )
    .select([
      "k.id as tokenId",
      "k.name as name",
      "k.tenant_id as tenantId",
      "k.user_id as userId",
      "k.expires_at as expiresAt",
      "k.revoked_at as revokedAt",
      "k.last_used_at as lastUsedAt",
      "t.policy_version as version",
      "t.settings as settings",
      "u.status as status",
      "u.virtual as virtual",
      "u.expires_at as userExpiresAt",
    ])
    .where("k.token_hash", "=", hashSecret(token))
    .executeTakeFirst();
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
