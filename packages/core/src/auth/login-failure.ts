/**
 * A refused sign-in, recorded (login.service.ts): the failure counted when it counts (one UPDATE …
 * RETURNING that locks at the threshold), the audit event, and on a lock the owner's notice (at
 * most one a day) and its own audit event.
 */
import { appendAudit } from "../audit/audit-writer.ts";
import type { UsersTable } from "../db/schema.ts";
import { enqueue, queuedSince } from "../mail/outbox.store.ts";
import { anonymousActor, type Ctx, type RequestMeta } from "../shared/context.ts";
import type { Deps } from "../shared/deps.ts";
import { inTx } from "../shared/tx.ts";
import type { TenantSettings } from "../tenants/settings.rules.ts";
import { createTenantStore } from "../tenants/tenants.store.ts";
import { lockedEmail } from "./credential-emails.ts";
import { countFailure } from "./login.store.ts";

const DAY_MS = 86_400_000;

export type FailureReason =
  | "unknown_user"
  | "locked"
  | "wrong_password"
  /** The account has no password (invited, or a virtual user): not counted toward a lock. */
  | "no_password"
  | "not_active"
  | "second_factor_missing"
  | "second_factor_invalid"
  /** Locked, its password set or reset, or no longer active while the password was verified. */
  | "changed_meanwhile";

export interface FailedAttempt {
  readonly meta: RequestMeta;
  readonly tenant: { readonly id: string };
  /** Undefined when no user of the tenant has that login. */
  readonly row: UsersTable | undefined;
  readonly settings: TenantSettings;
  readonly now: Date;
}

export async function recordLoginFailure(
  deps: Deps,
  { meta, tenant, row, settings, now }: FailedAttempt,
  reason: FailureReason,
  counted: boolean,
): Promise<void> {
  const nowIso = now.toISOString();
  // Nobody signed in: whoever typed the login is not known to be the user, so the actor is
  // anonymous (the user is the target) and the events are no history of the user's. A login that
  // names nobody is not kept at all: people type their password into the login field, and the
  // trail is kept for six years (PRODUCT.md §6 "secrets never"); the address and the reason
  // still show a stuffing run.
  const ctx: Ctx = {
    ...meta,
    tenantId: tenant.id,
    actor: anonymousActor(row?.username),
  };
  await inTx(deps, async (trx) => {
    const count = counted && row ? await countFailure(trx, tenant.id, row.id, settings, now) : undefined;
    await appendAudit(deps, trx, ctx, {
      action: "auth.login.failed",
      target: row ? { type: "user", id: row.id, label: row.username } : undefined,
      changes: {
        reason: { after: count === undefined && counted ? "locked" : reason },
        ...(count ? { failedAttempts: { after: count.failedAttempts } } : {}),
      },
      outcome: "failure",
    });
    if (count?.locked && row) {
      const lockedUntil =
        settings.lockoutMinutes === 0
          ? null
          : new Date(now.getTime() + settings.lockoutMinutes * 60_000).toISOString();
      // Told only to someone who can act on it (an active person with a password, who can
      // reset it), and at most once a day: re-locking every 15 minutes must not flood a mailbox.
      if (row.status === "active" && row.virtual === 0 && row.password_hash !== null) {
        const since = new Date(now.getTime() - DAY_MS).toISOString();
        const kind = "auth.locked";
        if (!(await queuedSince(trx, { tenantId: tenant.id, to: row.email, kind, since }))) {
          const practice = (await createTenantStore(trx).findTenantById(tenant.id))!;
          await enqueue(
            deps,
            trx,
            tenant.id,
            lockedEmail(deps.publicUrl, nowIso, count.failedAttempts, lockedUntil, row, practice),
            // A failed sign-in answers alike whatever it set off: the time must not tell either.
            { answerFirst: true },
          );
        }
      }
      await appendAudit(deps, trx, ctx, {
        action: "auth.locked",
        target: { type: "user", id: row.id, label: row.username },
        changes: {
          failedAttempts: { after: count.failedAttempts },
          lockedUntil: { after: lockedUntil },
        },
        outcome: "success",
      });
    }
  });
}
