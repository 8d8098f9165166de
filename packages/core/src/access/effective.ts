/**
 * The two derived views of the decision (PRODUCT.md §3, API.md):
 *  - effective permissions: for one user, what check would answer "allowed" for, with no workspace
 *    and in each workspace of the tenant, plus the collaborator marks (patient-scoped permissions
 *    that hold only for a patient granted to the user);
 *  - who-can: the reverse query, every user for whom check would answer "allowed", paged.
 *
 * Both run decide() itself over the access service's snapshot, with the same facts check would
 * read (patient grants, open emergency elevations), so they cannot drift from check. They decide
 * with `steps: false`, as check does.
 */
import { appendAudit } from "../audit/audit-writer.ts";
import type { Caller } from "../auth/caller.ts";
import type { Ctx } from "../shared/context.ts";
import { decodePairCursor, encodeCursor } from "../shared/cursor.ts";
import type { Deps } from "../shared/deps.ts";
import { AppError, invalid } from "../shared/errors.ts";
import { foldKey } from "../shared/text.rules.ts";
import { inTx } from "../shared/tx.ts";
import type { AccessService } from "./access.service.ts";
import {
  type Decision,
  type DecisionFacts,
  decide,
  type EmergencyFact,
  type PatientGrantFact,
  type Reason,
} from "./decision.rules.ts";
import type { PolicySnapshot, SnapshotUser } from "./policy-snapshot.ts";

export interface EffectivePermissions {
  /** Allowed with no workspace named (tenant level; tenant-only permissions included). */
  readonly tenant: string[];
  /** Whether the user acts as a collaborator with no workspace named (see `collaborator` below). */
  readonly tenantCollaborator: boolean;
  /** Patient-scoped permissions that hold with no workspace only for a granted patient. */
  readonly tenantCollaboratorPermissions: string[];
  readonly workspaces: {
    readonly workspaceId: string;
    /** Permissions allowed in this workspace (tenant-only ones as at tenant level, as check answers). */
    readonly permissions: string[];
    /**
     * Whether the user acts as a collaborator here (as a role's `collaborator` flag): some answer
     * here is limited by it — a patient-scoped permission held only for granted patients, or a
     * permission forbidden to collaborators.
     */
    readonly collaborator: boolean;
    /** Patient-scoped permissions that hold in this workspace only for a granted patient. */
    readonly collaboratorPermissions: string[];
    /** Permissions of `permissions` that hold here only through an open emergency elevation. */
    readonly emergencyPermissions: string[];
  }[];
}

export interface WhoCanQuery {
  readonly permission: string;
  readonly workspaceId?: string | null | undefined;
  readonly patientRef?: string | null | undefined;
  readonly limit?: number | undefined;
  readonly cursor?: string | undefined;
}

export interface WhoCanItem {
  readonly userId: string;
  readonly username: string;
  readonly reason: Reason;
}

export const WHO_CAN_DEFAULT_LIMIT = 50;
export const WHO_CAN_MAX_LIMIT = 200;

/**
 * The order who-can pages in: usernames as the users list sorts them (their identity key, so "Carl"
 * comes after "bob", not before "admin"), then ids.
 */
interface Listed {
  readonly key: string;
  readonly id: string;
}
const byUsername = (a: Listed, b: Listed) =>
  byCodePoint(a.key, b.key) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Strings in code point order, as both databases compare UTF-8 text. UTF-16 order differs from it
 * only between a surrogate (U+D800–DFFF, half of a code point past U+FFFF) and U+E000–FFFF: those
 * are moved so the surrogates sort last.
 */
function byCodePoint(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}
const codePointRank = (unit: number) =>
  unit >= 0xd800 && unit <= 0xdfff ? unit + 0x2000 : unit >= 0xe000 ? unit - 0x800 : unit;

