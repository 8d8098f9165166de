/**
 * One-time credential links (issue 4 items 5 and 6): password-reset and invitation tokens. Only the
 * SHA-256 of a token is stored; the token itself exists in the email alone.
 */
import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not depend on today's row types.
type Db = Kysely<any>;

export async function up(db: Db): Promise<void> {
  await db.schema
    .createTable("credential_tokens")
    .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
    .addColumn("id", "text", (c) => c.notNull())
    .addColumn("user_id", "text", (c) => c.notNull())
    // "reset" | "invitation"
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("token_hash", "text", (c) => c.notNull().unique())
    .addColumn("created_at", "text", (c) => c.notNull())
    // A link voided by a newer one gets expires_at = the moment it was voided.
    .addColumn("expires_at", "text", (c) => c.notNull())
    .addColumn("used_at", "text")
    .addPrimaryKeyConstraint("credential_tokens_pk", ["tenant_id", "id"])
    .execute();
  // Voiding older links and counting the last hour's emails: per user, kind and time.
  await db.schema
    .createIndex("credential_tokens_user_idx")
    .on("credential_tokens")
    .columns(["tenant_id", "user_id", "kind", "created_at"])
    .execute();
}
