/**
 * Patient access grants (PRODUCT.md §2): list who has access to a patient, grant, revoke, and the
 * application's "this user created the patient". Each write is one transaction with its audit
 * events. Grants are read fresh by every decision (facts.store.ts), so these transactions lock
 * the tenant row (serialising writers, which keeps "one grant per (user, patient, workspace)"
 * true) without bumping the tenant's policy version.
 */
import type { GrantPatientAccessBody, PatientCreatedBody, PatientGrant } from "@staffgate/contract";
import { appendAudit, type Changes, flushAudit } from "../audit/audit-writer.ts";
import { type Caller, isOwnAccount } from "../auth/caller.ts";
import type { Ctx } from "../shared/context.ts";
import { decodePairCursor, encodeCursor } from "../shared/cursor.ts";
import type { Deps } from "../shared/deps.ts";
import { AppError, invalid } from "../shared/errors.ts";
import { inChangeTx, type Trx } from "../shared/tx.ts";
import { expectVersion } from "../shared/versions.ts";
import { ensureNotSelf } from "../users/user-lifecycle.service.ts";
import { createUserStore } from "../users/users.store.ts";
import { createWorkspaceStore } from "../workspaces/workspaces.store.ts";
import { currentHolder, holderOf } from "./current-holder.ts";
import { accessBeyond, grantChanges, isActiveIn, lacksToCreatePatients } from "./grants.rules.ts";
import {
  createPatientAccessStore,
  lockTenantRow,
  type NewPatientGrant,
  type PatientGrantRow,
} from "./patient-access.store.ts";

export const CREATED_PATIENT_REASON = "created the patient";

export function toPatientGrant(row: PatientGrantRow): PatientGrant {
  return {
    id: row.id,
    patientRef: row.patient_ref,
    userId: row.user_id,
    username: row.username,
    displayName: row.display_name,
    userStatus: row.user_status,
    workspaceId: row.workspace_id,
    grantedBy: row.granted_by,
    reason: row.reason,
    expiresAt: row.expires_at,
    createdAt: row.created_at,
    version: Number(row.version),
  };
}

interface GrantInput {
  readonly userId: string;
  readonly workspaceId: string | null;
  readonly reason: string | null;
  readonly expiresAt: string | null;
  /**
   * The application's API token reports that the user created the patient: it vouches for the
   * grant, which is not weighed against the token's own permissions (docs/decisions.md).
   */
  readonly vouched?: boolean;
  /** The application reports that the user created the patient: they must have been able to. */
  readonly created?: boolean;
}

