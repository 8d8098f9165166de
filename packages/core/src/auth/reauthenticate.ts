/**
 * Asking a signed-in person for their password again before a sensitive change (ASVS 7.5.1): the
 * attempt is counted first (reauth-throttle.ts); a wrong password is audited as a failure of
 * `action` and answered 403 REAUTHENTICATION_FAILED naming `password` (a 401 UNAUTHENTICATED would
 * sign the console out; a password not given is step-up.ts's 401 REAUTHENTICATION_REQUIRED).
 */

import { appendAudit } from "../audit/audit-writer.ts";
import type { UsersTable } from "../db/schema.ts";
import type { Ctx } from "../shared/context.ts";
import type { Deps } from "../shared/deps.ts";
import { wrongPassword } from "../shared/errors.ts";
import { inTx } from "../shared/tx.ts";
import { takeReauthAttempt } from "./reauth-throttle.ts";

export async function reauthenticate(
  deps: Deps,
  ctx: Ctx,
  user: UsersTable,
  password: string,
  action: string,
  /** The body's field the password came in, named in the refusal. */
  path = "password",
): Promise<void> {
  const attempt = await takeReauthAttempt(deps, deps.db.kysely, {
    tenantId: ctx.tenantId,
    userId: user.id,
    action,
  });
  const ok = user.password_hash !== null && (await deps.hasher.verify(user.password_hash, password));
  if (!ok) {
    await inTx(deps, (trx) =>
      appendAudit(deps, trx, ctx, {
        action,
        target: { type: "user", id: user.id, label: user.username },
        outcome: "failure",
        changes: { failure: { after: "the password did not match" } },
      }),
    );
    throw wrongPassword(path, "is not your password");
  }
  await attempt.giveBack();
}
