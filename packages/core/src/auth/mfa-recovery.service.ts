/**
 * Recovery codes after enrolment: how many are left, and a new set of 10 (asking the password
 * again) that voids every earlier code — the way back after using some, or when the sheet is lost
 * (found by the console audit: the profile showed neither).
 */
import type { MfaStatus } from "@staffgate/contract";
import { appendAudit } from "../audit/audit-writer.ts";
import type { UsersTable } from "../db/schema.ts";
import type { Ctx } from "../shared/context.ts";
import type { Deps } from "../shared/deps.ts";
import { AppError } from "../shared/errors.ts";
import { inChangeTx } from "../shared/tx.ts";
import { createUserStore } from "../users/users.store.ts";
import type { Caller } from "./caller.ts";
import { ensureSignedInUser, ensureVerifiedSession } from "./mfa.service.ts";
import { createMfaStore } from "./mfa.store.ts";
import { notifyMfaChange } from "./mfa-emails.ts";
import { newRecoveryCodes } from "./mfa-secrets.ts";
import { reauthenticate } from "./reauthenticate.ts";
import { stillSignedIn } from "./still-signed-in.ts";

export function createMfaRecoveryService(deps: Deps) {
  async function self(caller: Caller): Promise<UsersTable> {
    ensureSignedInUser(caller);
    const row = await createUserStore(deps.db.kysely, caller.tenantId).findUserRowById(caller.userId);
    if (!row) throw new AppError("UNAUTHENTICATED");
    return row;
  }

  return {
    async status(caller: Caller): Promise<MfaStatus> {
      const user = await self(caller);
      const left = await createMfaStore(deps.db.kysely, caller.tenantId).unusedRecoveryCodes(user.id);
      return {
        enrolled: user.mfa_enrolled === 1,
        recoveryCodesLeft: user.mfa_enrolled === 1 ? left.length : 0,
      };
    },

    async renew(caller: Caller, ctx: Ctx, input: { password: string }): Promise<{ recoveryCodes: string[] }> {
      const user = await self(caller);
      if (user.mfa_enrolled !== 1) {
        throw new AppError(
          "MFA_NOT_ENROLLED",
          "Two-factor sign-in is off: there are no recovery codes to renew",
        );
      }
      ensureVerifiedSession(caller, user);
      await reauthenticate(deps, ctx, user, input.password, "auth.mfa.recovery_codes_renewed");
      const set = await createMfaStore(deps.db.kysely, caller.tenantId).recoveryCodeIds(caller.userId);
      const recoveryCodes = newRecoveryCodes();
      // Hashed before the transaction: ten argon2id hashes are slow.
      const hashes = await Promise.all(recoveryCodes.map((c) => deps.hasher.hash(c)));
      await inChangeTx(deps, caller.tenantId, async (trx) => {
        const fresh = await stillSignedIn(deps, trx, caller);
        if (fresh.mfa_enrolled !== 1) throw new AppError("MFA_NOT_ENROLLED");
        // Two renewals at once (a double click, a retried request) would each show ten codes, and
        // only the last set would work: the person could keep the void one and be locked out
        // later. The set renewed must be the one read before hashing; the other renewal is 412.
        const mfa = createMfaStore(trx, caller.tenantId);
        if ((await mfa.recoveryCodeIds(caller.userId)) !== set) {
          throw new AppError(
            "PRECONDITION_FAILED",
            "Your recovery codes were renewed meanwhile: the codes that renewal showed are the ones that work",
          );
        }
        const at = deps.clock.now().toISOString();
        await mfa.replaceRecoveryCodes(caller.userId, hashes, at);
        await appendAudit(deps, trx, ctx, {
          action: "auth.mfa.recovery_codes_renewed",
          target: { type: "user", id: user.id, label: user.username },
          changes: { recoveryCodes: { after: recoveryCodes.length } },
        });
        await notifyMfaChange(deps, trx, caller.tenantId, "recovery_codes_renewed", at, fresh);
      });
      return { recoveryCodes };
    },
  };
}
