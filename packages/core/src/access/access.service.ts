/**
 * The decision API: check, check/batch and explain (PRODUCT.md §3, API.md).
 *
 * A decision = one version read (policy-cache.ts: the snapshot is current as of that read) +
 * decide() on the in-memory snapshot. Patient grants and emergency elevations are never cached;
 * they are read only when the answer depends on them:
 *  - grants: only when decide() reached "collaborator scope, patient-scoped permission, patient
 *    named" (COLLABORATOR_NO_GRANT without them);
 *  - emergencies: only when the answer is still "denied" for a reason an elevation can overturn
 *    (not for unknown permissions and users, inactive, expired or virtual users).
 * decide() is pure and cheap, so it simply runs again with the facts it asked for. A batch does one
 * version read, then at most one grants read and one emergencies read for all of its items.
 *
 * Decisions that used a patient grant or an emergency elevation are audited (`access.decision`), in
 * their own small transaction; with the tenant setting auditAllPatientDecisions, every decision on
 * a patient-scoped permission that names a patient is. Ordinary decisions are not audited.
 */

import { appendAudit, snapshotChanges } from "../audit/audit-writer.ts";
import type { Caller } from "../auth/caller.ts";
import type { Ctx } from "../shared/context.ts";
import type { Deps } from "../shared/deps.ts";
import { AppError } from "../shared/errors.ts";
import { inTx } from "../shared/tx.ts";
import {
  type Decision,
  type DecisionQuery,
  decide,
  type EmergencyFact,
  type PatientGrantFact,
  type Reason,
  type ReasonCode,
} from "./decision.rules.ts";
import { createBatchFactsStore } from "./facts.store.ts";
import { createPolicyCache, type PolicyCache, type PolicyCacheOptions } from "./policy-cache.ts";
import type { PolicySnapshot } from "./policy-snapshot.ts";
import { decideFromSnapshot } from "./snapshot-decide.ts";

export interface CheckQuery {
  readonly userId: string;
  readonly permission: string;
  readonly workspaceId?: string | null | undefined;
  readonly patientRef?: string | null | undefined;
}

export interface CheckAnswer {
  readonly allowed: boolean;
  readonly reason: Reason;
}

export interface ExplainAnswer extends CheckAnswer {
  readonly steps: string[];
  readonly query: {
    readonly userId: string;
    readonly permission: string;
    readonly workspaceId: string | null;
    readonly patientRef: string | null;
  };
}

export const MAX_BATCH = 1000;

/** Denials an emergency elevation cannot overturn (decide() stops before step 6 for these). */
const FINAL_DENIALS: ReadonlySet<ReasonCode> = new Set([
  "UNKNOWN_PERMISSION",
  "USER_NOT_FOUND",
  "USER_NOT_ACTIVE",
  "USER_EXPIRED",
  "VIRTUAL_USER",
  "WORKSPACE_NOT_FOUND",
]);

const needsGrants = (d: Decision) => d.reason.code === "COLLABORATOR_NO_GRANT";
const needsEmergencies = (d: Decision) => !d.allowed && !FINAL_DENIALS.has(d.reason.code);

/**
 * With auditAllPatientDecisions, every decision on a patient-scoped permission is audited
 * (PRODUCT.md §6: "every patient-permission decision"), a patient named or not: asking whether
 * someone may read patients at all is part of who looked at patient data.
 */
function auditedAnyway(snapshot: PolicySnapshot, q: CheckQuery): boolean {
  return (
    snapshot.settings.auditAllPatientDecisions &&
    snapshot.catalog.byKey.get(q.permission)?.patientScoped === true
  );
}

const AUDITED_FIELDS = [
  "permission",
  "workspaceId",
  "patientRef",
  "allowed",
  "reason",
  "roleId",
  "roleName",
  "roleKind",
  "viaPatientGrant",
  "viaEmergency",
] as const;

/** The one policy cache of a process; on PostgreSQL it LISTENs for changes (see policy-cache.ts). */
export function createSharedPolicyCache(deps: Deps, options: PolicyCacheOptions = {}): PolicyCache {
  return createPolicyCache(deps, options);
}

