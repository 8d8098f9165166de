/**
 * Idempotency keys (shared/idempotency.ts): a change sent with an `Idempotency-Key` and the answer
 * a retry gets. Keyed by tenant, caller and key; the time index lets a tenant's expired keys go.
 * On PostgreSQL it notifies changes like every table (2026-12-03T13-00_change_feed.ts).
 */
import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not depend on today's row types.
type Db = Kysely<any>;

export async function up(db: Db): Promise<void> {
  await db.schema
    .createTable("idempotency_keys")
    .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
    .addColumn("principal", "text", (c) => c.notNull())
    .addColumn("key", "text", (c) => c.notNull())
    .addColumn("fingerprint", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("status", "integer")
    .addColumn("body", "text")
    .addColumn("etag", "text")
    .addColumn("secret", "integer", (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint("idempotency_keys_pk", ["tenant_id", "principal", "key"])
    .execute();
  await db.schema
    .createIndex("idempotency_keys_created_idx")
    .on("idempotency_keys")
    .columns(["tenant_id", "created_at"])
    .execute();
  if (db.getExecutor().adapter.constructor.name === "PostgresAdapter")
    await sql`CREATE TRIGGER staffgate_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON idempotency_keys
      FOR EACH STATEMENT EXECUTE FUNCTION staffgate_notify_change()`.execute(db);
}

export async function down(db: Db): Promise<void> {
  await db.schema.dropTable("idempotency_keys").execute();
}
