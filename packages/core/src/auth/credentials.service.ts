/**
 * Password flows (issue 4 items 4–7; PRODUCT.md §4; SECURITY.md A–C), one file per flow:
 * - own-password.service.ts: change one's own password;
 * - password-links.service.ts: forgot / reset by email link, invitations;
 * - admin-password.service.ts: the administrator's password actions;
 * - password-writes.ts: what they share.
 *
 * Argon2 work (verify, history, hash) runs before the transaction, never under the tenant lock.
 * Audit rows never hold a password, a hash or a token; emails hold a token only in a link.
 */
import type { Deps } from "../shared/deps.ts";
import { createAdminPasswordService } from "./admin-password.service.ts";
import { issueCredentialLink, queueInvitation } from "./credential-links.ts";
import { createOwnPasswordService } from "./own-password.service.ts";
import { createPasswordLinksService } from "./password-links.service.ts";
import { createPasswordWrites } from "./password-writes.ts";

export { FORGOT_PASSWORD_MIN_MS, RESET_EMAILS_PER_HOUR } from "./password-links.service.ts";
export { issueCredentialLink, queueInvitation };

export function createCredentialsService(deps: Deps) {
  const writes = createPasswordWrites(deps);
  return {
    ...createOwnPasswordService(deps, writes),
    ...createPasswordLinksService(deps, writes),
    ...createAdminPasswordService(deps, writes),
  };
}

export type CredentialsService = ReturnType<typeof createCredentialsService>;
