/**
 * Token → caller, for sessions and API tokens: one shape, two kinds (auth.service.ts authenticate).
 *
 * The row comes from authenticate.store.ts's one statement or, on SQLite while nothing has been
 * committed since that token's last read, from caller-cache.ts (which then costs one read of
 * SQLite's data_version, shared by the requests of one turn of the event loop). Either way every
 * rule that depends on the clock (expiry, idle limit, user expiry) is judged now, and the user's
 * roles come from the tenant's policy snapshot at the row's policy version
 * (access/policy-cache.ts), which the request's decisions then reuse.
 */
import { isActiveIn, type RoleGrants } from "../access/grants.rules.ts";
import type { PolicyCache } from "../access/policy-cache.ts";
import type { PolicySnapshot } from "../access/policy-snapshot.ts";
import { appendAudit } from "../audit/audit-writer.ts";
import { type Ctx, noRequest, systemActor } from "../shared/context.ts";
import type { Deps } from "../shared/deps.ts";
import { hashSecret } from "../shared/ids.ts";
import { turnBatch } from "../shared/turn-batch.ts";
import { inTx } from "../shared/tx.ts";
import { createWorkspaceStore } from "../workspaces/workspaces.store.ts";
import { createApiTokenStore } from "./api-tokens.store.ts";
import {
  type ApiTokenCallerRow,
  findApiTokenCallers,
  findSessionCallers,
  type SessionCallerRow,
  type TokenAsk,
} from "./authenticate.store.ts";
import { type Caller, callerPermissions } from "./caller.ts";
import { createCallerCache, type Kept } from "./caller-cache.ts";
import { holdsPatientPermission, mfaRequiredFor } from "./mfa.rules.ts";
import { idledOut, sessionEndMs } from "./session-lifetime.rules.ts";
import { purposeNow } from "./session-purpose.rules.ts";
import { createSessionStore } from "./sessions.store.ts";
import { makersExpireAt, tokenMakers } from "./token-cover.rules.ts";

/** Touching last_used_at on every request would make every read a write; once a minute at most. */
const TOUCH_INTERVAL_MS = 60_000;

interface CallerRow {
  readonly tenantId: string;
  readonly userId: string;
  readonly version: number | string;
  readonly settings: string;
}

/** What differs between sessions and API tokens. */
interface Kind<R extends CallerRow> {
  /** The rows of the asks, in order (undefined: no such token). */
  read(deps: Deps, asks: readonly TokenAsk[]): Promise<(R | undefined)[]>;
  /**
   * At `now`: "refuse", "end" (refused because its time ran out: it is ended, so that no later
   * change of the limits brings it back), "touch" (valid, but last_used_at is due a write first)
   * or "ok". Rules on the row alone (expiry, status, idle limit); the snapshot only lends the
   * tenant's settings.
   */
  judge(row: R, now: number, nowIso: string, policy: PolicySnapshot): "refuse" | "end" | "touch" | "ok";
  touch(deps: Deps, row: R, nowIso: string, policy: PolicySnapshot): Promise<void>;
  end?(deps: Deps, row: R, now: number, policy: PolicySnapshot): Promise<void>;
  /** Undefined: the row is valid but cannot serve under the tenant's rules now (session-purpose.rules.ts). */
  caller(
    row: R,
    policy: PolicySnapshot,
    role: RoleGrants,
    workspaceRoles: Map<string, RoleGrants>,
  ): Caller | undefined;
}

/** The caller's active workspaces, from the snapshot (none when the user is not in it). */
function activeInOf(policy: PolicySnapshot, userId: string): "all" | ReadonlySet<string> {
  const user = policy.users.get(userId);
  if (!user) return new Set();
  return user.workspaceAccessAll ? "all" : new Set(user.workspaces);
}