export function createPatientAccessService(deps: Deps) {
  const now = () => deps.clock.now().toISOString();

  /** The tenant-locked transaction every write runs in. */
  function inGrantTx<T>(tenantId: string, work: (trx: Trx) => Promise<T>): Promise<T> {
    return inChangeTx(deps, tenantId, work, async (trx) => {
      if (!(await lockTenantRow(trx, deps.db.dialect, tenantId))) throw new AppError("TENANT_NOT_FOUND");
    });
  }

  /**
   * A report that the user created the patient grants access the user would otherwise lack, so it
   * is believed only of someone who could have: active (an invited user has never signed in, an
   * inactive one cannot) and holding what creating a patient takes where it was created
   * (found by the domain audit, 2026-12-07: any integration token gave any collaborator any
   * patient under this label).
   */
  async function ensureCouldHaveCreated(
    trx: Trx,
    caller: Caller,
    user: { id: string; status: string; role_id: string; expires_at: string | null },
    workspaceId: string | null,
    at: string,
  ): Promise<void> {
    // Past its expiry an account is being archived (the job does it within a minute).
    const status = user.expires_at !== null && user.expires_at <= at ? "expired" : user.status;
    if (status !== "active") {
      throw new AppError(
        "USER_STATE_INVALID",
        `The user is ${status}, so cannot have created a patient; grant access instead`,
        { errors: [{ path: "userId", message: `is ${status}` }] },
      );
    }
    const holder = await holderOf(trx, caller.tenantId, user.id, user.role_id);
    // Named as such: "lacks patients.write" sent integrators to change a role that was not the cause.
    if (holder && workspaceId !== null && !isActiveIn(holder, workspaceId)) {
      const message = "is not active in this workspace, so may not have created a patient there";
      throw new AppError("PATIENT_CREATOR_NOT_PERMITTED", `The user ${message}`, {
        errors: [{ path: "workspaceId", message }],
      });
    }
    const lacking = holder ? lacksToCreatePatients(caller.catalog, holder, workspaceId) : ["patients.write"];
    if (lacking.length === 0) return;
    const where = workspaceId === null ? "at tenant level" : "in this workspace";
    const message = `may not create patients ${where}: lacks ${lacking.join(" and ")}`;
    throw new AppError("PATIENT_CREATOR_NOT_PERMITTED", `The user ${message}`, {
      errors: [{ path: workspaceId === null ? "userId" : "workspaceId", message }],
    });
  }

  async function grant(
    caller: Caller,
    ctx: Ctx,
    patientRef: string,
    input: GrantInput,
  ): Promise<PatientGrant> {
    if (!input.vouched) ensureNotSelf(caller, input.userId, "grant patient access to");
    const at = now();
    let expiresAt: string | null = null;
    if (input.expiresAt !== null) {
      expiresAt = new Date(input.expiresAt).toISOString();
      if (expiresAt <= at)
        throw invalid("expiresAt", "must be in the future (revoke the grant to end access now)");
    }
    return inGrantTx(ctx.tenantId, async (trx) => {
      // Another tenant's user or workspace is refused exactly like one that does not exist.
      const user = await createUserStore(trx, ctx.tenantId).findUserRowById(input.userId);
      if (!user) throw invalid("userId", "no such user");
      // An archived user is off the books (as for editing it): restore it first. Inactive and
      // invited users may be given access ahead of their (re)activation.
      if (user.status === "archived") {
        throw new AppError(
          "USER_STATE_INVALID",
          "An archived user cannot be given access; restore the user first",
        );
      }
      if (input.workspaceId !== null) {
        const ws = await createWorkspaceStore(trx, ctx.tenantId).findWorkspaceById(input.workspaceId);
        if (!ws) throw invalid("workspaceId", "no such workspace");
      }
      // A granter active in some workspaces only grants within them (PRODUCT.md §2: nowhere else
      // do they hold anything): a grant naming another workspace, or none (it then holds wherever
      // the user is active), reaches beyond (found by the re-check, 2026-12-05).
      const beyond = accessBeyond(
        await currentHolder(trx, caller),
        input.workspaceId === null ? "all" : [input.workspaceId],
      );
      if (beyond === "all" || beyond.length > 0) {
        const message =
          beyond === "all"
            ? "is needed: you are active only in some workspaces, so a grant names one of them"
            : "is a workspace you are not active in";
        throw new AppError("PRIVILEGE_ESCALATION", `The grant's workspace ${message}`, {
          errors: [{ path: "workspaceId", message }],
        });
      }
      // After the granter's own reach: a workspace beyond it is theirs to hear about first (403).
      if (input.created) await ensureCouldHaveCreated(trx, caller, user, input.workspaceId, at);
      const store = createPatientAccessStore(trx, ctx.tenantId);
      const existing = await store.findGrant(input.userId, patientRef, input.workspaceId);
      const fields = { granted_by: caller.userId, reason: input.reason, expires_at: expiresAt };
      let id: string;
      let changes: Changes;
      if (existing) {
        // One grant per (user, patient, workspace): a repeated grant refreshes reason and expiry.
        // Only a real change moves the version: the application reporting the same creation again
        // must not make an administrator's revocation stale.
        id = existing.id;
        const same =
          existing.granted_by === fields.granted_by &&
          existing.reason === fields.reason &&
          existing.expires_at === fields.expires_at;
        if (!same) await store.refreshGrant(id, fields);
        changes = {
          ...grantChanges("after", patientRef, { workspace_id: input.workspaceId, ...fields }),
          reason: { before: existing.reason, after: fields.reason },
          expiresAt: { before: existing.expires_at, after: fields.expires_at },
        };
      } else {
        id = deps.ids.next("grt");
        changes = grantChanges("after", patientRef, { workspace_id: input.workspaceId, ...fields });
      }
      await appendAudit(deps, trx, ctx, {
        action: "patient_access.granted",
        target: { type: "user", id: user.id, label: user.username },
        changes,
      });
      const seq = await flushAudit(trx);
      if (!existing) {
        // Its version starts at its audit event's number, which the tenant never gives again: a
        // grant revoked and given anew cannot take back a version an old If-Match names (race
        // audit, 2026-12-06: both were 1, and a stale revocation removed the new grant).
        const row: NewPatientGrant = {
          id,
          user_id: input.userId,
          patient_ref: patientRef,
          workspace_id: input.workspaceId,
          created_at: at,
          version: seq,
          ...fields,
        };
        await store.insertGrant(row);
      }
      return toPatientGrant((await store.findGrantById(id))!);
    });
  }

  return {
    /** Who has access to a patient: its live grants (and expired ones on request), paged. */
    async listAccess(
      ctx: Ctx,
      patientRef: string,
      query: { limit: number; cursor?: string | undefined; includeExpired?: boolean | undefined },
    ): Promise<{ items: PatientGrant[]; nextCursor: string | null }> {
      const after = decodePairCursor(query.cursor);
      const rows = await createPatientAccessStore(deps.db.kysely, ctx.tenantId).listForPatient({
        patientRef,
        limit: query.limit + 1,
        after,
        liveAt: query.includeExpired ? null : now(),
      });
      const items = rows.slice(0, query.limit).map(toPatientGrant);
      const last = items.at(-1);
      return {
        items,
        nextCursor: rows.length > query.limit && last ? encodeCursor([last.createdAt, last.id]) : null,
      };
    },

    grantAccess(caller: Caller, ctx: Ctx, patientRef: string, body: GrantPatientAccessBody) {
      return grant(caller, ctx, patientRef, {
        userId: body.userId,
        workspaceId: body.workspaceId ?? null,
        reason: body.reason ?? null,
        expiresAt: body.expiresAt ?? null,
      });
    },

    /**
     * The application reports that the user created or uploaded the patient: a grant without
     * expiry. The application's API token vouches for it; a person reporting it is held to the
     * rules of any other grant (not to themselves), and so is a token reporting it of the person
     * who made it (a token made for the purpose would otherwise grant its maker any patient).
     */
    patientCreated(caller: Caller, ctx: Ctx, patientRef: string, body: PatientCreatedBody) {
      return grant(caller, ctx, patientRef, {
        userId: body.userId,
        workspaceId: body.workspaceId ?? null,
        reason: CREATED_PATIENT_REASON,
        expiresAt: null,
        vouched: caller.kind === "api_token" && !isOwnAccount(caller, body.userId),
        created: true,
      });
    },

    /**
     * Removes the user's grants on the patient (or only the one for `workspaceId`); 404 when there
     * are none, 412 for a stale If-Match.
     */
    async revokeAccess(
      ctx: Ctx,
      patientRef: string,
      userId: string,
      workspaceId: string | undefined,
      ifMatch?: number,
    ): Promise<void> {
      await inGrantTx(ctx.tenantId, async (trx) => {
        const store = createPatientAccessStore(trx, ctx.tenantId);
        const grants = await store.grantsOf(userId, patientRef, workspaceId);
        if (grants.length === 0)
          throw new AppError("NOT_FOUND", "The user has no access grant on this patient");
        // If-Match names one grant's version: with several grants it would name none of them.
        if (ifMatch !== undefined && grants.length > 1) {
          throw invalid(
            "workspaceId",
            "is needed with If-Match: the user has more than one grant on this patient, and If-Match names one grant's version",
          );
        }
        // The grant removed must be at the version named: one refreshed since it was read is not
        // what the caller decided to revoke.
        if (grants[0]) expectVersion(Number(grants[0].version), ifMatch);
        const user = await createUserStore(trx, ctx.tenantId).findUserRowById(userId);
        await store.deleteGrants(grants.map((g) => g.id));
        for (const g of grants) {
          await appendAudit(deps, trx, ctx, {
            action: "patient_access.revoked",
            target: { type: "user", id: userId, label: user?.username ?? null },
            changes: grantChanges("before", patientRef, g),
          });
        }
      });
    },
  };
}

export type PatientAccessService = ReturnType<typeof createPatientAccessService>;
