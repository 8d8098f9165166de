/**
 * Sessions and sign-in throttling (issue 4 items 1, 2, 9): what a session may do (`purpose`), the
 * hash of its CSRF token (console cookie), and the per-address / per-account attempt windows.
 */
import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not depend on today's row types.
type Db = Kysely<any>;

export async function up(db: Db): Promise<void> {
  // 'full' | 'mfa_enrolment' | 'password_change': a confined session may only reach a few routes.
  await db.schema
    .alterTable("sessions")
    .addColumn("purpose", "text", (c) => c.notNull().defaultTo("full"))
    .execute();
  // SHA-256 of the CSRF token given at sign-in; any instance can verify `X-CSRF-Token` against it.
  await db.schema.alterTable("sessions").addColumn("csrf_hash", "text").execute();
  // One row per throttle key (a SHA-256 of "ip:<address>" or "account:<tenant>:<login>"): the
  // current fixed window and the attempts counted in it. Not tenant-bound: unknown tenants count too.
  await db.schema
    .createTable("login_throttle")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("window_start", "text", (c) => c.notNull())
    .addColumn("count", "integer", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("login_throttle_window_idx")
    .on("login_throttle")
    .column("window_start")
    .execute();
}
