/**
 * API tokens (issue 4 item 10; PRODUCT.md §4, SECURITY.md §F). A token acts as a virtual
 * integration user "Integration <name>" of one tenant holding one formal role; that user is created
 * with the token, in the same transaction. The token is random (256 bits), returned once and stored
 * only as its SHA-256. Revoking a token archives its integration user in the same transaction, so
 * no active principal is left behind without a credential.
 */

import { randomBytes } from "node:crypto";
import type { ApiToken, CreateApiTokenBody, CreatedApiToken, ListApiTokensQuery } from "@staffgate/contract";
import { currentHolder } from "../access/current-holder.ts";
import type { PolicyCache } from "../access/policy-cache.ts";
import type { PolicySnapshot } from "../access/policy-snapshot.ts";
import { appendAudit, snapshotChanges } from "../audit/audit-writer.ts";
import type { Ctx } from "../shared/context.ts";
import { decodePairCursor, encodeCursor } from "../shared/cursor.ts";
import type { Deps } from "../shared/deps.ts";
import { AppError, invalid } from "../shared/errors.ts";
import { hashSecret, newSecret } from "../shared/ids.ts";
import { type Executor, inTenantTx } from "../shared/tx.ts";
import { expectVersion } from "../shared/versions.ts";
import { createTenantStore } from "../tenants/tenants.store.ts";
import { AUDITED_USER_FIELDS, ensureCoversRole, loadFormalRole } from "../users/user-input.ts";
import { takenError } from "../users/users.service.ts";
import { createUserStore } from "../users/users.store.ts";
import { newUserRow } from "../users/users.table.ts";
import { revokeTokenRow } from "./access-cutoff.ts";
import { type ApiTokenListRow, createApiTokenStore } from "./api-tokens.store.ts";
import type { Caller } from "./caller.ts";
import { makersExpireAt, tokenMakers } from "./token-cover.rules.ts";

/** API tokens start with this; sessions with `sgs_`. */
export const API_TOKEN_PREFIX = "sgt";

/**
 * A session or API token by its (public) prefix. The operator token may not look like one
 * (config.ts), so a request carrying one is never compared with the operator token: that
 * comparison hashes the token, a cost every decision would otherwise pay.
 */
export function isTenantToken(token: string): boolean {
  return token.startsWith("sgs_") || token.startsWith(`${API_TOKEN_PREFIX}_`);
}

const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/** `n` random lower-case letters and digits (for the integration user's username and email). */
function randomChars(n: number): string {
  const bytes = randomBytes(n);
  let out = "";
  for (const b of bytes) out += ALPHABET[b % ALPHABET.length];
  return out;
}

/** ASCII slug of a token name for the username: at most 45 characters so the username fits 64. */
export function slugOfName(name: string): string {
  const slug = name
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 45)
    .replace(/-+$/, "");
  return slug || "token";
}

/**
 * A token changes once, when it is revoked: version 1 while active, 2 after. It is the ETag of
 * `GET /api-tokens/{id}` and what `DELETE`'s If-Match is compared with.
 */
const versionOf = (row: { readonly revoked_at: string | null }) => (row.revoked_at === null ? 1 : 2);

function toApiToken(row: ApiTokenListRow, snapshot: PolicySnapshot, now: string): ApiToken {
  const makersUntil = makersExpireAt(snapshot, row.user_id);
  return {
    id: row.id,
    version: versionOf(row),
    name: row.name,
    userId: row.user_id,
    roleId: row.role_id,
    createdAt: row.created_at,
    createdBy: row.created_by,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
    // Refused meanwhile as authenticate.ts refuses it: a maker not covering it, or past its expiry.
    heldBack:
      row.revoked_at === null &&
      (!tokenMakers(snapshot, row.user_id).covered || (makersUntil !== null && makersUntil <= now)),
  };
}

