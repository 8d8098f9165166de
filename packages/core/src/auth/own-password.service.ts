/**
 * `POST /auth/password`: a person changes their own password with the current one. A wrong current
 * password is 403 naming `currentPassword`, audited as a failure; it does not touch the sign-in
 * failure counter (a signed-in session cannot lock its own account out), but after 5 wrong ones
 * in 15 minutes the account's changes are refused with 429 for the rest of that window (counted
 * from the audit trail, so every instance agrees).
 */
import { appendAudit, type Changes } from "../audit/audit-writer.ts";
import type { Ctx } from "../shared/context.ts";
import type { Deps } from "../shared/deps.ts";
import { AppError, wrongPassword } from "../shared/errors.ts";
import { inChangeTx, inTx } from "../shared/tx.ts";
import { readSettings } from "../tenants/settings.rules.ts";
import { createUserStore } from "../users/users.store.ts";
import type { Caller } from "./caller.ts";
import { endOtherSessions } from "./credential-tokens.store.ts";
import { checkPassword, exceedsHardCap, passwordInvalid } from "./password-policy.rules.ts";
import { lockEnded, type PasswordWrites } from "./password-writes.ts";
import { takeReauthAttempt } from "./reauth-throttle.ts";
import { stillSignedIn } from "./still-signed-in.ts";

export function createOwnPasswordService(deps: Deps, writes: PasswordWrites) {
  const db = deps.db.kysely;
  const { nowIso, checkNewPassword, storePassword, notify, tenantOf } = writes;
  return {
    /** `POST /auth/password`: current + new; ends the caller's other sessions; notifies. */
    async changeOwnPassword(
      caller: Caller,
      ctx: Ctx,
      input: { readonly currentPassword: string; readonly newPassword: string },
    ): Promise<void> {
      if (caller.kind !== "session") {
        throw new AppError("FORBIDDEN", "API tokens have no password; a person changes their own");
      }
      // Oversized input is refused before anything else (no database read, no hashing).
      if (exceedsHardCap(input.newPassword))
        throw passwordInvalid("newPassword", checkPassword(input.newPassword)!);
      const tenant = await tenantOf(caller.tenantId);
      const settings = readSettings(tenant.settings);
      const user = await createUserStore(db, caller.tenantId).findUserRowById(caller.userId);
      if (!user) throw new AppError("UNAUTHENTICATED");
      const target = { type: "user", id: user.id, label: user.username } as const;

      const attempt = await takeReauthAttempt(deps, db, {
        tenantId: caller.tenantId,
        userId: user.id,
        action: "auth.password.change_failed",
      });

      const currentOk =
        user.password_hash !== null &&
        !exceedsHardCap(input.currentPassword) &&
        (await deps.hasher.verify(user.password_hash, input.currentPassword));
      if (!currentOk) {
        await inTx(deps, (trx) =>
          appendAudit(deps, trx, ctx, { action: "auth.password.change_failed", target, outcome: "failure" }),
        );
        throw wrongPassword("currentPassword", "is not your current password");
      }
      await attempt.giveBack();
      await checkNewPassword("newPassword", input.newPassword, user, tenant, settings);
      const hash = await deps.hasher.hash(input.newPassword);
      await inChangeTx(deps, ctx.tenantId, async (trx) => {
        await stillSignedIn(deps, trx, caller);
        const at = nowIso();
        // Conditional on the hash just verified: a concurrent change makes this one fail.
        const stored = await storePassword(
          trx,
          caller.tenantId,
          user,
          { hash, password: input.newPassword },
          settings,
          at,
          { must_change_password: 0 },
          user.password_hash,
        );
        if (!stored) throw wrongPassword("currentPassword", "is not your current password");
        const ended = await endOtherSessions(trx, caller.tenantId, user.id, caller.sessionId);
        await notify(trx, "changed", at, user, tenant);
        const changes: Changes = {
          sessionsEnded: { after: ended },
          ...(user.must_change_password === 1 ? { mustChangePassword: { before: true, after: false } } : {}),
          ...lockEnded(user),
        };
        await appendAudit(deps, trx, ctx, { action: "auth.password.changed", target, changes });
      });
    },
  };
}
