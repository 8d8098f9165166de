/**
 * A role's SCIM Group lists its members (the people holding it: not archived, not virtual, by
 * display name), so the group's ETag must move when they change (RFC 7644 §3.14; found by the
 * SCIM audit: an old If-Match let a stale member list overwrite a newer one). `members_version`
 * counts those changes; the group's version is `version + members_version`, which only grows.
 *
 * Kept by triggers on `users`, not by the use cases: a person's role, archiving, restoring, a
 * name change and a purge all reach it, whichever path (API, SCIM, CSV import, CLI) wrote the row.
 */
import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and must not depend on today's row types.
type Db = Kysely<any>;

function isPostgres(db: Db): boolean {
  return db.getExecutor().adapter.constructor.name === "PostgresAdapter";
}

export async function up(db: Db): Promise<void> {
  await sql`alter table roles add column members_version integer not null default 0`.execute(db);
  if (isPostgres(db)) {
    await sql`CREATE FUNCTION staffgate_role_members() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          UPDATE roles SET members_version = members_version + 1
            WHERE tenant_id = NEW.tenant_id AND id = NEW.role_id;
        ELSIF TG_OP = 'DELETE' THEN
          UPDATE roles SET members_version = members_version + 1
            WHERE tenant_id = OLD.tenant_id AND id = OLD.role_id;
        ELSIF OLD.role_id IS DISTINCT FROM NEW.role_id
          OR (OLD.status = 'archived') IS DISTINCT FROM (NEW.status = 'archived')
          OR OLD.virtual IS DISTINCT FROM NEW.virtual
          OR OLD.display_name IS DISTINCT FROM NEW.display_name THEN
          UPDATE roles SET members_version = members_version + 1
            WHERE tenant_id = NEW.tenant_id AND id IN (OLD.role_id, NEW.role_id);
        END IF;
        RETURN NULL;
      END $$`.execute(db);
    // Only updates naming these columns run it: a sign-in's update (last sign-in, counters) does not.
    await sql`CREATE TRIGGER staffgate_role_members
      AFTER INSERT OR UPDATE OF role_id, status, virtual, display_name OR DELETE ON users
      FOR EACH ROW EXECUTE FUNCTION staffgate_role_members()`.execute(db);
    return;
  }
  await sql`CREATE TRIGGER role_members_ai AFTER INSERT ON users BEGIN
    UPDATE roles SET members_version = members_version + 1 WHERE tenant_id = NEW.tenant_id AND id = NEW.role_id;
  END`.execute(db);
  await sql`CREATE TRIGGER role_members_ad AFTER DELETE ON users BEGIN
    UPDATE roles SET members_version = members_version + 1 WHERE tenant_id = OLD.tenant_id AND id = OLD.role_id;
  END`.execute(db);
  await sql`CREATE TRIGGER role_members_au AFTER UPDATE OF role_id, status, virtual, display_name ON users
    WHEN OLD.role_id IS NOT NEW.role_id
      OR (OLD.status = 'archived') IS NOT (NEW.status = 'archived')
      OR OLD.virtual IS NOT NEW.virtual
      OR OLD.display_name IS NOT NEW.display_name
    BEGIN
      UPDATE roles SET members_version = members_version + 1
        WHERE tenant_id = NEW.tenant_id AND id IN (OLD.role_id, NEW.role_id);
    END`.execute(db);
}

export async function down(db: Db): Promise<void> {
  if (isPostgres(db)) {
    await sql`DROP TRIGGER staffgate_role_members ON users`.execute(db);
    await sql`DROP FUNCTION staffgate_role_members()`.execute(db);
  } else {
    for (const t of ["role_members_ai", "role_members_ad", "role_members_au"])
      await sql`DROP TRIGGER ${sql.raw(t)}`.execute(db);
  }
  await sql`alter table roles drop column members_version`.execute(db);
}
