/**
 * When a tenant starts requiring MFA, the sessions already open for people it now requires but who
 * have not enrolled are confined to enrolment at once, like a new sign-in would be (SECURITY.md
 * "sent into enrolment and cannot reach admin APIs"; found by the auth audit), instead of
 * keeping full access until their absolute limit. What a session may reach follows from the rule on
 * every request (session-purpose.rules.ts purposeNow), which reads the stored purpose only for a
 * password change; marking the sessions here counts each once for the `settings.updated` event.
 */
import { sql } from "kysely";
import type { Deps } from "../shared/deps.ts";
import type { Trx } from "../shared/tx.ts";
import type { TenantSettings } from "../tenants/settings.rules.ts";
import { mfaRequiredOf } from "./mfa.service.ts";

/** Returns how many sessions were confined. */
export async function confineUnenrolledSessions(
  deps: Deps,
  trx: Trx,
  tenantId: string,
  settings: TenantSettings,
  exceptSessionId: string | null = null,
): Promise<number> {
  const now = deps.clock.now().toISOString();
  // A waiver was for the change that made it: the next change of the requirement ends it.
  await trx
    .updateTable("sessions")
    .set({ mfa_waived: 0 })
    .where("tenant_id", "=", tenantId)
    .where("mfa_waived", "=", 1)
    .execute();
  if (settings.mfaRequired === "off") return 0;
  // The session making the change keeps its reach (purposeNow reads the waiver on every request).
  if (exceptSessionId)
    await trx
      .updateTable("sessions")
      .set({ mfa_waived: 1 })
      .where("tenant_id", "=", tenantId)
      .where("id", "=", exceptSessionId)
      .execute();
  const users = await trx
    .selectFrom("users")
    .select(["tenant_id", "id", "role_id", "virtual"])
    .where("tenant_id", "=", tenantId)
    .where("mfa_enrolled", "=", 0)
    .where("virtual", "=", 0)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom("sessions")
          .select(sql`1`.as("one"))
          .where("sessions.tenant_id", "=", tenantId)
          .whereRef("sessions.user_id", "=", "users.id")
          .where("sessions.purpose", "=", "full")
          .where("sessions.expires_at", ">", now),
      ),
    )
    .execute();
  let confined = 0;
  for (const user of users) {
    if (!(await mfaRequiredOf(deps, trx, user, settings))) continue;
    let update = trx
      .updateTable("sessions")
      .set({ purpose: "mfa_enrolment" })
      .where("tenant_id", "=", tenantId)
      .where("user_id", "=", user.id)
      .where("purpose", "=", "full")
      .where("expires_at", ">", now);
    if (exceptSessionId) update = update.where("id", "<>", exceptSessionId);
    const r = await update.executeTakeFirst();
    confined += Number(r.numUpdatedRows);
  }
  return confined;
}
