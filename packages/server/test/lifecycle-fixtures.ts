/** Helpers shared by the user-lifecycle, private-role and expiry suites: extra users and roles, and SQL peeks. */
import type { User } from "@staffgate/contract";
import type { Staffgate } from "@staffgate/sdk";
import { CANARY_PASSWORD, type TestApp, type TestTenant } from "./harness.ts";

let counter = 0;

export async function roleIdByName(t: TestApp, tenant: TestTenant, name: string): Promise<string> {
  const row = await t.db.kysely
    .selectFrom("roles")
    .select("id")
    .where("tenant_id", "=", tenant.id)
    .where("name", "=", name)
    .where("private_user_id", "is", null)
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface RoleGrantsInput {
  readonly permissions?: string[];
  readonly collaborator?: boolean;
  readonly workspaces?: { workspaceId: string; permissions: string[]; collaborator?: boolean }[];
}

/** A formal role with exactly these tenant-level permissions, or these grants. */
export async function createRole(tenant: TestTenant, grants: string[] | RoleGrantsInput): Promise<string> {
  counter += 1;
  const g = Array.isArray(grants) ? { permissions: grants } : grants;
  const role = await tenant.admin.roles.create({
    name: `Role ${counter}`,
    permissions: g.permissions ?? [],
    collaborator: g.collaborator ?? false,
    workspaces: (g.workspaces ?? []).map((w) => ({ collaborator: false, ...w })),
  });
  return role.id;
}

export interface Made {
  readonly user: User;
  /** The user signed in (only when it was created with a password). */
  readonly client: Staffgate;
}

/** Creates an active user with `roleId` (default: Administrator) through the API and signs it in. */
export async function createUser(
  t: TestApp,
  tenant: TestTenant,
  options: { roleId?: string; extra?: Record<string, unknown>; by?: Staffgate } = {},
): Promise<Made> {
  counter += 1;
  const username = `user${counter}`;
  const user = await (options.by ?? tenant.admin).users.create({
    username,
    email: `${username}@${tenant.slug}.example`,
    firstName: "Uma",
    lastName: `User${counter}`,
    roleId: options.roleId ?? (await roleIdByName(t, tenant, "Administrator")),
    password: CANARY_PASSWORD,
    mustChangePassword: false,
    ...options.extra,
  } as never);
  const client = await t.signIn(tenant.slug, username);
  return { user, client };
}

/** An invited user (no password, never signed in): the one kind that can be purged. */
export async function inviteUser(t: TestApp, tenant: TestTenant, roleId?: string): Promise<User> {
  counter += 1;
  const username = `invitee${counter}`;
  return tenant.admin.users.create({
    username,
    email: `${username}@${tenant.slug}.example`,
    firstName: "Ivy",
    lastName: `Invitee${counter}`,
    roleId: roleId ?? (await roleIdByName(t, tenant, "Viewer")),
  } as never);
}

export async function userRow(t: TestApp, tenant: TestTenant, id: string) {
  return t.db.kysely
    .selectFrom("users")
    .selectAll()
    .where("tenant_id", "=", tenant.id)
    .where("id", "=", id)
    .executeTakeFirst();
}

export async function auditOf(t: TestApp, tenant: TestTenant, targetId: string) {
  const rows = await t.db.kysely
    .selectFrom("audit_events")
    .select(["action", "changes", "actor_id", "actor_type", "target_label", "outcome"])
    .where("tenant_id", "=", tenant.id)
    .where("target_id", "=", targetId)
    .orderBy("seq")
    .execute();
  return rows.map((r) => ({
    ...r,
    changes: r.changes ? (JSON.parse(r.changes) as Record<string, unknown>) : null,
  }));
}

/** Active, non-virtual users on an administrator role (what the last-administrator guard counts). */
export async function activeAdministrators(t: TestApp, tenant: TestTenant): Promise<number> {
  const adminRole = await roleIdByName(t, tenant, "Administrator");
  const rows = await t.db.kysely
    .selectFrom("users")
    .select("id")
    .where("tenant_id", "=", tenant.id)
    .where("status", "=", "active")
    .where("role_id", "=", adminRole)
    .execute();
  return rows.length;
}

/** The bodies of the emails of one kind sent to `email`, oldest first. */
export async function mailBodies(
  t: TestApp,
  tenantId: string,
  email: string,
  kind: string,
): Promise<string[]> {
  const rows = await t.db.kysely
    .selectFrom("outbox")
    .select("body")
    .where("tenant_id", "=", tenantId)
    .where("to_address", "=", email)
    .where("kind", "=", kind)
    .orderBy("created_at")
    .execute();
  return rows.map((r) => r.body);
}

/** The token of an email's one-time link (`…#token=…`). */
export function linkToken(body: string): string {
  const match = /#token=([A-Za-z0-9_-]+)/.exec(body);
  if (!match) throw new Error("the email holds no link");
  return match[1]!;
}

/** The token of the first reset link emailed to `email` in the tenant (read from the outbox). */
export async function resetLinkToken(t: TestApp, tenantId: string, email: string): Promise<string> {
  const [body] = await mailBodies(t, tenantId, email, "auth.password.reset_link");
  if (body === undefined) throw new Error("no reset email was sent");
  return linkToken(body);
}

/** A user's links of one kind that still work now (not used, not expired or voided). */
export async function liveLinks(
  t: TestApp,
  tenant: TestTenant,
  userId: string,
  kind: "reset" | "invitation",
) {
  return t.db.kysely
    .selectFrom("credential_tokens")
    .select("id")
    .where("tenant_id", "=", tenant.id)
    .where("user_id", "=", userId)
    .where("kind", "=", kind)
    .where("used_at", "is", null)
    .where("expires_at", ">", t.clock.now().toISOString())
    .execute();
}
