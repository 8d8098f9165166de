/**
 * The one-time links: forgot password and reset (60 minutes), invitations (72 hours) and their
 * resending. A link is `newSecret` (256 bits) of which only the SHA-256 is stored, redeemed by one
 * conditional UPDATE (credential-tokens.store.ts `consume`), so concurrent redemptions give one
 * success; a newer link of a kind voids the older ones.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { appendAudit } from "../audit/audit-writer.ts";
import type { UsersTable } from "../db/schema.ts";
import { anonymousActor, type Ctx, type RequestMeta } from "../shared/context.ts";
import type { Deps } from "../shared/deps.ts";
import { AppError } from "../shared/errors.ts";
import { foldKey } from "../shared/text.rules.ts";
import { inTenantTx, inTx } from "../shared/tx.ts";
import { createTenantStore } from "../tenants/tenants.store.ts";
import { loadTargetWithin } from "../users/user-lifecycle.service.ts";
import { createUserStore } from "../users/users.store.ts";
import { endAccessOf, endedChanges } from "./access-cutoff.ts";
import type { Caller } from "./caller.ts";
import { issueCredentialLink, queueInvitation } from "./credential-links.ts";
import { type CredentialTokenKind, createCredentialTokenStore } from "./credential-tokens.store.ts";
import { hitOne, throttleKey, windowStartOf } from "./login-throttle.store.ts";
import { checkPassword, exceedsHardCap, passwordInvalid } from "./password-policy.rules.ts";
import {
  canAcceptInvitation,
  canResetPassword,
  invalidToken,
  lockEnded,
  type PasswordWrites,
} from "./password-writes.ts";

const MINUTE_MS = 60_000;
/** Forgot-password emails per account per hour (SECURITY.md C-28). */
export const RESET_EMAILS_PER_HOUR = 3;

/**
 * The least time a forgot-password request takes (SECURITY.md A-15, the Forgot Password CS:
 * "responses return in a consistent amount of time"). An unknown tenant writes nothing, an
 * unknown address an audit row, a real account a link and its email besides: medians of 8, 13
 * and 13–20 ms on PostgreSQL on a slow 2-core host. Answering no sooner than this hides the
 * difference while the work takes less; the wait is a timer, not work, and real time, not the
 * domain clock (deps.clock), which tests move by hours.
 */
export const FORGOT_PASSWORD_MIN_MS = 100;

/**
 * Forgot-password requests per client address per 15 minutes (SECURITY.md I-56, D-28): each one
 * writes an audit row and may send an email, so one address flooding them filled a tenant's audit
 * trail (1,200 rows in 7 s, the issue 4 walk). Counted before anything about the account is read,
 * so the 429 says nothing about it; a clinic behind one address never asks this often.
 */
export const FORGOT_PASSWORD_PER_ADDRESS = { windowMs: 15 * MINUTE_MS, limit: 100 } as const;

/** Ids that match no row: the unknown-tenant / unknown-email path runs the same statements. */
const NO_TENANT = "ten_none";
const NO_USER = "usr_none";

const ANONYMOUS = anonymousActor();

/** `queued`: an email with a link is in the outbox (its delivery is logged on its own: mail_sent, mail_delivery_failed). */
type ResetRequestOutcome = "queued" | "throttled" | "ineligible" | "unknown";

