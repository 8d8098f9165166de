/**
 * SQL for MFA: the TOTP enrolment, recovery codes and remembered devices of one tenant. The two
 * single-use rules are conditional UPDATEs, so they hold under concurrency on both databases:
 * a TOTP step is accepted only if it is later than the last one, a recovery code only once.
 */
import { randomBytes } from "node:crypto";
import type { MfaRecoveryCodesTable, MfaRememberedDevicesTable, MfaTotpTable } from "../db/schema.ts";
import type { Executor } from "../shared/tx.ts";

export function createMfaStore(db: Executor, tenantId: string) {
  /** Forgets every device of a user that skipped the code (a password reset, MFA cleared); how many. */
  async function forgetDevices(userId: string): Promise<number> {
    const r = await db
      .deleteFrom("mfa_remembered_devices")
      .where("tenant_id", "=", tenantId)
      .where("user_id", "=", userId)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  return {
    findTotp(userId: string): Promise<MfaTotpTable | undefined> {
      return db
        .selectFrom("mfa_totp")
        .selectAll()
        .where("tenant_id", "=", tenantId)
        .where("user_id", "=", userId)
        .executeTakeFirst();
    },

    /** Starts (or restarts) an unconfirmed enrolment; never replaces a confirmed one. */
    async replaceUnconfirmedTotp(userId: string, secret: string, at: string): Promise<boolean> {
      await db
        .deleteFrom("mfa_totp")
        .where("tenant_id", "=", tenantId)
        .where("user_id", "=", userId)
        .where("confirmed_at", "is", null)
        .execute();
      const inserted = await db
        .insertInto("mfa_totp")
        .values({
          tenant_id: tenantId,
          user_id: userId,
          secret,
          created_at: at,
          confirmed_at: null,
          last_used_step: 0,
        })
        .onConflict((oc) => oc.columns(["tenant_id", "user_id"]).doNothing())
        .executeTakeFirst();
      return Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1;
    },

    /** Confirms the pending enrolment, recording the step used; false when another request did. */
    async confirmTotp(userId: string, step: number, at: string): Promise<boolean> {
      const r = await db
        .updateTable("mfa_totp")
        .set({ confirmed_at: at, last_used_step: step })
        .where("tenant_id", "=", tenantId)
        .where("user_id", "=", userId)
        .where("confirmed_at", "is", null)
        .where("last_used_step", "<", step)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    /** Accepts a step of a confirmed enrolment once: false when it (or a later one) was used. */
    async useTotpStep(userId: string, step: number): Promise<boolean> {
      const r = await db
        .updateTable("mfa_totp")
        .set({ last_used_step: step })
        .where("tenant_id", "=", tenantId)
        .where("user_id", "=", userId)
        .where("confirmed_at", "is not", null)
        .where("last_used_step", "<", step)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    /** The user's recovery codes become these hashes (new, unused); every earlier code is void. */
    /** The ids of the user's current set of recovery codes, used or not: a new set changes them all. */
    async recoveryCodeIds(userId: string): Promise<string> {
      const rows = await db
        .selectFrom("mfa_recovery_codes")
        .select("id")
        .where("tenant_id", "=", tenantId)
        .where("user_id", "=", userId)
        .orderBy("id")
        .execute();
      return rows.map((r) => r.id).join(",");
    },

    async replaceRecoveryCodes(userId: string, hashes: readonly string[], at: string): Promise<void> {
      await db
        .deleteFrom("mfa_recovery_codes")
        .where("tenant_id", "=", tenantId)
        .where("user_id", "=", userId)
        .execute();
      if (hashes.length === 0) return;
      await db
        .insertInto("mfa_recovery_codes")
        .values(
          hashes.map((code_hash) => ({
            tenant_id: tenantId,
            user_id: userId,
            id: `rcv_${randomBytes(12).toString("base64url")}`,
            code_hash,
            created_at: at,
            used_at: null,
          })),
        )
        .execute();
    },

    unusedRecoveryCodes(userId: string): Promise<Pick<MfaRecoveryCodesTable, "id" | "code_hash">[]> {
      return db
        .selectFrom("mfa_recovery_codes")
        .select(["id", "code_hash"])
        .where("tenant_id", "=", tenantId)
        .where("user_id", "=", userId)
        .where("used_at", "is", null)
        .execute();
    },

    /** Marks one code used; false when it already was (exactly one of many parallel uses wins). */
    async useRecoveryCode(userId: string, id: string, at: string): Promise<boolean> {
      const r = await db
        .updateTable("mfa_recovery_codes")
        .set({ used_at: at })
        .where("tenant_id", "=", tenantId)
        .where("user_id", "=", userId)
        .where("id", "=", id)
        .where("used_at", "is", null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    async insertRememberedDevice(row: Omit<MfaRememberedDevicesTable, "tenant_id">): Promise<void> {
      await db
        .insertInto("mfa_remembered_devices")
        .values({ ...row, tenant_id: tenantId })
        .execute();
    },

    findRememberedDevice(
      userId: string,
      tokenHash: string,
    ): Promise<Pick<MfaRememberedDevicesTable, "id" | "created_at" | "expires_at"> | undefined> {
      return db
        .selectFrom("mfa_remembered_devices")
        .select(["id", "created_at", "expires_at"])
        .where("tenant_id", "=", tenantId)
        .where("token_hash", "=", tokenHash)
        .where("user_id", "=", userId)
        .executeTakeFirst();
    },

    /** Forgets one remembered device (refused for its age: see mfa-login.ts). */
    async forgetDevice(id: string): Promise<void> {
      await db
        .deleteFrom("mfa_remembered_devices")
        .where("tenant_id", "=", tenantId)
        .where("id", "=", id)
        .execute();
    },

    /** Drops a user's expired remembered devices (kept tidy whenever a new one is issued). */
    async deleteExpiredDevices(userId: string, at: string): Promise<void> {
      await db
        .deleteFrom("mfa_remembered_devices")
        .where("tenant_id", "=", tenantId)
        .where("user_id", "=", userId)
        .where("expires_at", "<=", at)
        .execute();
    },

    forgetDevices,

    /** Removes the enrolment, every recovery code and every remembered device of a user. */
    async clearAll(userId: string): Promise<{ totp: boolean; codes: number; devices: number }> {
      const t = await db
        .deleteFrom("mfa_totp")
        .where("tenant_id", "=", tenantId)
        .where("user_id", "=", userId)
        .executeTakeFirst();
      const c = await db
        .deleteFrom("mfa_recovery_codes")
        .where("tenant_id", "=", tenantId)
        .where("user_id", "=", userId)
        .executeTakeFirst();
      const devices = await forgetDevices(userId);
      return {
        totp: Number(t.numDeletedRows) > 0,
        codes: Number(c.numDeletedRows),
        devices,
      };
    },
  };
}

export type MfaStore = ReturnType<typeof createMfaStore>;

/**
 * One TOTP secret stored sealed, of any tenant: the start-up check that STAFFGATE_SECRET_KEY opens
 * them (auth/totp-key-check.ts) is about the deployment, not one tenant.
 */
export function findAnySealedTotp(
  db: Executor,
): Promise<Pick<MfaTotpTable, "tenant_id" | "user_id" | "secret"> | undefined> {
  return db
    .selectFrom("mfa_totp")
    .select(["tenant_id", "user_id", "secret"])
    .where("secret", "not like", "plain:%")
    .limit(1)
    .executeTakeFirst();
}