function createAuthenticator<R extends CallerRow>(deps: Deps, cache: PolicyCache, kind: Kind<R>) {
  const kept = createCallerCache<R>(deps.db.changes);
  // Asks made while no read is in flight go together in one statement (shared/turn-batch.ts); its
  // rows are kept at the change mark taken right before that statement.
  const readRow = turnBatch<TokenAsk & { key: string }, Kept<R> | undefined>(async (asks) => {
    const mark = kept.mark();
    const rows = await kind.read(deps, asks);
    return rows.map((row, i) => (row ? kept.keep(asks[i]!.key, mark, row) : undefined));
  });

  /** The caller for a row at `now` with the tenant's current snapshot, built once per kept row. */
  function callerOf(entry: Kept<R>, policy: PolicySnapshot): Caller | undefined {
    const row = entry.row;
    const user = policy.users.get(row.userId);
    if (user === undefined) return undefined;
    if (entry.caller?.policy === policy && entry.callerUser === user) return entry.caller;
    const role = policy.roles.get(user.roleId);
    if (role === undefined) return undefined;
    const workspaceRoles = new Map<string, RoleGrants>();
    for (const [workspaceId, roleId] of user.workspaceRoles) {
      const r = policy.roles.get(roleId);
      if (r) workspaceRoles.set(workspaceId, r);
    }
    entry.caller = kind.caller(row, policy, role, workspaceRoles);
    entry.callerUser = user;
    return entry.caller;
  }

  async function read(tokenHash: string, key: string, workspaceId: string) {
    const entry = await readRow({ tokenHash, workspaceId, key });
    if (!entry) return undefined;
    const row = entry.row;
    let policy = await cache.at(row.tenantId, { version: Number(row.version), settings: row.settings });
    // A user the database has but the snapshot lacks: rows written outside the use cases.
    if (policy && !policy.users.has(row.userId)) policy = await cache.reload(row.tenantId);
    if (!policy) return undefined;
    const now = deps.clock.now();
    const nowIso = now.toISOString();
    const verdict = kind.judge(row, now.getTime(), nowIso, policy);
    if (verdict === "end") await kind.end?.(deps, row, now.getTime(), policy);
    if (verdict === "refuse" || verdict === "end") return undefined;
    if (verdict === "touch") await kind.touch(deps, row, nowIso, policy);
    return callerOf(entry, policy);
  }

  /** The caller from a kept row, judged now; "read" when the row must be read again first. */
  function fromKept(entry: Kept<R>): Caller | undefined | "read" {
    const row = entry.row;
    const policy = cache.current(row.tenantId, Number(row.version), row.settings);
    if (policy === undefined) return "read";
    const now = deps.clock.now();
    const verdict = kind.judge(row, now.getTime(), now.toISOString(), policy);
    // A refusal is confirmed by a read: the kept row may predate another instance's touch of
    // last_used_at, which keeps the session alive but is not a change any instance waits for.
    if (verdict !== "ok") return "read";
    return callerOf(entry, policy) ?? "read";
  }

  return {
    authenticate(token: string, workspaceId = ""): Promise<Caller | undefined> {
      const tokenHash = hashSecret(token);
      const key = workspaceId === "" ? tokenHash : `${tokenHash}\n${workspaceId}`;
      const pending = kept.fresh(key);
      if (pending === undefined) return read(tokenHash, key, workspaceId);
      return pending.then((entry) => {
        const found = entry === undefined ? "read" : fromKept(entry);
        return found === "read" ? read(tokenHash, key, workspaceId) : found;
      });
    },
  };
}

/** A seconds column as a number (PostgreSQL may hand integers back as strings), or null. */
const seconds = (v: number | string | null | undefined): number | null =>
  v === null || v === undefined ? null : Number(v);

/**
 * The idle limit of the workspace the request named, when it has its own (seconds). One longer
 * than the tenant's serves only a user active in that workspace: the header is the client's
 * choice, and naming a lax workspace one does not work in kept a session alive past the tenant's
 * limit (pentest audit, 2026-12-05). A stricter one binds whoever names it.
 */
function workspaceIdleSeconds(row: SessionCallerRow, policy: PolicySnapshot): number | null {
  const own = seconds(row.workspaceIdleSeconds);
  if (own === null || own <= policy.settings.idleTimeoutMinutes * 60) return own;
  const user = policy.users.get(row.userId);
  const active =
    user !== undefined &&
    row.workspaceId !== null &&
    isActiveIn({ activeIn: user.decision.workspaceAccess }, row.workspaceId);
  return active ? own : null;
}

/**
 * The idle limit a request is judged by (seconds): the named workspace's own, else the tenant's,
 * and never longer than the shortest workspace limit the session has already worked under (its
 * cap), so that an unattended session in a strict workspace cannot be kept alive by leaving the
 * workspace header out or naming a laxer workspace.
 */
export function idleLimitSeconds(row: SessionCallerRow, policy: PolicySnapshot): number {
  const here = workspaceIdleSeconds(row, policy) ?? policy.settings.idleTimeoutMinutes * 60;
  const cap = seconds(row.idleCapSeconds);
  return cap === null ? here : Math.min(here, cap);
}

/** The cap the session takes from this request: lowered when the named workspace is stricter. */
function lowerCap(row: SessionCallerRow, policy: PolicySnapshot): number | undefined {
  const named = workspaceIdleSeconds(row, policy);
  if (named === null) return undefined;
  const cap = seconds(row.idleCapSeconds);
  return cap === null || named < cap ? named : undefined;
}

