/**
 * Emergency (break-glass) access, HIPAA 164.312(a)(2)(ii): a holder of `emergency_access.use`
 * re-authenticates with its own password and a typed reason and gets, for one workspace or one
 * patient, the tenant's emergency permission set until the tenant's `emergencyAccessHours` pass
 * (or someone ends it). Every active tenant administrator gets an outbox message in the same
 * transaction, so the elevation never depends on a mail server. Elevations are read fresh by
 * every decision (facts.store.ts), so these transactions need no policy-version bump.
 */
import type { EmergencyAccess, OpenEmergencyAccessBody } from "@staffgate/contract";
import { appendAudit } from "../audit/audit-writer.ts";
import { type Caller, isOwnAccount } from "../auth/caller.ts";
import { takeReauthAttempt } from "../auth/reauth-throttle.ts";
import { stillSignedIn } from "../auth/still-signed-in.ts";
import { mailTime } from "../mail/mail-time.ts";
import { enqueue } from "../mail/outbox.store.ts";
import { loadTenantRoles } from "../roles/roles.table.ts";
import type { Ctx } from "../shared/context.ts";
import { decodePairCursor, encodeCursor } from "../shared/cursor.ts";
import type { Deps } from "../shared/deps.ts";
import { AppError, invalid, wrongPassword } from "../shared/errors.ts";
import { parseJson, toJson } from "../shared/json.ts";
import { inChangeTx, inTenantTx, inTx } from "../shared/tx.ts";
import { readSettings } from "../tenants/settings.rules.ts";
import { createTenantStore } from "../tenants/tenants.store.ts";
import { createUserStore } from "../users/users.store.ts";
import { createWorkspaceStore } from "../workspaces/workspaces.store.ts";
import { currentHolder } from "./current-holder.ts";
import { createEmergencyStore, type EmergencyRow } from "./emergency.store.ts";
import { patientOfElevation } from "./emergency-cutoff.ts";
import { tenantEmergencySet } from "./emergency-set.ts";
import { holdsAtTenantLevel } from "./grants.rules.ts";

const HOUR_MS = 3_600_000;

export function toEmergencyAccess(row: EmergencyRow, now: string): EmergencyAccess {
  return {
    id: row.id,
    userId: row.user_id,
    username: row.username,
    displayName: row.display_name,
    workspaceId: row.workspace_id,
    patientRef: row.patient_ref,
    reason: row.reason,
    permissions: parseJson<string[]>(row.permissions, []),
    status: row.ended_at === null && row.expires_at > now ? "open" : "ended",
    openedAt: row.opened_at,
    expiresAt: row.expires_at,
    endedAt: row.ended_at,
    endedBy: row.ended_by,
    reviewedAt: row.reviewed_at,
    reviewedBy: row.reviewed_by,
    reviewNote: row.review_note,
  };
}

/** Administrators and auditors see every elevation; a holder of only `emergency_access.use`, its own. */
function seesAll(caller: Caller): boolean {
  return caller.permissions.has("users.manage") || caller.permissions.has("audit.view");
}

const NOT_FOUND = () => new AppError("NOT_FOUND", "Emergency access not found");

