/**
 * SCIM's `externalId` (RFC 7643 §3.1): the provisioning client's own id for a user or a group
 * (role). A table of its own rather than a column, so the users and roles rows (and every place
 * that builds them) stay as they are; its rows go when their user is purged or their role deleted.
 */
import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not depend on today's row types.
type Db = Kysely<any>;

export async function up(db: Db): Promise<void> {
  await db.schema
    .createTable("scim_external_ids")
    .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
    .addColumn("resource_type", "text", (c) => c.notNull())
    .addColumn("resource_id", "text", (c) => c.notNull())
    .addColumn("external_id", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("scim_external_ids_pk", ["tenant_id", "resource_type", "resource_id"])
    .execute();
  await db.schema
    .createIndex("scim_external_ids_lookup_idx")
    .on("scim_external_ids")
    .columns(["tenant_id", "resource_type", "external_id"])
    .execute();
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropTable("scim_external_ids").execute();
}
