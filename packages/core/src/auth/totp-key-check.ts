/**
 * Whether STAFFGATE_SECRET_KEY can read the TOTP secrets already sealed in the database. Checked
 * at start-up: without the right key every enrolled user's sign-in would fail with a 500, which
 * the operator would learn from the users instead of from the deployment.
 */
import type { Db } from "../db/database.ts";
import { secretBinding } from "./mfa.service.ts";
import { findAnySealedTotp } from "./mfa.store.ts";
import { openSecret, secretKeyFrom } from "./mfa-secrets.ts";

/** Null when the key reads them (or none is sealed); otherwise why not, naming the variable. */
export async function totpSecretKeyProblem(db: Db, keyValue: string | undefined): Promise<string | null> {
  const row = await findAnySealedTotp(db.allTenants);
  if (!row) return null;
  const key = secretKeyFrom(keyValue);
  if (!key) {
    return "The database holds TOTP secrets sealed with STAFFGATE_SECRET_KEY, which is not set: start with the key they were sealed with, or users enrolled in MFA cannot sign in";
  }
  try {
    openSecret(row.secret, key, secretBinding(row.tenant_id, row.user_id));
    return null;
  } catch {
    return "STAFFGATE_SECRET_KEY does not open the TOTP secrets in the database (they were sealed with another key): start with the key they were sealed with, or users enrolled in MFA cannot sign in";
  }
}
