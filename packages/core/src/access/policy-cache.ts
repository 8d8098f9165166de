/**
 * Per-tenant cache of policy snapshots (policy-snapshot.ts) that is never stale.
 *
 * The guarantee: every decision (or batch) first reads `tenants.policy_version` — one indexed
 * single-row read (with the tenant's settings, compared as text, so a settings change is seen
 * even if it was written without a bump). inTenantTx (shared/tx.ts) bumps that version in every transaction that changes
 * policy, under the tenant row lock, and the use case writes its audit event in the same
 * transaction. When the version read is newer than the snapshot's, the snapshot is brought up to
 * date before the decision runs, so a decision sees every change committed before it started, on
 * any instance serving the database.
 *
 * Bringing it up to date is incremental when it can be:
 *  - ONE statement reads the current version together with the audit events whose seq is above
 *    the last one applied (tenants LEFT JOIN audit_events). A single statement sees one consistent
 *    snapshot on both databases, so the events read are exactly those of the transactions whose
 *    bumps the version read includes (audit seqs are handed out under the audit head row lock and
 *    so become visible in order: no gaps).
 *  - Each event names its target: `user` → that user is re-read (its row, workspace list,
 *    per-workspace roles and private role); `role` → that role is re-read and the users holding it
 *    re-resolved; `emergency_access` → the tenant's open elevations are re-read; events that
 *    cannot change a snapshot (`access.decision` records, `audit` exports) are skipped; anything else
 *    (`workspace`, `tenant`, settings, an unknown or missing target) → a full reload.
 *  - The version moved but no event is found (a policy change that wrote no audit) → full reload.
 *    More than MAX_REPLAY events → full reload.
 *  - The data is read after the version, so a snapshot may hold changes newer than its version;
 *    those carry larger seqs and are simply re-read by the next refresh (idempotent).
 *  - Reads come first, then the snapshot is changed synchronously (applyDelta), so a decision
 *    never sees half of an update. Refreshes of one tenant are serialised (single flight).
 *
 * On PostgreSQL a LISTEN on `staffgate_policy` (inTenantTx NOTIFYs the tenant id on commit), on
 * the change watch's connection (db/pg-change-watch.ts), refreshes a cached tenant in the
 * background as soon as it changes, so the next decision usually finds it current. It is only an
 * accelerator: the version check stays the guarantee, and a lost notification or a dropped LISTEN
 * connection costs latency, never correctness.
 */
import type { Deps } from "../shared/deps.ts";
import { readSettings } from "../tenants/settings.rules.ts";
import { loadOpenEmergencies } from "./emergency.store.ts";
import { applyDelta, loadDelta } from "./policy-delta.ts";
import { loadPolicySnapshot, type PolicySnapshot } from "./policy-snapshot.ts";

export const POLICY_CHANNEL = "staffgate_policy";

/** More events than this since the last refresh: a full reload is cheaper than replaying them. */
const MAX_REPLAY = 500;
/** Cached tenants; the oldest loaded is dropped beyond this. */
const MAX_TENANTS = 1000;
/** Target types whose events never change a snapshot. */
const IGNORED_TARGETS = new Set(["audit"]);
const IGNORED_ACTIONS = new Set(["access.decision"]);

export interface PolicyCacheStats {
  versionChecks: number;
  fullLoads: number;
  incremental: number;
  notifications: number;
}

export interface PolicyCacheOptions {
  readonly onError?: (error: unknown) => void;
}

/** The settings JSON read with the version, when it differs from the one the snapshot holds. */
function withSettings(snapshot: PolicySnapshot, settings: string): void {
  if (snapshot.settingsJson !== settings) {
    snapshot.settings = readSettings(settings);
    snapshot.settingsJson = settings;
  }
}

