/**
 * What a changed email address means for the user's links and mail, in the editing transaction:
 * open reset links went to the old address and are voided; an invitation not yet accepted is sent
 * again to the new address (the old link is voided, so a mistyped address cannot accept it); a
 * user with an account is told at both addresses (SECURITY.md A-16).
 */
import { emailChangedEmails } from "../auth/credential-emails.ts";
import { issueCredentialLink } from "../auth/credential-links.ts";
import { createCredentialTokenStore } from "../auth/credential-tokens.store.ts";
import type { UsersTable } from "../db/schema.ts";
import { enqueue } from "../mail/outbox.store.ts";
import type { Deps } from "../shared/deps.ts";
import type { Trx } from "../shared/tx.ts";
import { createTenantStore } from "../tenants/tenants.store.ts";

export async function onEmailChanged(
  deps: Deps,
  trx: Trx,
  user: UsersTable,
  previousEmail: string,
  at: string,
): Promise<void> {
  if (user.virtual === 1) return;
  const tenant = (await createTenantStore(trx).findTenantById(user.tenant_id))!;
  await createCredentialTokenStore(trx, user.tenant_id).voidOpen(user.id, "reset", at);
  if (user.status === "invited") {
    await issueCredentialLink(deps, trx, tenant, user, "invitation");
    return;
  }
  for (const message of emailChangedEmails(at, user, previousEmail, tenant)) {
    await enqueue(deps, trx, tenant.id, message);
  }
}
