/**
 * A change that needs a recent sign-in or the password again (ASVS 7.5.1 and 7.5.2; the window is
 * step-up.rules.ts's). A password sent is always checked, inside the window too: a wrong one is
 * 403 REAUTHENTICATION_FAILED, audited as a failed `action` and throttled (reauthenticate.ts).
 */
import type { UsersTable } from "../db/schema.ts";
import type { Ctx } from "../shared/context.ts";
import type { Deps } from "../shared/deps.ts";
import { AppError } from "../shared/errors.ts";
import { createUserStore } from "../users/users.store.ts";
import type { Caller } from "./caller.ts";
import { reauthenticate } from "./reauthenticate.ts";
import { RECENT_SIGN_IN_MINUTES, signedInRecently } from "./step-up.rules.ts";

export async function requireRecentSignIn(
  deps: Deps,
  ctx: Ctx,
  caller: Caller,
  password: string | undefined,
  step: { readonly action: string; readonly doing: string },
  /** The caller's own row when already read; otherwise it is read when a password is to be checked. */
  self?: UsersTable,
): Promise<void> {
  if (password !== undefined) {
    const user =
      self ?? (await createUserStore(deps.db.kysely, caller.tenantId).findUserRowById(caller.userId));
    if (!user) throw new AppError("UNAUTHENTICATED");
    await reauthenticate(deps, ctx, user, password, step.action);
    return;
  }
  if (signedInRecently(caller.sessionSignedInAt, deps.clock.now())) return;
  throw new AppError(
    "REAUTHENTICATION_REQUIRED",
    `${step.doing} needs your password: you signed in more than ${RECENT_SIGN_IN_MINUTES} minutes ago`,
    { errors: [{ path: "password", message: `is needed: ${step.doing.toLowerCase()}` }] },
  );
}
