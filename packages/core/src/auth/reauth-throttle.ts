/**
 * Re-authentication inside a session (changing one's password, turning MFA off, opening emergency
 * access) must not be an unlimited password oracle for whoever holds the session: after 5 wrong
 * passwords in 15 minutes the action is refused with 429 for the rest of that window. Counted from
 * the audit trail's failures of that action by that user (the actor), so every instance agrees.
 */
import type { Deps } from "../shared/deps.ts";
import { AppError } from "../shared/errors.ts";
import type { Executor } from "../shared/tx.ts";

export const REAUTH_LIMIT = 5;
export const REAUTH_WINDOW_MS = 15 * 60_000;

/** Throws THROTTLED (with `retryAfter` seconds) when `action` failed too often for this user lately. */
export async function ensureReauthNotThrottled(
  deps: Pick<Deps, "clock">,
  db: Executor,
  where: { readonly tenantId: string; readonly userId: string; readonly action: string },
): Promise<void> {
  const now = deps.clock.now().getTime();
  const failures = await db
    .selectFrom("audit_events")
    .select(["at"])
    .where("tenant_id", "=", where.tenantId)
    .where("actor_id", "=", where.userId)
    .where("action", "=", where.action)
    .where("outcome", "=", "failure")
    .where("at", ">", new Date(now - REAUTH_WINDOW_MS).toISOString())
    .orderBy("at")
    .execute();
  if (failures.length < REAUTH_LIMIT) return;
  const oldest = Date.parse(failures[failures.length - REAUTH_LIMIT]!.at);
  const retryAfter = Math.max(1, Math.ceil((oldest + REAUTH_WINDOW_MS - now) / 1000));
  throw new AppError("THROTTLED", "Too many wrong passwords; try again later", {
    extensions: { retryAfter },
  });
}