export function createPasswordLinksService(deps: Deps, writes: PasswordWrites) {
  const db = deps.db.kysely;
  const { nowIso, checkNewPassword, storePassword, notify, lookUpLink } = writes;

  /**
   * Everything a link's redemption does before its transaction: the hard cap, the link (usable,
   * its user in a state that may redeem it), the policy and history, the hash. The link is only
   * read here; its transaction consumes it.
   */
  async function redeemable(
    meta: RequestMeta,
    kind: CredentialTokenKind,
    token: string,
    chosen: { readonly path: string; readonly password: string },
    usable: (user: UsersTable, at: string) => boolean,
  ) {
    const { path, password } = chosen;
    if (exceedsHardCap(password)) throw passwordInvalid(path, checkPassword(password)!);
    const link = await lookUpLink(kind, token);
    if (!usable(link.user, nowIso())) throw invalidToken();
    await checkNewPassword(path, password, link.user, link.tenant, link.settings);
    const hash = await deps.hasher.hash(password);
    const { user } = link;
    const ctx: Ctx = {
      ...meta,
      tenantId: link.tenant.id,
      actor: { type: "user", id: user.id, label: user.username },
    };
    return { ...link, hash, ctx };
  }

  /** The work of a forgot-password request, whatever the account (see `forgotPassword`). */
  async function requestReset(
    meta: RequestMeta,
    input: { readonly tenant: string; readonly email: string },
    /** The floor's end (`performance.now()`): the link's printing is waited for until then only. */
    printBy: number,
  ): Promise<ResetRequestOutcome> {
    const tenant = await createTenantStore(db).findTenantBySlug(foldKey(input.tenant));
    const tenantId = tenant?.id ?? NO_TENANT;
    const user = await db
      .selectFrom("users")
      .selectAll()
      .where("tenant_id", "=", tenantId)
      .where("email_key", "=", foldKey(input.email))
      .executeTakeFirst();
    return inTx(deps, async (trx) => {
      // Parallel requests for one account take turns: the count below, then the link, are
      // exact (3 an hour, the newest voiding the rest); unknown accounts run the same statement.
      await createUserStore(trx, tenantId).lockUserRow(user?.id ?? NO_USER, deps.db.dialect);
      const now = deps.clock.now();
      const at = now.toISOString();
      const hourAgo = new Date(now.getTime() - 60 * MINUTE_MS).toISOString();
      // Someone invited who never set a password has nothing to reset: a new invitation is what
      // lets them in (theirs lapses after 72 hours), sent to the same address the first one was.
      const kind: CredentialTokenKind = user && canAcceptInvitation(user, at) ? "invitation" : "reset";
      const issued = await createCredentialTokenStore(trx, tenantId).countIssuedSince(
        user?.id ?? NO_USER,
        kind,
        hourAgo,
      );
      const outcome = !tenant
        ? "unknown"
        : !user
          ? "unknown"
          : kind === "reset" && !canResetPassword(user, at)
            ? "ineligible"
            : issued >= RESET_EMAILS_PER_HOUR
              ? "throttled"
              : "queued";
      if (!tenant) return outcome;
      // Printed (without SMTP) before the answer, within the floor and no longer: the link is
      // readable when the 202 arrives, on PostgreSQL too (the email audit, 2026-12-07), and a
      // backlog of other mail never makes a real account's answer later (the review).
      if (outcome === "queued") await issueCredentialLink(deps, trx, tenant, user!, kind, { printBy });
      const ctx: Ctx = { ...meta, tenantId: tenant.id, actor: ANONYMOUS };
      await appendAudit(deps, trx, ctx, {
        action: "auth.password.reset_requested",
        ...(user ? { target: { type: "user", id: user.id, label: user.username } } : {}),
        outcome: outcome === "queued" ? "success" : "failure",
        ...(outcome !== "queued"
          ? { changes: { reason: { after: outcome } } }
          : kind === "invitation"
            ? { changes: { link: { after: "invitation" } } }
            : {}),
      });
      return outcome;
    });
  }

  return {
    /**
     * `POST /auth/forgot-password`. Never throws for anything about the account. An unknown tenant
     * or email runs the same reads and the same transaction (against ids that match nothing), but
     * writes less (no audit row without a tenant, no link without an account), so no request ends
     * sooner than `FORGOT_PASSWORD_MIN_MS`: neither the answer nor, while the work takes less than
     * that, its time tells whether the account exists. Returns what happened, for tests and the
     * log; the route answers the same 202 regardless.
     */
    async forgotPassword(
      meta: RequestMeta,
      input: { readonly tenant: string; readonly email: string },
    ): Promise<ResetRequestOutcome> {
      const now = deps.clock.now();
      const hit = await hitOne(
        deps.db.kysely,
        throttleKey(`forgot-ip:${meta.ip ?? "unknown"}`),
        windowStartOf(now, FORGOT_PASSWORD_PER_ADDRESS.windowMs),
      );
      if (hit.count > FORGOT_PASSWORD_PER_ADDRESS.limit) {
        const ends = Date.parse(hit.windowStart) + FORGOT_PASSWORD_PER_ADDRESS.windowMs;
        throw new AppError(
          "THROTTLED",
          "Too many password-reset requests from this address; try again later",
          {
            extensions: { retryAfter: Math.max(1, Math.ceil((ends - now.getTime()) / 1000)) },
          },
        );
      }
      const started = performance.now();
      try {
        return await requestReset(meta, input, started + FORGOT_PASSWORD_MIN_MS);
      } finally {
        const left = FORGOT_PASSWORD_MIN_MS - (performance.now() - started);
        if (left > 0) await sleep(Math.ceil(left));
      }
    },

    /**
     * `POST /auth/reset-password`: sets the password, unlocks, ends every session and API token,
     * forgets the remembered devices, notifies; does not sign in. Bad, used, voided or expired link: 400 INVALID_TOKEN.
     */
    async resetPassword(meta: RequestMeta, input: { readonly token: string; readonly newPassword: string }) {
      const { row, user, tenant, settings, hash, ctx } = await redeemable(
        meta,
        "reset",
        input.token,
        { path: "newPassword", password: input.newPassword },
        canResetPassword,
      );
      await inTx(deps, async (trx) => {
        const at = nowIso();
        const userId = await createCredentialTokenStore(trx, tenant.id).consume("reset", row.token_hash, at);
        if (userId !== user.id) throw invalidToken();
        const fresh = await createUserStore(trx, tenant.id).findUserRowById(user.id);
        if (!fresh || !canResetPassword(fresh, at)) throw invalidToken();
        await storePassword(trx, tenant.id, fresh, { hash, password: input.newPassword }, settings, at, {
          must_change_password: 0,
        });
        // A reset is how an account is taken back: no browser remembered before it skips the code.
        const ended = await endAccessOf(deps, trx, ctx, user.id, at, "password reset");
        await notify(trx, "reset", at, fresh, tenant);
        await appendAudit(deps, trx, ctx, {
          action: "auth.password.reset",
          target: { type: "user", id: user.id, label: user.username },
          changes: {
            ...endedChanges(ended),
            ...lockEnded(fresh),
          },
        });
      });
    },

    /** `POST /auth/invitations/accept`: sets the password; the user becomes `active`; single use. */
    async acceptInvitation(meta: RequestMeta, input: { readonly token: string; readonly password: string }) {
      const { row, user, tenant, settings, hash, ctx } = await redeemable(
        meta,
        "invitation",
        input.token,
        { path: "password", password: input.password },
        canAcceptInvitation,
      );
      // A tenant transaction: the status changes, which decisions read.
      await inTenantTx(deps, tenant.id, async (trx) => {
        const at = nowIso();
        const tokens = createCredentialTokenStore(trx, tenant.id);
        const userId = await tokens.consume("invitation", row.token_hash, at);
        if (userId !== user.id) throw invalidToken();
        const fresh = await createUserStore(trx, tenant.id).findUserRowById(user.id);
        if (!fresh || !canAcceptInvitation(fresh, at)) throw invalidToken();
        // The link proves the mailbox as a reset link does: it clears a lock, as a reset does.
        await storePassword(trx, tenant.id, fresh, { hash, password: input.password }, settings, at, {
          status: "active",
          must_change_password: 0,
        });
        await tokens.voidOpen(user.id, "invitation", at);
        await appendAudit(deps, trx, ctx, {
          action: "user.invitation_accepted",
          target: { type: "user", id: user.id, label: user.username },
          changes: {
            status: { before: "invited", after: "active" },
            ...lockEnded(fresh),
          },
        });
      });
    },

    /** `POST /users/{id}/invitation` (users.manage): a new invitation link; the older one stops working. */
    async resendInvitation(caller: Caller, ctx: Ctx, id: string): Promise<void> {
      await inTenantTx(deps, ctx.tenantId, async (trx) => {
        const user = await loadTargetWithin(trx, caller, id, undefined);
        if (user.status !== "invited" || user.virtual === 1) {
          throw new AppError(
            "USER_STATE_INVALID",
            "Only an invited user who has not accepted yet can be invited again",
          );
        }
        const tenant = (await createTenantStore(trx).findTenantById(ctx.tenantId))!;
        await queueInvitation(deps, trx, tenant, user);
        await appendAudit(deps, trx, ctx, {
          action: "user.invitation_sent",
          target: { type: "user", id, label: user.username },
        });
      });
    },
  };
}
