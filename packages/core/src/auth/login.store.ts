/**
 * The sign-in's own statements (issue 4): its one read before the password check, and the
 * success update. Compiled once (db/prepared.ts): a sign-in is the hottest write path.
 */
import { sql } from "kysely";
import { prepared } from "../db/prepared.ts";
import type { UsersTable } from "../db/schema.ts";
import type { Executor } from "../shared/tx.ts";
import type { TenantSettings } from "../tenants/settings.rules.ts";

export interface LoginTarget {
  readonly tenant: { readonly id: string; readonly settings: string };
  /** Undefined when no user of the tenant has that username or email. */
  readonly user: UsersTable | undefined;
}

type TargetRow = { login_tenant_id: string; login_tenant_settings: string } & {
  [K in keyof UsersTable]: UsersTable[K] | null;
};

const target = prepared<{ slugKey: string; loginKey: string }, TargetRow>(["slugKey", "loginKey"], (db, v) =>
  db
    .selectFrom("tenants")
    .leftJoin("users", (join) =>
      join.onRef("users.tenant_id", "=", "tenants.id").on(
        sql<boolean>`users.id = COALESCE(
            (SELECT m.id FROM users AS m WHERE m.tenant_id = tenants.id AND m.username_key = ${v.loginKey}),
            (SELECT m.id FROM users AS m WHERE m.tenant_id = tenants.id AND m.email_key = ${v.loginKey}))`,
      ),
    )
    .select(["tenants.id as login_tenant_id", "tenants.settings as login_tenant_settings"])
    .selectAll("users")
    .where("tenants.slug_key", "=", v.slugKey),
);

/**
 * The tenant (by slug) and the user (by username or email) in one statement; undefined when no
 * tenant has the slug. A username match wins over another user's email match (usernames may
 * contain "@"; docs/decisions.md). Each candidate is an equality on its own unique index, then one
 * primary-key read: `username_key = ? OR email_key = ?` let SQLite without statistics, and
 * PostgreSQL inside a join, scan all of the tenant's users instead.
 */
export async function findLoginTarget(
  db: Executor,
  slugKey: string,
  loginKey: string,
): Promise<LoginTarget | undefined> {
  const row = await target.first(db, { slugKey, loginKey });
  if (!row) return undefined;
  const { login_tenant_id, login_tenant_settings, ...user } = row;
  return {
    tenant: { id: login_tenant_id, settings: login_tenant_settings },
    user: user.id === null ? undefined : (user as UsersTable),
  };
}

const reset = prepared<{ tenantId: string; userId: string; now: string; hash: string }, UsersTable>(
  ["tenantId", "userId", "now", "hash"],
  (db, v) =>
    db
      .updateTable("users")
      .set({ last_login_at: v.now, failed_attempts: 0, locked: 0, locked_until: null })
      .where("tenant_id", "=", v.tenantId)
      .where("id", "=", v.userId)
      .where("password_hash", "=", v.hash)
      .where("status", "=", "active")
      .where(sql<boolean>`NOT (locked = 1 AND (locked_until IS NULL OR locked_until > ${v.now}))`)
      .returningAll(),
);

/**
 * A successful sign-in: resets the failure counter and clears a lock that ran out, unless the
 * account changed while the password was being verified (then undefined): a parallel failure
 * locked it, or its password was set or reset, or it stopped being active. A sign-in that
 * verified the old password must not get a session that outlives the reset (found by the
 * crash-recovery test's audit of the sign-in path).
 */
export function recordSignIn(
  db: Executor,
  tenantId: string,
  userId: string,
  now: string,
  verifiedHash: string,
): Promise<UsersTable | undefined> {
  return reset.first(db, { tenantId, userId, now, hash: verifiedHash });
}

/**
 * Counts one failed attempt atomically and returns the new count and whether it locked the
 * account; undefined when the account is locked (nothing counted, the lock is not extended).
 * A failed-attempts lock that has run out restarts the count at 1.
 */
export async function countFailure(
  db: Executor,
  tenantId: string,
  userId: string,
  settings: TenantSettings,
  now: Date,
): Promise<{ failedAttempts: number; locked: boolean } | undefined> {
  const nowIso = now.toISOString();
  const until =
    settings.lockoutMinutes === 0
      ? null
      : new Date(now.getTime() + settings.lockoutMinutes * 60_000).toISOString();
  const expired = sql`(locked = 1 AND locked_until IS NOT NULL AND locked_until <= ${nowIso})`;
  const next = sql`((CASE WHEN ${expired} THEN 0 ELSE failed_attempts END) + 1)`;
  const reaches = sql`(${next} >= CAST(${settings.lockoutThreshold} AS integer))`;
  const row = await db
    .updateTable("users")
    .set({
      failed_attempts: sql<number>`${next}`,
      locked: sql<0 | 1>`CASE WHEN ${reaches} THEN 1 ELSE 0 END`,
      locked_until: sql<string | null>`CASE WHEN ${reaches} THEN CAST(${until} AS text) ELSE NULL END`,
    })
    .where("tenant_id", "=", tenantId)
    .where("id", "=", userId)
    .where(sql<boolean>`NOT (locked = 1 AND (locked_until IS NULL OR locked_until > ${nowIso}))`)
    .returning(["failed_attempts", "locked"])
    .executeTakeFirst();
  if (!row) return undefined;
  return { failedAttempts: Number(row.failed_attempts), locked: Number(row.locked) === 1 };
}
