/** Emergency-access elevations (HIPAA 164.312(a)(2)(ii)) and the email outbox. */
import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not depend on today's row types.
type Db = Kysely<any>;

export async function up(db: Db): Promise<void> {
  await db.schema
    .createTable("emergency_access")
    .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
    .addColumn("id", "text", (c) => c.notNull())
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("workspace_id", "text")
    .addColumn("patient_ref", "text")
    .addColumn("reason", "text", (c) => c.notNull())
    .addColumn("permissions", "text", (c) => c.notNull())
    .addColumn("opened_at", "text", (c) => c.notNull())
    .addColumn("expires_at", "text", (c) => c.notNull())
    .addColumn("ended_at", "text")
    .addColumn("ended_by", "text")
    .addColumn("reviewed_at", "text")
    .addColumn("reviewed_by", "text")
    .addColumn("review_note", "text")
    .addPrimaryKeyConstraint("emergency_access_pk", ["tenant_id", "id"])
    .execute();
  await db.schema
    .createIndex("emergency_access_user_idx")
    .on("emergency_access")
    .columns(["tenant_id", "user_id", "expires_at"])
    .execute();
  await db.schema
    .createIndex("emergency_access_opened_idx")
    .on("emergency_access")
    .columns(["tenant_id", "opened_at"])
    .execute();

  await db.schema
    .createTable("outbox")
    .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
    .addColumn("id", "text", (c) => c.notNull())
    .addColumn("to_address", "text", (c) => c.notNull())
    .addColumn("subject", "text", (c) => c.notNull())
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("sent_at", "text")
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("last_error", "text")
    .addPrimaryKeyConstraint("outbox_pk", ["tenant_id", "id"])
    .execute();
  await db.schema
    .createIndex("outbox_created_idx")
    .on("outbox")
    .columns(["tenant_id", "created_at"])
    .execute();
}