export function createApiTokensService(deps: Deps, policy: PolicyCache) {
  /** The tenant's policy as of now: what judges whether each token's maker still covers it. */
  async function snapshotOf(tenantId: string): Promise<PolicySnapshot> {
    const snapshot = await policy.get(tenantId);
    if (!snapshot) throw new AppError("TENANT_NOT_FOUND");
    return snapshot;
  }

  return {
    async createToken(ctx: Ctx, caller: Caller, input: CreateApiTokenBody): Promise<CreatedApiToken> {
      const name = input.name.trim();
      const now = deps.clock.now().toISOString();
      let asked: string | null = null;
      if (input.expiresAt !== null && input.expiresAt !== undefined) {
        asked = new Date(input.expiresAt).toISOString();
        if (asked <= now) throw invalid("expiresAt", "must be in the future");
      }
      const token = newSecret(API_TOKEN_PREFIX);
      const id = deps.ids.next("tok");
      const userId = deps.ids.next("usr");
      try {
        return await inTenantTx(deps, ctx.tenantId, async (trx) => {
          const tenant = await createTenantStore(trx).findTenantById(ctx.tenantId);
          if (!tenant) throw new AppError("TENANT_NOT_FOUND");
          const expiresAt = await expiryWithin(trx, ctx.tenantId, caller, asked);
          const role = await loadFormalRole(trx, ctx.tenantId, input.roleId);
          // The token's role must be covered by what the creator holds now (SECURITY.md G-52), and
          // it acts only where its creator is active: an administrator limited to some workspaces
          // made an integration user active in every one (found by the re-check, 2026-12-05).
          const holder = await currentHolder(trx, caller);
          ensureCoversRole(caller, holder, role);
          const access = holder.activeIn === "all" ? ("all" as const) : [...holder.activeIn];

          const username = `integration-${slugOfName(name)}-${randomChars(6)}`;
          const email = `integration+${randomChars(12)}@${tenant.slug}.invalid`;
          const user = newUserRow({
            id: userId,
            username,
            email,
            firstName: "Integration",
            lastName: integrationLastName(name),
            roleId: role.id,
            workspaceAccessAll: access === "all",
            virtual: true,
            status: "active",
            createdAt: now,
            createdBy: caller.userId,
          });
          const users = createUserStore(trx, ctx.tenantId);
          await users.insertUser(user);
          if (access !== "all") await users.replaceWorkspaceAccess(userId, access);
          await createApiTokenStore(trx, ctx.tenantId).insertToken({
            id,
            name,
            user_id: userId,
            token_hash: hashSecret(token),
            created_at: now,
            created_by: caller.userId,
            expires_at: expiresAt,
            last_used_at: null,
            revoked_at: null,
          });
          const created = (await users.toUsers([{ ...user, tenant_id: ctx.tenantId }], now))[0]!;
          await appendAudit(deps, trx, ctx, {
            action: "user.created",
            target: { type: "user", id: userId, label: username },
            changes: snapshotChanges(created, "after", AUDITED_USER_FIELDS),
          });
          // Never the token (nor its hash) in the audit.
          await appendAudit(deps, trx, ctx, {
            action: "api_token.created",
            target: { type: "api_token", id, label: name },
            changes: {
              name: { after: name },
              roleId: { after: role.id },
              expiresAt: { after: expiresAt },
              userId: { after: userId },
            },
          });
          return { id, token, name, userId, roleId: role.id, expiresAt, createdAt: now };
        });
      } catch (error) {
        throw takenError(error) ?? error;
      }
    },

    async listTokens(
      ctx: Ctx,
      query: ListApiTokensQuery,
    ): Promise<{ items: ApiToken[]; nextCursor: string | null }> {
      const after = decodePairCursor(query.cursor);
      const rows = await createApiTokenStore(deps.db.kysely, ctx.tenantId).listTokens(query.limit + 1, after);
      const page = rows.slice(0, query.limit);
      const last = page.at(-1);
      const snapshot = await snapshotOf(ctx.tenantId);
      return {
        items: page.map((row) => toApiToken(row, snapshot, deps.clock.now().toISOString())),
        nextCursor: rows.length > query.limit && last ? encodeCursor([last.created_at, last.id]) : null,
      };
    },

    /** One token as listed; 404 for a missing or another tenant's id. */
    async getToken(ctx: Ctx, id: string): Promise<ApiToken> {
      const row = await createApiTokenStore(deps.db.kysely, ctx.tenantId).findListedToken(id);
      if (!row) throw new AppError("NOT_FOUND", "API token not found");
      return toApiToken(row, await snapshotOf(ctx.tenantId), deps.clock.now().toISOString());
    },

    /**
     * Revokes the token (effective on the next request) and archives its integration user. 404
     * for a missing or another tenant's id; 412 for a stale If-Match; revoking a revoked token
     * again changes nothing.
     */
    async revokeToken(ctx: Ctx, id: string, ifMatch?: number): Promise<void> {
      await inTenantTx(deps, ctx.tenantId, async (trx) => {
        const tokens = createApiTokenStore(trx, ctx.tenantId);
        const row = await tokens.findToken(id);
        if (!row) throw new AppError("NOT_FOUND", "API token not found");
        expectVersion(versionOf(row), ifMatch);
        if (row.revoked_at !== null) return;
        await revokeTokenRow(deps, trx, ctx, row, deps.clock.now().toISOString(), null);
      });
    },
  };
}

export type ApiTokensService = ReturnType<typeof createApiTokensService>;

/**
 * The integration user is named "Integration <name>" (PRODUCT.md §2); a token named "Integration
 * Lab" makes "Integration Lab", not "Integration Integration Lab".
 */
export function integrationLastName(tokenName: string): string {
  const rest = /^integration\s+(\S.*)$/iu.exec(tokenName);
  return rest ? rest[1]! : tokenName;
}

/**
 * A token made by a token ends no later than its maker (pentest audit, 2026-12-06: a token
 * expiring in a minute made one that never expired, and outlived it): without an expiry it takes
 * its maker's, and a later one is refused.
 */
async function expiryWithin(
  trx: Executor,
  tenantId: string,
  caller: Caller,
  asked: string | null,
): Promise<string | null> {
  if (caller.kind !== "api_token") return asked;
  const maker = await createApiTokenStore(trx, tenantId).findToken(caller.actor.id ?? "");
  const cap = maker?.expires_at ?? null;
  if (cap === null) return asked;
  if (asked === null) return cap;
  if (asked > cap)
    throw invalid("expiresAt", `must not be later than the expiry of the token making it (${cap})`);
  return asked;
}