/**
 * How far the recorded last use may lag the real one: a minute, or a quarter of a shorter idle
 * limit, so that a session in use is never ended for idleness before its limit is past.
 */
function recordingStepMs(idleMs: number): number {
  return Math.min(TOUCH_INTERVAL_MS, idleMs / 4);
}

/**
 * The last use to record. A session's first use within the first recording step is recorded as at
 * its sign-in, a millisecond after it: the idle clock stays where step-coarse recording keeps it
 * (never later than the real last use, never further behind than a step), and the session is
 * marked as used, so that the session limit ends sessions never used before one in use
 * (sessions.store.ts evictBeyond); otherwise a burst of sign-ins within its first minute could end
 * a session in use. A first use later than a step is recorded as it is: back-dated, the idle clock
 * had started at sign-in and ended a session in use (idle 1 minute, used at 45 s: gone at 75 s).
 */
function usedAt(row: SessionCallerRow, nowIso: string, idleMs: number): string {
  const created = Date.parse(row.createdAt);
  if (row.lastUsedAt !== row.createdAt || Date.parse(nowIso) - created >= recordingStepMs(idleMs))
    return nowIso;
  return new Date(created + 1).toISOString();
}

const sessionKind: Kind<SessionCallerRow> = {
  read: (deps, asks) => findSessionCallers(deps.db.kysely, asks),
  judge(row, now, nowIso, policy) {
    if (now >= sessionEndMs(row.createdAt, row.expiresAt, policy.settings.absoluteTimeoutHours)) return "end";
    if (row.status !== "active" || row.virtual === 1) return "refuse";
    if (row.userExpiresAt !== null && row.userExpiresAt <= nowIso) return "refuse";
    // Found idle since its last use, and kept only for a workspace with a longer limit of its own:
    // a request that no such limit judges stays refused, whatever the limits say now (raising the
    // tenant's brought the session back: the acceptance review). Its next served use clears it.
    if (
      row.idleRefusedAt !== null &&
      row.idleRefusedAt === row.lastUsedAt &&
      workspaceIdleSeconds(row, policy) === null
    )
      return "end";
    const idleMs = idleLimitSeconds(row, policy) * 1000;
    const idleFor = now - Date.parse(row.lastUsedAt);
    if (idleFor > idleMs) return "end";
    if (lowerCap(row, policy) !== undefined) return "touch";
    // Its first use is recorded at once (see usedAt): one write per session.
    if (row.lastUsedAt === row.createdAt) return "touch";
    return idleFor >= recordingStepMs(idleMs) ? "touch" : "ok";
  },
  touch: (deps, row, nowIso, policy) =>
    createSessionStore(deps.db.kysely, row.tenantId).touchSession(
      row.sessionId,
      usedAt(row, nowIso, idleLimitSeconds(row, policy) * 1000),
      lowerCap(row, policy),
    ),
  async end(deps, row, now, policy) {
    // Refused here, but a request naming a workspace with a longer limit of its own may still be
    // served: the session ends only once it is past every limit that could judge it (the one
    // auth.service.ts's list uses), or past its absolute end.
    const absoluteOver =
      now >= sessionEndMs(row.createdAt, row.expiresAt, policy.settings.absoluteTimeoutHours);
    if (!absoluteOver) {
      const longestWorkspace = await createWorkspaceStore(deps.db.kysely, row.tenantId).longestIdleSeconds();
      const longest = Math.max(policy.settings.idleTimeoutMinutes * 60, longestWorkspace ?? 0);
      const cap = seconds(row.idleCapSeconds);
      const limit = cap === null ? longest : Math.min(cap, longest);
      if (!idledOut(row.lastUsedAt, limit, now)) {
        // Marked when it is past the tenant's limit (or its cap), whichever workspace the refused
        // request named (the second review: refused in a workspace of a longer limit, it came back
        // elsewhere once the tenant's was raised). Refused only by a stricter workspace's own
        // limit, it binds only requests naming that workspace, as before.
        const tenantIdle = policy.settings.idleTimeoutMinutes * 60;
        const tenantLimit = cap === null ? tenantIdle : Math.min(cap, tenantIdle);
        if (row.idleRefusedAt !== row.lastUsedAt && idledOut(row.lastUsedAt, tenantLimit, now)) {
          await createSessionStore(deps.db.kysely, row.tenantId).markIdleRefused(
            row.sessionId,
            row.lastUsedAt,
          );
        }
        return;
      }
    }
    // Recorded (SECURITY.md K-4, I-63 session_expired): a session is ended for its time only here,
    // at its first use past its limits, so the event is also that use (session_use_after_expire).
    await inTx(deps, async (trx) => {
      if (!(await createSessionStore(trx, row.tenantId).endTimedOut(row.sessionId, row.lastUsedAt))) return;
      const ctx: Ctx = { ...noRequest, tenantId: row.tenantId, actor: systemActor };
      await appendAudit(deps, trx, ctx, {
        action: "auth.session.expired",
        target: { type: "user", id: row.userId, label: row.username },
        changes: {
          limit: { after: absoluteOver ? "absolute" : "idle" },
          lastUsedAt: { before: row.lastUsedAt },
        },
      });
    });
  },
  caller(row, policy, role, workspaceRoles) {
    const sessionPurpose = purposeNow(row.purpose, {
      required: mfaRequiredFor(policy.settings.mfaRequired, {
        virtual: row.virtual === 1,
        holdsPatientPermission: () =>
          holdsPatientPermission(policy.catalog, [role, ...workspaceRoles.values()]),
      }),
      enrolled: row.mfaEnrolled === 1,
      verified: row.mfaVerified === 1,
      waived: row.mfaWaived === 1,
    });
    if (sessionPurpose === null) return undefined;
    return {
      kind: "session",
      tenantId: row.tenantId,
      actor: { type: "user", id: row.userId, label: row.username },
      userId: row.userId,
      sessionId: row.sessionId,
      mustChangePassword: row.mustChangePassword === 1,
      sessionPurpose,
      sessionMfaVerified: row.mfaVerified === 1,
      sessionSignedInAt: row.createdAt,
      csrfHash: row.csrfHash,
      idleLimitSeconds: idleLimitSeconds(row, policy),
      catalog: policy.catalog,
      holder: { role, workspaceRoles, activeIn: activeInOf(policy, row.userId) },
      permissions: callerPermissions(policy.catalog, role),
      policy,
    };
  },
};