export function createAccessService(deps: Deps, cache: PolicyCache) {
  /** The caller's request already read the policy version with its session: reuse that snapshot. */
  async function snapshotOf(tenantId: string, caller?: Caller): Promise<PolicySnapshot> {
    if (caller?.policy && caller.policy.tenantId === tenantId) return caller.policy;
    const snapshot = await cache.get(tenantId);
    if (!snapshot) throw new AppError("TENANT_NOT_FOUND");
    return snapshot;
  }

  function toQuery(q: CheckQuery): DecisionQuery {
    return { permission: q.permission, workspaceId: q.workspaceId ?? null, patientRef: q.patientRef ?? null };
  }

  /** decide() against the snapshot with the facts read so far (none: empty lists). */
  function run(
    snapshot: PolicySnapshot,
    caller: Caller,
    q: CheckQuery,
    now: string,
    steps: boolean,
    grants: readonly PatientGrantFact[] = [],
    emergencies: readonly EmergencyFact[] = [],
  ): Decision {
    if (!steps && grants.length === 0 && emergencies.length === 0) {
      const fast = decideFromSnapshot(snapshot, q, now);
      if (fast) return fast;
    }
    const user = snapshot.users.get(q.userId);
    const workspaceId = q.workspaceId ?? null;
    return decide(
      {
        catalog: snapshot.catalog,
        now,
        user: user?.decision,
        // Virtual users act only through an API token whose integration user they are: the caller
        // is that token and the question is about its own user.
        viaApiToken: caller.kind === "api_token" && caller.userId === q.userId,
        ...(workspaceId ? { workspaceExists: snapshot.workspaces.has(workspaceId) } : {}),
        patientGrants: grants,
        emergencies,
      },
      toQuery(q),
      { steps },
    );
  }

  /** Decides every query against one snapshot, reading grants and emergencies only where needed. */
  async function decideAll(
    ctx: Ctx,
    caller: Caller,
    queries: readonly CheckQuery[],
    steps = false,
  ): Promise<{ snapshot: PolicySnapshot; decisions: Decision[] }> {
    if (caller.tenantId !== ctx.tenantId) throw new AppError("FORBIDDEN");
    const snapshot = await snapshotOf(ctx.tenantId, caller);
    const now = deps.clock.now().toISOString();
    const decisions = queries.map((q) => run(snapshot, caller, q, now, steps));
    const grantIdx: number[] = [];
    for (let i = 0; i < decisions.length; i++) if (needsGrants(decisions[i]!)) grantIdx.push(i);
    const grantsOf = new Map<number, PatientGrantFact[]>();
    if (grantIdx.length > 0) {
      const found = await createBatchFactsStore(deps.db.kysely, ctx.tenantId).patientGrants(
        grantIdx.map((i) => ({ userId: queries[i]!.userId, patientRef: queries[i]!.patientRef! })),
      );
      for (const i of grantIdx) {
        grantsOf.set(i, found.get(`${queries[i]!.userId}\n${queries[i]!.patientRef!}`) ?? []);
      }
      for (const i of grantIdx)
        decisions[i] = run(snapshot, caller, queries[i]!, now, steps, grantsOf.get(i));
    }

    // Open elevations are in the snapshot (opening or ending one bumps the policy version).
    decisions.forEach((d, i) => {
      if (!needsEmergencies(d)) return;
      const open = snapshot.emergencies.get(queries[i]!.userId);
      if (open && open.length > 0)
        decisions[i] = run(snapshot, caller, queries[i]!, now, steps, grantsOf.get(i), open);
    });
    await auditDecisions(ctx, snapshot, queries, decisions);
    return { snapshot, decisions };
  }

  /** Records the decisions that touched a patient grant or an elevation (or every patient decision). */
  async function auditDecisions(
    ctx: Ctx,
    snapshot: PolicySnapshot,
    queries: readonly CheckQuery[],
    decisions: readonly Decision[],
  ): Promise<void> {
    const audited: number[] = [];
    decisions.forEach((d, i) => {
      if (d.reason.viaPatientGrant || d.reason.viaEmergency || auditedAnyway(snapshot, queries[i]!))
        audited.push(i);
    });
    if (audited.length === 0) return;
    await inTx(deps, async (trx) => {
      for (const i of audited) {
        const q = queries[i]!;
        const d = decisions[i]!;
        const record: Record<string, unknown> = {
          permission: q.permission,
          workspaceId: q.workspaceId ?? null,
          patientRef: q.patientRef ?? null,
          allowed: d.allowed,
          reason: d.reason.code,
        };
        // Through what: the role that applied (an inspector asks by name, and names change).
        if (d.reason.roleId) record.roleId = d.reason.roleId;
        if (d.reason.roleName) record.roleName = d.reason.roleName;
        if (d.reason.roleKind) record.roleKind = d.reason.roleKind;
        if (d.reason.viaPatientGrant) record.viaPatientGrant = d.reason.viaPatientGrant;
        if (d.reason.viaEmergency) record.viaEmergency = d.reason.viaEmergency;
        await appendAudit(deps, trx, ctx, {
          action: "access.decision",
          target: { type: "user", id: q.userId, label: snapshot.users.get(q.userId)?.username ?? null },
          changes: snapshotChanges(
            record,
            "after",
            AUDITED_FIELDS.filter((f) => f in record),
          ),
          outcome: d.allowed ? "success" : "denied",
        });
      }
    });
  }

  const answer = (d: Decision): CheckAnswer => ({ allowed: d.allowed, reason: d.reason });

  return {
    /**
     * May `query.userId` do `query.permission` (here, to this patient)? Answered synchronously
     * when the request's snapshot alone answers it and the answer is not audited (the common
     * case); otherwise through decideAll (grants, elevations, the audit record).
     */
    check(ctx: Ctx, caller: Caller, query: CheckQuery): CheckAnswer | Promise<CheckAnswer> {
      const snapshot = caller.policy;
      if (snapshot !== undefined && snapshot.tenantId === ctx.tenantId && caller.tenantId === ctx.tenantId) {
        const d = decideFromSnapshot(snapshot, query, deps.clock.now().toISOString());
        if (d !== undefined && !auditedAnyway(snapshot, query)) return answer(d);
      }
      return decideAll(ctx, caller, [query]).then(({ decisions }) => answer(decisions[0]!));
    },

    /** Up to MAX_BATCH checks against one snapshot; answers in the order asked. */
    async checkBatch(ctx: Ctx, caller: Caller, queries: readonly CheckQuery[]): Promise<CheckAnswer[]> {
      if (queries.length > MAX_BATCH) {
        throw new AppError("VALIDATION_FAILED", `at most ${MAX_BATCH} checks in one batch`);
      }
      if (queries.length === 0) return [];
      const { decisions } = await decideAll(ctx, caller, queries);
      return decisions.map(answer);
    },

    /** The decision with every step that led to it, and the query it answers. */
    async explain(ctx: Ctx, caller: Caller, query: CheckQuery): Promise<ExplainAnswer> {
      const { decisions } = await decideAll(ctx, caller, [query], true);
      const d = decisions[0]!;
      return {
        allowed: d.allowed,
        reason: d.reason,
        steps: [...d.steps],
        query: {
          userId: query.userId,
          permission: query.permission,
          workspaceId: query.workspaceId ?? null,
          patientRef: query.patientRef ?? null,
        },
      };
    },

    /**
     * The tenant's policy snapshot, current as of this call (one version read). For effective
     * permissions and who-can: read it, do not change it.
     */
    snapshot: snapshotOf,

    cacheStats: () => cache.stats(),
    /** Drops every cached snapshot (after rows were written outside the use cases, e.g. a restore). */
    forgetSnapshots: () => cache.clear(),
    /** Resolves once the PostgreSQL LISTEN connection is up (false when there is none). */
    listening: () => cache.listening(),
    /** Forgets the snapshots on shutdown (the LISTEN connection closes with the database). */
    close: () => cache.close(),
  };
}

export type AccessService = ReturnType<typeof createAccessService>;
