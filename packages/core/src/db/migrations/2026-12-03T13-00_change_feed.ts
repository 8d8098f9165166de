/**
 * PostgreSQL only: what lets an instance keep a read without a round trip and still see every
 * change the moment it is acknowledged (db/pg-change-watch.ts).
 * - Every table notifies `staffgate_change` once per writing statement, whoever writes (a use
 *   case, a job, the CLI, psql); a transaction's equal notifications reach a listener as one.
 * - `instances` holds each serving instance's lease. It belongs to no tenant and notifies nothing:
 *   leases are renewed every second and must not count as changes.
 * Tables created by later migrations need the trigger too; a test checks that every table has it.
 */
import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not depend on today's row types.
type Db = Kysely<any>;

function isPostgres(db: Db): boolean {
  return db.getExecutor().adapter.constructor.name === "PostgresAdapter";
}

const TABLES = [
  "api_tokens",
  "audit_events",
  "audit_heads",
  "credential_tokens",
  "emergency_access",
  "login_throttle",
  "mfa_recovery_codes",
  "mfa_remembered_devices",
  "mfa_totp",
  "outbox",
  "password_history",
  "patient_grants",
  "role_workspaces",
  "roles",
  "scim_external_ids",
  "sessions",
  "tenants",
  "user_workspace_roles",
  "user_workspaces",
  "users",
  "workspaces",
];

export async function up(db: Db): Promise<void> {
  if (!isPostgres(db)) return;
  await sql`CREATE TABLE instances (id text PRIMARY KEY, lease_until timestamptz NOT NULL)`.execute(db);
  await sql`CREATE FUNCTION staffgate_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN PERFORM pg_notify('staffgate_change', ''); RETURN NULL; END $$`.execute(db);
  for (const table of TABLES)
    await sql`CREATE TRIGGER staffgate_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${sql.table(table)}
      FOR EACH STATEMENT EXECUTE FUNCTION staffgate_notify_change()`.execute(db);
}

export async function down(db: Db): Promise<void> {
  if (!isPostgres(db)) return;
  for (const table of TABLES) await sql`DROP TRIGGER staffgate_change ON ${sql.table(table)}`.execute(db);
  await sql`DROP FUNCTION staffgate_notify_change()`.execute(db);
  await sql`DROP TABLE instances`.execute(db);
}
