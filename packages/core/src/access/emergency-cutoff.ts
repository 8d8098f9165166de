/**
 * A user who stops being `active` (deactivated, archived, expired) loses their open emergency
 * elevations with their sessions and tokens, in the same transaction: an elevation is a
 * re-authenticated, reasoned act of that person, and it must not come back with a reactivation
 * (found by the product audit). Each one is audited as ended, which also tells every instance's
 * policy snapshot to re-read the tenant's elevations (access/policy-cache.ts).
 */
import { appendAudit } from "../audit/audit-writer.ts";
import type { Ctx } from "../shared/context.ts";
import type { Deps } from "../shared/deps.ts";
import type { Trx } from "../shared/tx.ts";
import { createEmergencyStore } from "./emergency.store.ts";

export async function endElevationsOf(
  deps: Deps,
  trx: Trx,
  ctx: Ctx,
  user: { readonly id: string; readonly username: string },
  at: string,
  because: string,
): Promise<void> {
  const ended = await createEmergencyStore(trx, ctx.tenantId).endOpenOf(user.id, at, endedBy(ctx));
  await auditEnded(
    deps,
    trx,
    ctx,
    ended.map((e) => ({ ...e, username: user.username })),
    at,
    because,
  );
}

/**
 * A deleted workspace takes the elevations naming it with it (as its role rows and grants), in the
 * same transaction: decide() already refuses a workspace that is not there, and the review list
 * must not show them open. Each is audited as ended, with the cause.
 */
export async function endElevationsNaming(
  deps: Deps,
  trx: Trx,
  ctx: Ctx,
  workspace: { readonly id: string; readonly slug: string },
  at: string,
): Promise<number> {
  const ended = await createEmergencyStore(trx, ctx.tenantId).endOpenNaming(workspace.id, at, endedBy(ctx));
  await auditEnded(deps, trx, ctx, ended, at, `workspace ${workspace.slug} was deleted`);
  return ended.length;
}

const endedBy = (ctx: Ctx) => ctx.actor.userId ?? ctx.actor.id ?? ctx.actor.type;

async function auditEnded(
  deps: Deps,
  trx: Trx,
  ctx: Ctx,
  ended: readonly { readonly id: string; readonly username: string; readonly patient_ref: string | null }[],
  at: string,
  cause: string,
): Promise<void> {
  for (const e of ended) {
    await appendAudit(deps, trx, ctx, {
      action: "emergency_access.ended",
      target: { type: "emergency_access", id: e.id, label: e.username },
      changes: {
        endedAt: { before: null, after: at },
        cause: { before: null, after: cause },
        ...patientOfElevation(e.patient_ref),
      },
    });
  }
}

/**
 * The patient an elevation named, on every event about it (ended, reviewed), so the trail of that
 * patient (`GET /audit?patientRef=`) shows when the access ended, not only when it opened (the
 * inspector audit: the opening's expiry suggested two hours of access that lasted a minute).
 */
export function patientOfElevation(patientRef: string | null): { patientRef?: { before: string } } {
  return patientRef === null ? {} : { patientRef: { before: patientRef } };
}
