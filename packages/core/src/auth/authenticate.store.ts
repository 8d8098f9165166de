/**
 * The one statement every authenticated request depends on (authenticate.ts): the token's session
 * (or API token), its user's state and the tenant's policy version, joined. The requests that
 * arrive in one turn of the event loop share one statement (the tokens go as one JSON list), so
 * under load PostgreSQL is asked once for many requests; the statement's text never changes, so
 * it is compiled once and, on PostgreSQL, planned once per connection (db/named-prepared.ts).
 * Each listed token is one probe of the unique index on token_hash.
 */
import { type Expression, sql } from "kysely";
import { jsonList } from "../db/json-list.ts";
import { namedPrepared } from "../db/named-prepared.ts";
import type { SessionPurpose } from "../db/schema.ts";
import type { Executor } from "../shared/tx.ts";

export interface SessionCallerRow {
  sessionId: string;
  tenantId: string;
  userId: string;
  createdAt: string;
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
  mfaEnrolled: number;
  mfaWaived: number;
  mfaVerified: number;
  /** The workspace the request named, when it is one of the tenant's (else null). */
  workspaceId: string | null;
  workspaceIdleSeconds: number | null;
  idleCapSeconds: number | null;
  idleRefusedAt: string | null;
}

const equals = (left: Expression<unknown>, right: Expression<unknown>) => sql<boolean>`${left} = ${right}`;

const sessionCallers = namedPrepared<{ asks: string }, SessionCallerRow & { asked: string }>(
  "staffgate_session_callers",
  ["asks"],
  (db, v) => {
    const { from, item } = jsonList(db, v.asks, "q");
    return db
      .selectFrom(from)
      .innerJoin("sessions as s", (join) => join.on(equals(sql.ref("s.token_hash"), item(0))))
      .innerJoin("tenants as t", "t.id", "s.tenant_id")
      .innerJoin("users as u", (join) =>
        join.onRef("u.tenant_id", "=", "s.tenant_id").onRef("u.id", "=", "s.user_id"),
      )
      .leftJoin("workspaces as w", (join) =>
        join.onRef("w.tenant_id", "=", "s.tenant_id").on(equals(sql.ref("w.id"), item(1))),
      )
      .select([
        item(2).as("asked"),
        "s.id as sessionId",
        "s.tenant_id as tenantId",
        "s.user_id as userId",
        "s.created_at as createdAt",
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
        "u.mfa_enrolled as mfaEnrolled",
        "s.mfa_waived as mfaWaived",
        "s.mfa_verified as mfaVerified",
        "w.id as workspaceId",
        "w.idle_timeout_seconds as workspaceIdleSeconds",
        "s.idle_cap_seconds as idleCapSeconds",
        "s.idle_refused_at as idleRefusedAt",
      ]);
  },
);

export interface TokenAsk {
  readonly tokenHash: string;
  /** The workspace the request names ("" for none): its idle override, when it has one. */
  readonly workspaceId: string;
}

/**
 * For each ask, its session with its user's state, the tenant's policy version and settings, and
 * the idle override of the workspace named when it is a workspace of the session's tenant; or
 * undefined for an unknown token. In the order asked.
 */
export async function findSessionCallers(
  db: Executor,
  asks: readonly TokenAsk[],
): Promise<(SessionCallerRow | undefined)[]> {
  const list = JSON.stringify(asks.map((a, i) => [a.tokenHash, a.workspaceId, String(i)]));
  const out: (SessionCallerRow | undefined)[] = asks.map(() => undefined);
  for (const { asked, ...row } of await sessionCallers.rows(db, { asks: list })) out[Number(asked)] = row;
  return out;
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

const apiTokenCallers = namedPrepared<{ asks: string }, ApiTokenCallerRow & { asked: string }>(
  "staffgate_api_token_callers",
  ["asks"],
  (db, v) => {
    const { from, item } = jsonList(db, v.asks, "q");
    return db
      .selectFrom(from)
      .innerJoin("api_tokens as k", (join) => join.on(equals(sql.ref("k.token_hash"), item(0))))
      .innerJoin("tenants as t", "t.id", "k.tenant_id")
      .innerJoin("users as u", (join) =>
        join.onRef("u.tenant_id", "=", "k.tenant_id").onRef("u.id", "=", "k.user_id"),
      )
      .select([
        item(1).as("asked"),
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
      ]);
  },
);

/** For each secret hash, its API token with its user's state and the tenant's policy version; in order. */
export async function findApiTokenCallers(
  db: Executor,
  tokenHashes: readonly string[],
): Promise<(ApiTokenCallerRow | undefined)[]> {
  const list = JSON.stringify(tokenHashes.map((h, i) => [h, String(i)]));
  const out: (ApiTokenCallerRow | undefined)[] = tokenHashes.map(() => undefined);
  for (const { asked, ...row } of await apiTokenCallers.rows(db, { asks: list })) out[Number(asked)] = row;
  return out;
}
