/**
 * A person's own change made from their session (their password, their two-factor sign-in, an
 * emergency elevation) checks again, inside its transaction and under the user's row lock, that
 * the session still exists and the account is still active. The request was authenticated before
 * its password check (argon2: milliseconds on another thread), and a deactivation, an archive or
 * an ended session committed meanwhile must win: found by the race audit (2026-12-06), a password
 * change or an elevation committed after the deactivation that cut its session off, and came back
 * into force when the account was reactivated.
 */

import type { UsersTable } from "../db/schema.ts";
import type { Deps } from "../shared/deps.ts";
import { AppError } from "../shared/errors.ts";
import type { Executor } from "../shared/tx.ts";
import { createUserStore } from "../users/users.store.ts";
import type { Caller } from "./caller.ts";
import { createSessionStore } from "./sessions.store.ts";

/** The caller's user row as it is now; 401 when its session ended or the account is not active. */
export async function stillSignedIn(deps: Deps, trx: Executor, caller: Caller): Promise<UsersTable> {
  const users = createUserStore(trx, caller.tenantId);
  await users.lockUserRow(caller.userId, deps.db.dialect);
  const row = await users.findUserRowById(caller.userId);
  const session =
    caller.sessionId === null
      ? undefined
      : await createSessionStore(trx, caller.tenantId).findSession(caller.sessionId);
  if (row?.status !== "active" || session === undefined) {
    throw new AppError("UNAUTHENTICATED", "Your session has ended");
  }
  return row;
}
