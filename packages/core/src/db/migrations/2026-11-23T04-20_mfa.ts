/**
 * TOTP MFA (issue 4 item 8): one TOTP enrolment per user, its single-use recovery codes (stored
 * hashed) and "remember this device" tokens (stored hashed). Every index leads with tenant_id.
 */
import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not depend on today's row types.
type Db = Kysely<any>;

export async function up(db: Db): Promise<void> {
  await db.schema
    .createTable("mfa_totp")
    .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
    .addColumn("user_id", "text", (c) => c.notNull())
    // The shared secret, sealed (AES-256-GCM) when STAFFGATE_SECRET_KEY is set; see auth/mfa.rules.ts.
    .addColumn("secret", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("confirmed_at", "text")
    // The highest RFC 6238 time step accepted so far: a code of that step or earlier is refused.
    .addColumn("last_used_step", "integer", (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint("mfa_totp_pk", ["tenant_id", "user_id"])
    .execute();

  await db.schema
    .createTable("mfa_recovery_codes")
    .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("id", "text", (c) => c.notNull())
    .addColumn("code_hash", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("used_at", "text")
    .addPrimaryKeyConstraint("mfa_recovery_codes_pk", ["tenant_id", "id"])
    .execute();
  await db.schema
    .createIndex("mfa_recovery_codes_user_idx")
    .on("mfa_recovery_codes")
    .columns(["tenant_id", "user_id"])
    .execute();

  await db.schema
    .createTable("mfa_remembered_devices")
    .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
    .addColumn("id", "text", (c) => c.notNull())
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("token_hash", "text", (c) => c.notNull())
    .addColumn("expires_at", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("mfa_remembered_devices_pk", ["tenant_id", "id"])
    .execute();
  await db.schema
    .createIndex("mfa_remembered_devices_token_idx")
    .on("mfa_remembered_devices")
    .columns(["tenant_id", "token_hash"])
    .unique()
    .execute();
  await db.schema
    .createIndex("mfa_remembered_devices_user_idx")
    .on("mfa_remembered_devices")
    .columns(["tenant_id", "user_id", "expires_at"])
    .execute();
}