export function createEmergencyAccessService(deps: Deps) {
  const now = () => deps.clock.now().toISOString();

  return {
    async openEmergency(
      caller: Caller,
      ctx: Ctx,
      body: OpenEmergencyAccessBody,
    ): Promise<{ id: string; expiresAt: string }> {
      if (caller.kind !== "session") {
        throw new AppError(
          "FORBIDDEN",
          "Emergency access is opened by a signed-in person, not by an API token",
        );
      }
      const tenant = await createTenantStore(deps.db.kysely).findTenantById(ctx.tenantId);
      if (!tenant) throw new AppError("TENANT_NOT_FOUND");
      const workspaceId = body.workspaceId ?? null;
      const patientRef = body.patientRef ?? null;
      let workspaceName: string | null = null;
      if (workspaceId !== null) {
        // Another tenant's workspace is refused exactly like one that does not exist.
        const ws = await createWorkspaceStore(deps.db.kysely, ctx.tenantId).findWorkspaceById(workspaceId);
        if (!ws) throw invalid("workspaceId", "no such workspace");
        workspaceName = ws.name;
      }
      const users = createUserStore(deps.db.kysely, ctx.tenantId);
      const me = await users.findUserRowById(caller.userId);
      if (!me) throw new AppError("UNAUTHENTICATED");
      // Step-up authentication: the caller's own password, checked again now, and throttled
      // like every re-authentication so a session cannot guess the password without limit. Per
      // session: break-glass must not be closed to its owner by another session's wrong guesses
      // (a stolen one, or the owner's own in a hurry: signing in again gives a fresh budget).
      const attempt = await takeReauthAttempt(deps, deps.db.kysely, {
        tenantId: ctx.tenantId,
        userId: me.id,
        action: "emergency_access.opened",
        sessionId: caller.sessionId,
      });
      const passwordOk =
        me.password_hash !== null && (await deps.hasher.verify(me.password_hash, body.password));
      if (!passwordOk) {
        await inTx(deps, (trx) =>
          appendAudit(deps, trx, ctx, {
            action: "emergency_access.opened",
            outcome: "failure",
            target: { type: "emergency_access", id: null, label: me.username },
            changes: {
              reason: { after: body.reason },
              workspaceId: { after: workspaceId },
              patientRef: { after: patientRef },
              failure: { after: "the password did not match" },
            },
          }),
        );
        // A wrong field, not a lost session (401 would sign the console out): as a wrong currentPassword.
        throw wrongPassword("password", "is not your password");
      }
      await attempt.giveBack();

      const openedAt = deps.clock.now();
      const settings = readSettings(tenant.settings);
      const expiresAt = new Date(openedAt.getTime() + settings.emergencyAccessHours * HOUR_MS).toISOString();
      const permissions = tenantEmergencySet(caller.catalog, settings.emergencyPermissions);
      const id = deps.ids.next("emg");
      await inTenantTx(deps, ctx.tenantId, async (trx) => {
        // Deactivated, signed out or stripped of the permission while the password was checked:
        // no elevation (it would come back into force on reactivation).
        await stillSignedIn(deps, trx, caller);
        const holder = await currentHolder(trx, caller);
        if (!holdsAtTenantLevel(caller.catalog, holder.role, "emergency_access.use")) {
          throw new AppError("FORBIDDEN", "You no longer hold emergency_access.use");
        }
        const store = createEmergencyStore(trx, ctx.tenantId);
        await store.insert({
          id,
          user_id: me.id,
          workspace_id: workspaceId,
          patient_ref: patientRef,
          reason: body.reason,
          permissions: toJson(permissions),
          opened_at: openedAt.toISOString(),
          expires_at: expiresAt,
          ended_at: null,
          ended_by: null,
          reviewed_at: null,
          reviewed_by: null,
          review_note: null,
        });
        const roles = await loadTenantRoles(trx, ctx.tenantId);
        const adminRoleIds = [...roles.values()]
          .filter((r) => holdsAtTenantLevel(caller.catalog, r, "users.manage"))
          .map((r) => r.id);
        const admins = await store.activeUsersWithRoles(adminRoleIds, openedAt.toISOString());
        const scope =
          workspaceId !== null
            ? `workspace "${workspaceName}" (${workspaceId})`
            : `patient reference ${patientRef}`;
        for (const admin of admins) {
          await enqueue(deps, trx, ctx.tenantId, {
            to: admin.email,
            kind: "emergency_access.opened",
            subject: `Emergency access opened by ${me.display_name}`,
            body: [
              `${me.display_name} (${me.username}) opened emergency access in tenant ${tenant.name}.`,
              "",
              `Scope: ${scope}`,
              `Opened: ${mailTime(openedAt.toISOString(), tenant.time_zone)}`,
              `Ends: ${mailTime(expiresAt, tenant.time_zone)} at the latest`,
              `Reference: ${id}`,
              "",
              "Review it under Emergency access in the Staffgate console once it has ended.",
              "",
              ...quotedReason(body.reason),
            ].join("\n"),
          });
        }
        await appendAudit(deps, trx, ctx, {
          action: "emergency_access.opened",
          target: { type: "emergency_access", id, label: me.username },
          changes: {
            reason: { after: body.reason },
            workspaceId: { after: workspaceId },
            patientRef: { after: patientRef },
            expiresAt: { after: expiresAt },
            permissions: { after: permissions },
            notified: { after: admins.length },
            // Who was told (an inspector's question; the outbox is readable only with settings.manage).
            notifiedUserIds: { after: admins.map((a) => a.id) },
          },
        });
      });
      return { id, expiresAt };
    },

    async listEmergencies(
      caller: Caller,
      ctx: Ctx,
      query: {
        limit: number;
        cursor?: string | undefined;
        status?: "open" | "ended" | undefined;
        reviewed?: boolean | undefined;
      },
    ): Promise<{ items: EmergencyAccess[]; nextCursor: string | null }> {
      const at = now();
      const after = decodePairCursor(query.cursor);
      const rows = await createEmergencyStore(deps.db.kysely, ctx.tenantId).list(
        {
          now: at,
          status: query.status,
          reviewed: query.reviewed,
          userId: seesAll(caller) ? undefined : caller.userId,
        },
        query.limit + 1,
        after,
      );
      const items = rows.slice(0, query.limit).map((r) => toEmergencyAccess(r, at));
      const last = items.at(-1);
      return {
        items,
        nextCursor: rows.length > query.limit && last ? encodeCursor([last.openedAt, last.id]) : null,
      };
    },

    /**
     * Ends an elevation by hand: its opener or a holder of users.manage. Ending one that has
     * already ended (by hand or by time) changes nothing and answers its current state.
     */
    async endEmergency(caller: Caller, ctx: Ctx, id: string): Promise<EmergencyAccess> {
      return inTenantTx(deps, ctx.tenantId, async (trx) => {
        const store = createEmergencyStore(trx, ctx.tenantId);
        const row = await store.findById(id);
        const own = row?.user_id === caller.userId;
        if (!row || !(own || seesAll(caller))) throw NOT_FOUND();
        if (!own && !caller.permissions.has("users.manage")) {
          throw new AppError(
            "FORBIDDEN",
            "Only its opener or a holder of users.manage ends emergency access",
          );
        }
        const at = now();
        if (await store.end(id, at, caller.userId)) {
          await appendAudit(deps, trx, ctx, {
            action: "emergency_access.ended",
            target: { type: "emergency_access", id, label: row.username },
            changes: {
              endedAt: { before: null, after: at },
              expiresAt: { before: row.expires_at },
              ...patientOfElevation(row.patient_ref),
            },
          });
        }
        return toEmergencyAccess((await store.findById(id))!, at);
      });
    },

    /**
     * Records the review of an elevation (audit.view or users.manage). Its own opener may review it
     * too (a practice with one administrator has nobody else), and the record says so: the audit
     * event carries `selfReview` (also when reviewed through an API token its opener made, whose
     * integration user the listing then shows as reviewer).
     */
    async reviewEmergency(caller: Caller, ctx: Ctx, id: string, note: string): Promise<EmergencyAccess> {
      return inChangeTx(deps, ctx.tenantId, async (trx) => {
        const store = createEmergencyStore(trx, ctx.tenantId);
        const row = await store.findById(id);
        if (!row) throw NOT_FOUND();
        // Reviewed through a token its opener made is a review by the opener.
        const own = isOwnAccount(caller, row.user_id);
        const at = now();
        // The first review stands (an inspector reads who signed it off); a conditional write, so
        // two reviewers at once cannot both think theirs was recorded.
        if (!(await store.review(id, at, caller.userId, note))) {
          throw new AppError("EMERGENCY_ALREADY_REVIEWED", `Reviewed already, by ${row.reviewed_by}`);
        }
        await appendAudit(deps, trx, ctx, {
          action: "emergency_access.reviewed",
          target: { type: "emergency_access", id, label: row.username },
          changes: {
            reviewNote: { after: note },
            reviewedBy: { after: caller.userId },
            reviewedAt: { after: at },
            ...(own ? { selfReview: { after: true } } : {}),
            ...patientOfElevation(row.patient_ref),
          },
        });
        return toEmergencyAccess((await store.findById(id))!, at);
      });
    },
  };
}

export type EmergencyAccessService = ReturnType<typeof createEmergencyAccessService>;

/**
 * The opener's reason as typed, last and quoted line by line: it may span lines, and must not pass
 * for the notice's own lines (a reason holding "Ends: already ended" or a link to "confirm your
 * identity" came out among them; found by the email audit, 2026-12-07).
 */
export function quotedReason(reason: string): string[] {
  return ["The reason they typed:", ...reason.split(/\r\n|\r|\n/).map((line) => `> ${line}`)];
}
