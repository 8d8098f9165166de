/**
 * Re-authentication inside a session (changing one's password, turning MFA off, opening emergency
 * access) must not be an unlimited password oracle for whoever holds the session: each attempt is
 * counted before the password is checked, in one atomic upsert (login-throttle.store.ts), so
 * parallel guesses cannot all slip past a count that only grows once they fail (SECURITY.md 34).
 * Past 5 attempts in the fixed 15-minute window the action is refused with 429 until the window
 * ends; a right password gives its attempt back, and so does a refused one. Each action of each user has its own count, in
 * the database, so every instance agrees; an action that must not be denied to its owner by
 * someone else's guesses (emergency access) counts per session instead.
 */
import type { Deps } from "../shared/deps.ts";
import { AppError } from "../shared/errors.ts";
import type { Executor } from "../shared/tx.ts";
import { hitOne, refundThrottle, throttleKey, windowStartOf } from "./login-throttle.store.ts";

export const REAUTH_LIMIT = 5;
export const REAUTH_WINDOW_MS = 15 * 60_000;

export interface ReauthAttempt {
  /** The password was right: the attempt does not use up the budget. */
  giveBack(): Promise<void>;
}

/** Counts one attempt at `action`; throws THROTTLED (with `retryAfter` seconds) past the limit. */
export async function takeReauthAttempt(
  deps: Pick<Deps, "clock">,
  db: Executor,
  where: {
    readonly tenantId: string;
    readonly userId: string;
    readonly action: string;
    /** Count this session's attempts only: other sessions of the user keep their own budget. */
    readonly sessionId?: string | null;
  },
): Promise<ReauthAttempt> {
  const now = deps.clock.now();
  const session = where.sessionId ? `:${where.sessionId}` : "";
  const key = throttleKey(`reauth:${where.tenantId}:${where.userId}:${where.action}${session}`);
  const hit = await hitOne(db, key, windowStartOf(now, REAUTH_WINDOW_MS));
  if (hit.count > REAUTH_LIMIT) {
    // Refused before any password was checked: no guess was made, so it takes nothing from the
    // budget (else a client sending the right password twice at once, or retrying its 429s,
    // would lock the person out of the action for the rest of the window).
    await refundThrottle(db, [hit]);
    const retryAfter = Math.max(
      1,
      Math.ceil((Date.parse(hit.windowStart) + REAUTH_WINDOW_MS - now.getTime()) / 1000),
    );
    throw new AppError("THROTTLED", "Too many wrong passwords; try again later", {
      extensions: { retryAfter },
    });
  }
  return { giveBack: () => refundThrottle(db, [hit]) };
}
