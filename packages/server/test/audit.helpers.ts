/** Helpers shared by the audit suites. */
import type { AuditEvent } from "@staffgate/contract";
import type { Staffgate } from "@staffgate/sdk";
import { CANARY_PASSWORD, type TestApp, type TestTenant } from "./harness.ts";

export const DAY_MS = 86_400_000;
/** When the purge suites' old events happen: far enough back for the database's own age check. */
export const PURGE_T0 = Date.parse("2020-01-01T08:00:00.000Z");
/** The default retention: 6 × 366 days (PRODUCT.md §5, HIPAA 164.316). */
export const RETENTION_DAYS = 2196;

/** Every page of the list, following nextCursor. */
export async function listAll(client: Staffgate, query: Parameters<Staffgate["audit"]["list"]>[0] = {}) {
  const out: AuditEvent[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.audit.list({ ...query, limit: 200, ...(cursor ? { cursor } : {}) });
    out.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

/**
 * A signed-in user whose role lacks audit.view. The users API is not wired yet, so the role and
 * user rows are written directly; only columns of the initial schema are set.
 */
export async function userWithoutAuditView(
  t: TestApp,
  tenant: TestTenant,
  username: string,
): Promise<Staffgate> {
  const now = t.clock.now().toISOString();
  const roleId = `rol_noaudit_${username}`;
  await t.db.kysely
    .insertInto("roles")
    .values({
      tenant_id: tenant.id,
      id: roleId,
      name: `No audit ${username}`,
      name_key: `no audit ${username}`,
      description: "",
      system: 0,
      locked: 0,
      private_user_id: null,
      collaborator: 0,
      permissions: JSON.stringify(["workspaces.manage"]),
      created_at: now,
      updated_at: now,
      version: 1,
    })
    .execute();
  const admin = await t.db.kysely
    .selectFrom("users")
    .selectAll()
    .where("tenant_id", "=", tenant.id)
    .where("id", "=", tenant.adminUserId)
    .executeTakeFirstOrThrow();
  await t.db.kysely
    .insertInto("users")
    .values({
      ...admin,
      id: `usr_noaudit_${username}`,
      username,
      username_key: username,
      email: `${username}@example.test`,
      email_key: `${username}@example.test`,
      search_text: username,
      role_id: roleId,
      password_hash: await t.app.core.deps.hasher.hash(CANARY_PASSWORD),
      created_at: now,
      updated_at: now,
    })
    .execute();
  return t.signIn(tenant.slug, username);
}
