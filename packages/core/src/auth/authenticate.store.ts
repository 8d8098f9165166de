/**
 * The one statement every authenticated request makes (auth.service.ts authenticate): the token's
 * session (or API token), its user's state and the tenant's policy version, joined. It is the
 * decision path's only read, so it is compiled once and, on PostgreSQL, planned once per connection
 * (db/named-prepared.ts), and its values are bound plan-stable (db/plan-stable.ts: with
 * statistics, SQLite would otherwise prepare the four-table join again on every request).
 */
import { namedPrepared } from "../db/named-prepared.ts";
import { planStable } from "../db/plan-stable.ts";
import type { SessionPurpose } from "../db/schema.ts";
import type { Executor } from "../shared/tx.ts";

export interface SessionCallerRow {
  sessionId: string;
  tenantId: string;
  userId: string;
  expiresAt: string;
  lastUsedAt: string;
  purpose: SessionPurpose;
  csrfHash: string | null;
  version: number | string;
  settings: string;
  username: string;
  status: "invited" | "active" | "inactive" | "archived";
  virtual: number;
  userExpiresAt: string | null;
  mustChangePassword: number;
  workspaceIdleSeconds: number | null;
}

const sessionCaller = namedPrepared<{ tokenHash: string; workspaceId: string }, SessionCallerRow>(
  "staffgate_session_caller",
  ["tokenHash", "workspaceId"],
  (db, v) =>
    db
      .selectFrom("sessions as s")
      .innerJoin("tenants as t", "t.id", "s.tenant_id")
      .innerJoin("users as u", (join) =>
        join.onRef("u.tenant_id", "=", "s.tenant_id").onRef("u.id", "=", "s.user_id"),
      )
      .leftJoin("workspaces as w", (join) =>
        join.onRef("w.tenant_id", "=", "s.tenant_id").on("w.id", "=", planStable(v.workspaceId)),
      )
      .select([
        "s.id as sessionId",
        "s.tenant_id as tenantId",
        "s.user_id as userId",
        "s.expires_at as expiresAt",
        "s.last_used_at as lastUsedAt",
        "s.purpose as purpose",
        "s.csrf_hash as csrfHash",
        "t.policy_version as version",
        "t.settings as settings",
        "u.username as username",
        "u.status as status",
        "u.virtual as virtual",
        "u.expires_at as userExpiresAt",
        "u.must_change_password as mustChangePassword",
        "w.idle_timeout_seconds as workspaceIdleSeconds",
      ])
      .where("s.token_hash", "=", planStable(v.tokenHash)),
);

/**
 * The session whose token hashes to `tokenHash`, with its user's state, the tenant's policy
 * version and settings, and the idle override of `workspaceId` ("" for none) when it is a
 * workspace of the session's tenant.
 */
export function findSessionCaller(
  db: Executor,
  tokenHash: string,
  workspaceId: string,
): Promise<SessionCallerRow | undefined> {
  return sessionCaller.first(db, { tokenHash, workspaceId });
}

export interface ApiTokenCallerRow {
  tokenId: string;
  name: string;
  tenantId: string;
  userId: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  version: number | string;
  settings: string;
  status: "invited" | "active" | "inactive" | "archived";
  virtual: number;
  userExpiresAt: string | null;
}

const apiTokenCaller = namedPrepared<{ tokenHash: string }, ApiTokenCallerRow>(
  "staffgate_api_token_caller",
  ["tokenHash"],
  (db, v) =>
    db
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
      .where("k.token_hash", "=", planStable(v.tokenHash)),
);

/** The API token whose secret hashes to `tokenHash`, with its user's state and the tenant's policy version. */
export function findApiTokenCaller(db: Executor, tokenHash: string): Promise<ApiTokenCallerRow | undefined> {
  return apiTokenCaller.first(db, { tokenHash });
}
