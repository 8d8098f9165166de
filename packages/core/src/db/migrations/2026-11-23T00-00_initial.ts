/** Initial schema. Frozen once landed: change the schema with a new, later migration. */
import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not depend on today's row types.
type Db = Kysely<any>;

const ts = "text";

export async function up(db: Db): Promise<void> {
  await db.schema
    .createTable("tenants")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("slug", "text", (c) => c.notNull())
    .addColumn("slug_key", "text", (c) => c.notNull().unique())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("time_zone", "text", (c) => c.notNull())
    .addColumn("catalog", "text", (c) => c.notNull())
    .addColumn("work_roles", "text", (c) => c.notNull())
    .addColumn("settings", "text", (c) => c.notNull())
    .addColumn("policy_version", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", ts, (c) => c.notNull())
    .addColumn("updated_at", ts, (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull().defaultTo(1))
    .execute();

  await db.schema
    .createTable("workspaces")
    .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
    .addColumn("id", "text", (c) => c.notNull())
    .addColumn("slug", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("protected", "integer", (c) => c.notNull())
    .addColumn("idle_timeout_seconds", "integer")
    .addColumn("created_at", ts, (c) => c.notNull())
    .addColumn("updated_at", ts, (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("workspaces_pk", ["tenant_id", "id"])
    .addUniqueConstraint("workspaces_slug_uq", ["tenant_id", "slug"])
    .execute();

  await db.schema
    .createTable("roles")
    .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
    .addColumn("id", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("name_key", "text")
    .addColumn("description", "text", (c) => c.notNull())
    .addColumn("system", "integer", (c) => c.notNull())
    .addColumn("locked", "integer", (c) => c.notNull())
    .addColumn("private_user_id", "text")
    .addColumn("collaborator", "integer", (c) => c.notNull())
    .addColumn("permissions", "text", (c) => c.notNull())
    .addColumn("created_at", ts, (c) => c.notNull())
    .addColumn("updated_at", ts, (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("roles_pk", ["tenant_id", "id"])
    .addUniqueConstraint("roles_name_uq", ["tenant_id", "name_key"])
    .execute();
  await db.schema
    .createIndex("roles_private_idx")
    .on("roles")
    .columns(["tenant_id", "private_user_id"])
    .execute();

  await db.schema
    .createTable("role_workspaces")
    .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
    .addColumn("role_id", "text", (c) => c.notNull())
    .addColumn("workspace_id", "text", (c) => c.notNull())
    .addColumn("collaborator", "integer", (c) => c.notNull())
    .addColumn("permissions", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("role_workspaces_pk", ["tenant_id", "role_id", "workspace_id"])
    .execute();
  await db.schema
    .createIndex("role_workspaces_ws_idx")
    .on("role_workspaces")
    .columns(["tenant_id", "workspace_id"])
    .execute();

  await db.schema
    .createTable("users")
    .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
    .addColumn("id", "text", (c) => c.notNull())
    .addColumn("username", "text", (c) => c.notNull())
    .addColumn("username_key", "text", (c) => c.notNull())
    .addColumn("email", "text", (c) => c.notNull())
    .addColumn("email_key", "text", (c) => c.notNull())
    .addColumn("first_name", "text", (c) => c.notNull())
    .addColumn("last_name", "text", (c) => c.notNull())
    .addColumn("initials", "text", (c) => c.notNull())
    .addColumn("display_name", "text", (c) => c.notNull())
    .addColumn("sort_name", "text", (c) => c.notNull())
    .addColumn("search_text", "text", (c) => c.notNull())
    .addColumn("phone", "text", (c) => c.notNull())
    .addColumn("work_role", "text")
    .addColumn("professional_id", "text")
    .addColumn("prescriber_id", "text")
    .addColumn("qualifications", "text")
    .addColumn("areas_of_expertise", "text")
    .addColumn("employee_number", "text")
    .addColumn("title", "text")
    .addColumn("role_id", "text", (c) => c.notNull())
    .addColumn("workspace_access_all", "integer", (c) => c.notNull())
    .addColumn("virtual", "integer", (c) => c.notNull())
    .addColumn("expires_at", ts)
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("archived_from", "text")
    .addColumn("locked", "integer", (c) => c.notNull())
    .addColumn("locked_until", ts)
    .addColumn("failed_attempts", "integer", (c) => c.notNull())
    .addColumn("must_change_password", "integer", (c) => c.notNull())
    .addColumn("mfa_enrolled", "integer", (c) => c.notNull())
    .addColumn("password_hash", "text")
    .addColumn("last_login_at", ts)
    .addColumn("created_at", ts, (c) => c.notNull())
    .addColumn("created_by", "text")
    .addColumn("updated_at", ts, (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("users_pk", ["tenant_id", "id"])
    .addUniqueConstraint("users_username_uq", ["tenant_id", "username_key"])
    .addUniqueConstraint("users_email_uq", ["tenant_id", "email_key"])
    .execute();
  await db.schema
    .createIndex("users_status_name_idx")
    .on("users")
    .columns(["tenant_id", "status", "sort_name", "id"])
    .execute();
  await db.schema.createIndex("users_role_idx").on("users").columns(["tenant_id", "role_id"]).execute();
  await db.schema
    .createIndex("users_seats_idx")
    .on("users")
    .columns(["tenant_id", "status", "virtual"])
    .execute();
  await db.schema.createIndex("users_expiry_idx").on("users").columns(["expires_at"]).execute();

  await db.schema
    .createTable("user_workspaces")
    .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("workspace_id", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("user_workspaces_pk", ["tenant_id", "user_id", "workspace_id"])
    .execute();
  await db.schema
    .createIndex("user_workspaces_ws_idx")
    .on("user_workspaces")
    .columns(["tenant_id", "workspace_id"])
    .execute();

  await db.schema
    .createTable("user_workspace_roles")
    .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("workspace_id", "text", (c) => c.notNull())
    .addColumn("role_id", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("user_workspace_roles_pk", ["tenant_id", "user_id", "workspace_id"])
    .execute();
  await db.schema
    .createIndex("user_workspace_roles_role_idx")
    .on("user_workspace_roles")
    .columns(["tenant_id", "role_id"])
    .execute();
  await db.schema
    .createIndex("user_workspace_roles_ws_idx")
    .on("user_workspace_roles")
    .columns(["tenant_id", "workspace_id"])
    .execute();

  await db.schema
    .createTable("sessions")
    .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
    .addColumn("id", "text", (c) => c.notNull())
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("token_hash", "text", (c) => c.notNull().unique())
    .addColumn("created_at", ts, (c) => c.notNull())
    .addColumn("last_used_at", ts, (c) => c.notNull())
    .addColumn("expires_at", ts, (c) => c.notNull())
    .addColumn("ip", "text")
    .addColumn("user_agent", "text")
    .addPrimaryKeyConstraint("sessions_pk", ["tenant_id", "id"])
    .execute();
  await db.schema.createIndex("sessions_user_idx").on("sessions").columns(["tenant_id", "user_id"]).execute();

  await db.schema
    .createTable("api_tokens")
    .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
    .addColumn("id", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("token_hash", "text", (c) => c.notNull().unique())
    .addColumn("created_at", ts, (c) => c.notNull())
    .addColumn("created_by", "text")
    .addColumn("expires_at", ts)
    .addColumn("last_used_at", ts)
    .addColumn("revoked_at", ts)
    .addPrimaryKeyConstraint("api_tokens_pk", ["tenant_id", "id"])
    .execute();
  await db.schema
    .createIndex("api_tokens_user_idx")
    .on("api_tokens")
    .columns(["tenant_id", "user_id"])
    .execute();

  await db.schema
    .createTable("patient_grants")
    .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
    .addColumn("id", "text", (c) => c.notNull())
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("patient_ref", "text", (c) => c.notNull())
    .addColumn("workspace_id", "text")
    .addColumn("granted_by", "text")
    .addColumn("reason", "text")
    .addColumn("expires_at", ts)
    .addColumn("created_at", ts, (c) => c.notNull())
    .addPrimaryKeyConstraint("patient_grants_pk", ["tenant_id", "id"])
    .execute();
  await db.schema
    .createIndex("patient_grants_patient_idx")
    .on("patient_grants")
    .columns(["tenant_id", "patient_ref", "user_id"])
    .execute();
  await db.schema
    .createIndex("patient_grants_user_idx")
    .on("patient_grants")
    .columns(["tenant_id", "user_id"])
    .execute();
  await db.schema
    .createIndex("patient_grants_granter_idx")
    .on("patient_grants")
    .columns(["tenant_id", "granted_by"])
    .execute();
  await db.schema
    .createIndex("patient_grants_ws_idx")
    .on("patient_grants")
    .columns(["tenant_id", "workspace_id"])
    .execute();

  await db.schema
    .createTable("audit_heads")
    .addColumn("tenant_id", "text", (c) => c.primaryKey().references("tenants.id"))
    .addColumn("seq", "integer", (c) => c.notNull())
    .addColumn("hash", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("audit_events")
    .addColumn("tenant_id", "text", (c) => c.notNull().references("tenants.id"))
    .addColumn("seq", "integer", (c) => c.notNull())
    .addColumn("id", "text", (c) => c.notNull())
    .addColumn("at", ts, (c) => c.notNull())
    .addColumn("actor_type", "text", (c) => c.notNull())
    .addColumn("actor_id", "text")
    .addColumn("actor_label", "text")
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("target_type", "text")
    .addColumn("target_id", "text")
    .addColumn("target_label", "text")
    .addColumn("changes", "text")
    .addColumn("ip", "text")
    .addColumn("user_agent", "text")
    .addColumn("request_id", "text")
    .addColumn("outcome", "text", (c) => c.notNull())
    .addColumn("prev_hash", "text", (c) => c.notNull())
    .addColumn("hash", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("audit_events_pk", ["tenant_id", "seq"])
    .execute();
  for (const [name, cols] of [
    ["audit_at_idx", ["tenant_id", "at"]],
    ["audit_actor_idx", ["tenant_id", "actor_label"]],
    ["audit_actor_id_idx", ["tenant_id", "actor_id"]],
    ["audit_action_idx", ["tenant_id", "action"]],
    ["audit_target_idx", ["tenant_id", "target_id"]],
  ] as const) {
    await db.schema
      .createIndex(name)
      .on("audit_events")
      .columns([...cols])
      .execute();
  }

  // The audit trail is append-only at the database level too (SECURITY.md I-67).
  if (isPostgres(db)) {
    await sql`CREATE FUNCTION staffgate_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit_events is append-only'; END $$`.execute(db);
    await sql`CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
      FOR EACH ROW EXECUTE FUNCTION staffgate_audit_append_only()`.execute(db);
  } else {
    await sql`CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
      BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END`.execute(db);
    await sql`CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
      BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END`.execute(db);
  }
}

function isPostgres(db: Db): boolean {
  return db.getExecutor().adapter.constructor.name === "PostgresAdapter";
}