/** Nothing about a token is kept past a commit, so a revocation or expiry holds from the very next request. */
const apiTokenKind: Kind<ApiTokenCallerRow> = {
  read: (deps, asks) =>
    findApiTokenCallers(
      deps.db.kysely,
      asks.map((a) => a.tokenHash),
    ),
  judge(row, now, nowIso, policy) {
    if (row.revokedAt !== null) return "refuse";
    if (row.expiresAt !== null && row.expiresAt <= nowIso) return "refuse";
    // A token acts only as its own virtual integration user, and only while that user is active.
    if (row.status !== "active" || row.virtual !== 1) return "refuse";
    if (row.userExpiresAt !== null && row.userExpiresAt <= nowIso) return "refuse";
    const makersUntil = makersExpireAt(policy, row.userId);
    if (makersUntil !== null && makersUntil <= nowIso) return "refuse";
    return row.lastUsedAt === null || now - Date.parse(row.lastUsedAt) > TOUCH_INTERVAL_MS ? "touch" : "ok";
  },
  touch: (deps, row, nowIso) =>
    createApiTokenStore(deps.db.kysely, row.tenantId).touchToken(row.tokenId, nowIso),
  caller: (row, policy, role, workspaceRoles) => {
    // Never more than its maker holds now (token-cover.rules.ts): refused like a revoked token.
    const makers = tokenMakers(policy, row.userId);
    return makers.covered ? tokenCaller(row, policy, role, workspaceRoles, makers.person) : undefined;
  },
};

function tokenCaller(
  row: ApiTokenCallerRow,
  policy: PolicySnapshot,
  role: RoleGrants,
  workspaceRoles: Map<string, RoleGrants>,
  person: string | undefined,
): Caller {
  return {
    kind: "api_token",
    tenantId: row.tenantId,
    actor: { type: "api_token", id: row.tokenId, label: row.name, userId: row.userId },
    userId: row.userId,
    onBehalfOf: person,
    sessionId: null,
    mustChangePassword: false,
    catalog: policy.catalog,
    holder: { role, workspaceRoles, activeIn: activeInOf(policy, row.userId) },
    permissions: callerPermissions(policy.catalog, role),
    policy,
  };
}

export function createSessionAuthenticator(deps: Deps, cache: PolicyCache) {
  return createAuthenticator(deps, cache, sessionKind);
}

export function createApiTokenAuthenticator(deps: Deps, cache: PolicyCache) {
  return createAuthenticator(deps, cache, apiTokenKind);
}