export function createEffectiveService(deps: Deps, access: AccessService) {
  /** Virtual users act only through their own API token: the same rule check applies. */
  const viaApiToken = (caller: Caller, userId: string) =>
    caller.kind === "api_token" && caller.userId === userId;

  function factsFor(
    snapshot: PolicySnapshot,
    caller: Caller,
    user: SnapshotUser,
    now: string,
    workspaceId: string | null,
    patientGrants: readonly PatientGrantFact[],
    emergencies: readonly EmergencyFact[],
  ): DecisionFacts {
    return {
      catalog: snapshot.catalog,
      now,
      user: user.decision,
      viaApiToken: viaApiToken(caller, user.id),
      ...(workspaceId ? { workspaceExists: snapshot.workspaces.has(workspaceId) } : {}),
      patientGrants,
      emergencies,
    };
  }

  async function snapshotFor(ctx: Ctx, caller: Caller): Promise<PolicySnapshot> {
    if (caller.tenantId !== ctx.tenantId) throw new AppError("FORBIDDEN");
    return access.snapshot(ctx.tenantId, caller);
  }

  return {
    /** The user's effective-permission matrix: tenant level and each workspace of the tenant. */
    async effectivePermissions(ctx: Ctx, caller: Caller, userId: string): Promise<EffectivePermissions> {
      const snapshot = await snapshotFor(ctx, caller);
      const user = snapshot.users.get(userId);
      if (!user) throw new AppError("USER_NOT_FOUND");
      const now = deps.clock.now().toISOString();
      // Workspace elevations (no patient) change what check answers with no patient named.
      const emergencies =
        user.decision.status === "active"
          ? (snapshot.emergencies.get(userId) ?? []).filter((e) => e.patientRef === null)
          : [];
      // Every column is what check answers for every permission of the catalogue there, so the
      // matrix agrees with check on every pair: tenant-only permissions ignore the workspace and
      // appear in each workspace's list as at tenant level.
      const all = snapshot.catalog.permissions.map((p) => p.key);
      const column = (workspaceId: string | null) => {
        const facts = factsFor(snapshot, caller, user, now, workspaceId, [], emergencies);
        const permissions: string[] = [];
        const collaboratorPermissions: string[] = [];
        const emergencyPermissions: string[] = [];
        let collaborator = false;
        for (const permission of all) {
          const d = decide(facts, { permission, workspaceId, patientRef: null }, { steps: false });
          if (d.allowed) permissions.push(permission);
          else if (d.reason.code === "COLLABORATOR_NO_PATIENT") collaboratorPermissions.push(permission);
          if (d.reason.viaEmergency) emergencyPermissions.push(permission);
          if (d.reason.code.startsWith("COLLABORATOR_")) collaborator = true;
        }
        return { permissions, collaborator, collaboratorPermissions, emergencyPermissions };
      };
      // With no workspace named no elevation applies (each names a workspace or a patient).
      const tenant = column(null);
      const workspaces = [...snapshot.workspaces]
        .sort()
        .map((workspaceId) => ({ workspaceId, ...column(workspaceId) }));
      // Recorded as check and who-can record their decisions (PRODUCT.md §6): when an answer rests
      // on an elevation, or the tenant records every patient-scoped decision (the matrix decides
      // each of them). No patient is named, so none rests on a grant. Found by the issue 5 re-walk.
      const viaEmergency = workspaces
        .filter((w) => w.emergencyPermissions.length > 0)
        .map((w) => w.workspaceId);
      if (viaEmergency.length > 0 || snapshot.settings.auditAllPatientDecisions) {
        await inTx(deps, (trx) =>
          appendAudit(deps, trx, ctx, {
            action: "access.effective_permissions",
            target: { type: "user", id: user.id, label: user.username },
            changes: viaEmergency.length > 0 ? { viaEmergency: { after: viaEmergency } } : {},
          }),
        );
      }
      return {
        tenant: tenant.permissions,
        tenantCollaborator: tenant.collaborator,
        tenantCollaboratorPermissions: tenant.collaboratorPermissions,
        workspaces,
      };
    },

    /** Every user for whom check would answer "allowed", by username then id, one page. */
    async whoCan(
      ctx: Ctx,
      caller: Caller,
      query: WhoCanQuery,
    ): Promise<{ items: WhoCanItem[]; nextCursor: string | null }> {
      const snapshot = await snapshotFor(ctx, caller);
      if (!snapshot.catalog.byKey.has(query.permission)) {
        throw invalid("permission", `"${query.permission}" is not in the catalogue`);
      }
      const limit = Math.min(WHO_CAN_MAX_LIMIT, Math.max(1, query.limit ?? WHO_CAN_DEFAULT_LIMIT));
      // Sent in the body, not the query string: the problem names the body's field.
      const after = decodePairCursor(query.cursor, "cursor");
      const workspaceId = query.workspaceId ?? null;
      const patientRef = query.patientRef ?? null;
      const now = deps.clock.now().toISOString();
      const db = deps.db.kysely;

      // The patient's grants, read once (one query over (tenant_id, patient_ref)).
      const grantsBy = new Map<string, PatientGrantFact[]>();
      if (patientRef) {
        const rows = await db
          .selectFrom("patient_grants")
          .select(["id", "user_id", "workspace_id", "expires_at"])
          .where("tenant_id", "=", ctx.tenantId)
          .where("patient_ref", "=", patientRef)
          .execute();
        for (const r of rows) {
          const fact = { id: r.id, workspaceId: r.workspace_id, expiresAt: r.expires_at };
          const list = grantsBy.get(r.user_id);
          if (list) list.push(fact);
          else grantsBy.set(r.user_id, [fact]);
        }
      }
      // Open elevations naming this patient, or this workspace with no patient (held in the snapshot).
      const emergenciesBy = new Map<string, EmergencyFact[]>();
      for (const [uid, list] of snapshot.emergencies) {
        const naming = list.filter(
          (e) =>
            e.expiresAt > now &&
            ((patientRef !== undefined && patientRef !== null && e.patientRef === patientRef) ||
              (workspaceId !== undefined &&
                workspaceId !== null &&
                e.patientRef === null &&
                e.workspaceId === workspaceId)),
        );
        if (naming.length > 0) emergenciesBy.set(uid, naming);
      }

      const q = { permission: query.permission, workspaceId, patientRef };
      const from = after ? { key: after[0], id: after[1] } : null;
      const allowed: { user: SnapshotUser; decision: Decision; key: string; id: string }[] = [];
      for (const user of snapshot.users.values()) {
        if (user.status !== "active") continue;
        const facts = factsFor(
          snapshot,
          caller,
          user,
          now,
          workspaceId,
          grantsBy.get(user.id) ?? [],
          emergenciesBy.get(user.id) ?? [],
        );
        const decision = decide(facts, q, { steps: false });
        if (!decision.allowed) continue;
        // Folded only for those allowed: the key is not kept in the snapshot, which holds every user.
        const listed = { user, decision, key: foldKey(user.username), id: user.id };
        if (!from || byUsername(listed, from) > 0) allowed.push(listed);
      }
      allowed.sort(byUsername);
      const page = allowed.slice(0, limit);
      const last = page[page.length - 1];
      // Recorded as check records its decisions (PRODUCT.md §6): when an answer rests on a patient
      // grant or an elevation (a workspace's elevation too, with no patient named), or the tenant
      // records every patient-scoped decision; one event per page, with how many were listed and
      // through what.
      const viaGrant = page.filter((a) => a.decision.reason.viaPatientGrant).length;
      const viaEmergency = page.filter((a) => a.decision.reason.viaEmergency).length;
      const patientScoped = snapshot.catalog.byKey.get(query.permission)?.patientScoped === true;
      if (viaGrant > 0 || viaEmergency > 0 || (snapshot.settings.auditAllPatientDecisions && patientScoped)) {
        await inTx(deps, (trx) =>
          appendAudit(deps, trx, ctx, {
            action: "access.who_can",
            changes: {
              permission: { after: query.permission },
              ...(patientRef ? { patientRef: { after: patientRef } } : {}),
              ...(workspaceId ? { workspaceId: { after: workspaceId } } : {}),
              listed: { after: page.length },
              viaPatientGrant: { after: viaGrant },
              ...(viaEmergency > 0 ? { viaEmergency: { after: viaEmergency } } : {}),
            },
          }),
        );
      }
      return {
        items: page.map(({ user, decision }) => ({
          userId: user.id,
          username: user.username,
          reason: decision.reason,
        })),
        nextCursor: allowed.length > limit && last ? encodeCursor([last.key, last.id]) : null,
      };
    },
  };
}

export type EffectiveService = ReturnType<typeof createEffectiveService>;