export function createPolicyCache(deps: Deps, options: PolicyCacheOptions = {}) {
  const db = deps.db.kysely;
  const snapshots = new Map<string, PolicySnapshot>();
  const inFlight = new Map<string, Promise<PolicySnapshot | undefined>>();
  const stats: PolicyCacheStats = { versionChecks: 0, fullLoads: 0, incremental: 0, notifications: 0 };
  const onError = options.onError ?? (() => {});
  let closed = false;

  async function fullLoad(tenantId: string): Promise<PolicySnapshot | undefined> {
    stats.fullLoads += 1;
    const snapshot = await loadPolicySnapshot(deps, db, tenantId);
    if (!snapshot) {
      snapshots.delete(tenantId);
      return undefined;
    }
    snapshots.delete(tenantId);
    if (snapshots.size >= MAX_TENANTS) {
      const oldest = snapshots.keys().next().value;
      if (oldest !== undefined) snapshots.delete(oldest);
    }
    snapshots.set(tenantId, snapshot);
    return snapshot;
  }

  /** Replays the audit events since the snapshot's seq; falls back to a full reload. */
  async function catchUp(current: PolicySnapshot): Promise<PolicySnapshot | undefined> {
    const rows = await db
      .selectFrom("tenants as t")
      .leftJoin("audit_events as e", (j) =>
        j.onRef("e.tenant_id", "=", "t.id").on("e.seq", ">", current.auditSeq),
      )
      .select(["t.policy_version", "e.seq", "e.action", "e.target_type", "e.target_id"])
      .where("t.id", "=", current.tenantId)
      .orderBy("e.seq")
      .limit(MAX_REPLAY + 1)
      .execute();
    const first = rows[0];
    if (!first) return fullLoad(current.tenantId); // the tenant is gone
    const version = Number(first.policy_version);
    if (version <= current.version) return current;
    const events = rows.filter((r) => r.seq !== null);
    if (events.length === 0 || events.length > MAX_REPLAY) return fullLoad(current.tenantId);
    const users = new Set<string>();
    const roles = new Set<string>();
    let emergencies = false;
    for (const e of events) {
      if (IGNORED_ACTIONS.has(e.action ?? "")) continue;
      if (e.target_type !== null && IGNORED_TARGETS.has(e.target_type)) continue;
      if (e.target_type === "user" && e.target_id) users.add(e.target_id);
      else if (e.target_type === "role" && e.target_id) roles.add(e.target_id);
      else if (e.target_type === "emergency_access") emergencies = true;
      else return fullLoad(current.tenantId);
    }
    const delta = {
      ...(await loadDelta(db, current, users, roles)),
      ...(emergencies
        ? {
            emergencies: await loadOpenEmergencies(
              db,
              current.tenantId,
              deps.clock.now().toISOString(),
              current.catalog,
              current.settings.emergencyPermissions,
            ),
          }
        : {}),
    };
    stats.incremental += 1;
    applyDelta(current, delta);
    current.version = version;
    current.auditSeq = Number(events[events.length - 1]!.seq);
    return current;
  }

  /** Brings the tenant's snapshot to at least `version`; one refresh per tenant at a time. */
  function refresh(tenantId: string, version: number, full = false): Promise<PolicySnapshot | undefined> {
    const previous = inFlight.get(tenantId);
    const run = async (): Promise<PolicySnapshot | undefined> => {
      if (full) return fullLoad(tenantId);
      const current = snapshots.get(tenantId);
      if (current && current.version >= version) return current;
      return current ? catchUp(current) : fullLoad(tenantId);
    };
    const next = previous ? previous.then(run, run) : run();
    inFlight.set(tenantId, next);
    const clear = () => {
      if (inFlight.get(tenantId) === next) inFlight.delete(tenantId);
    };
    next.then(clear, clear);
    return next;
  }

  /** The per-decision read: the version, and the settings (small, and changed without a bump too). */
  async function currentVersion(
    tenantId: string,
  ): Promise<{ version: number; settings: string } | undefined> {
    stats.versionChecks += 1;
    const row = await db
      .selectFrom("tenants")
      .select(["policy_version", "settings"])
      .where("id", "=", tenantId)
      .executeTakeFirst();
    return row ? { version: Number(row.policy_version), settings: row.settings } : undefined;
  }

  // ---- PostgreSQL LISTEN (optional accelerator), on the change watch's connection ----
  function onNotification(tenantId: string): void {
    stats.notifications += 1;
    const current = snapshots.get(tenantId);
    if (!current || closed || tenantId === "") return;
    refresh(tenantId, current.version + 1).catch((error: unknown) => {
      // Drop it: the next decision loads it afresh.
      snapshots.delete(tenantId);
      onError(error);
    });
  }
  const watch = deps.db.changes;
  let subscribed = false;
  function ensureListening(): void {
    if (subscribed || closed || watch?.subscribe === undefined) return;
    subscribed = true;
    watch.subscribe(POLICY_CHANNEL, onNotification);
  }

  return {
    /** The tenant's snapshot, current as of this call (undefined: no such tenant). */
    async get(tenantId: string): Promise<PolicySnapshot | undefined> {
      const now = await currentVersion(tenantId);
      return now === undefined ? undefined : this.at(tenantId, now);
    },

    /**
     * The snapshot as of a version the caller has just read itself (sign-in reads it in the same
     * statement as the session, so a request costs one read for both).
     */
    async at(
      tenantId: string,
      now: { version: number; settings: string },
    ): Promise<PolicySnapshot | undefined> {
      ensureListening();
      const snapshot = this.current(tenantId, now.version, now.settings);
      if (snapshot) return snapshot;
      const refreshed = await refresh(tenantId, now.version);
      if (refreshed) withSettings(refreshed, now.settings);
      return refreshed;
    },

    /**
     * The snapshot when it is already at least as new as `version` (no read needed), with
     * `settings` applied; else undefined (at() brings it up to date).
     */
    current(tenantId: string, version: number, settings: string): PolicySnapshot | undefined {
      const snapshot = snapshots.get(tenantId);
      if (snapshot === undefined || snapshot.version < version) return undefined;
      withSettings(snapshot, settings);
      return snapshot;
    },

    /**
     * Reloads a tenant's snapshot in full. For a state that versioning cannot explain (a user the
     * database holds but the snapshot lacks: rows written outside the use cases, e.g. a restore).
     */
    reload(tenantId: string): Promise<PolicySnapshot | undefined> {
      return refresh(tenantId, Number.POSITIVE_INFINITY, true);
    },

    /** Forgets every snapshot (tests; operators after restoring a database). */
    clear(): void {
      snapshots.clear();
    },

    stats(): Readonly<PolicyCacheStats> {
      return { ...stats };
    },

    /** Resolves once the LISTEN connection is up (tests); immediately when there is none. */
    async listening(): Promise<boolean> {
      ensureListening();
      return (await watch?.listening?.()) ?? false;
    },

    /** Forgets every snapshot; the LISTEN connection is the database's (closed with it). */
    async close(): Promise<void> {
      closed = true;
      snapshots.clear();
    },
  };
}

export type PolicyCache = ReturnType<typeof createPolicyCache>;
