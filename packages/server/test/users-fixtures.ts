/** Helpers shared by the users suites: roles made with direct SQL, so these suites need no roles API. */
import type { CreateUserBody } from "@staffgate/contract";
import type { TestApp } from "./harness.ts";

let counter = 0;

/** A valid create body with unique username and email; override any field. */
export function newUser(roleId: string, over: Partial<CreateUserBody> = {}): CreateUserBody {
  counter += 1;
  return {
    username: `user${counter}`,
    email: `user${counter}@example.test`,
    firstName: "Grace",
    lastName: `Hopper${counter}`,
    roleId,
    ...over,
  };
}

export async function roleIdByName(t: TestApp, tenantId: string, name: string): Promise<string> {
  const row = await t.db.kysely
    .selectFrom("roles")
    .select("id")
    .where("tenant_id", "=", tenantId)
    .where("name", "=", name)
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Inserts a formal role (or a private one, with `privateUserId`) and returns its id. */
export async function insertRole(
  t: TestApp,
  tenantId: string,
  name: string,
  permissions: readonly string[],
  options: { privateUserId?: string; workspaces?: { workspaceId: string; permissions: string[] }[] } = {},
): Promise<string> {
  counter += 1;
  const id = `rol_test${counter}_${Math.random().toString(36).slice(2, 10)}`;
  const now = "2026-01-01T00:00:00.000Z";
  await t.db.kysely
    .insertInto("roles")
    .values({
      tenant_id: tenantId,
      id,
      name,
      name_key: options.privateUserId ? null : name.toLowerCase(),
      description: "",
      system: 0,
      locked: 0,
      private_user_id: options.privateUserId ?? null,
      collaborator: 0,
      permissions: JSON.stringify(permissions),
      created_at: now,
      updated_at: now,
      version: 1,
    })
    .execute();
  for (const w of options.workspaces ?? []) {
    await t.db.kysely
      .insertInto("role_workspaces")
      .values({
        tenant_id: tenantId,
        role_id: id,
        workspace_id: w.workspaceId,
        collaborator: 0,
        permissions: JSON.stringify(w.permissions),
      })
      .execute();
  }
  return id;
}

export async function setUserColumns(
  t: TestApp,
  tenantId: string,
  userId: string,
  set: Partial<{
    status: "invited" | "active" | "inactive" | "archived";
    locked: 0 | 1;
    last_login_at: string | null;
    role_id: string;
  }>,
): Promise<void> {
  await t.db.kysely
    .updateTable("users")
    .set(set)
    .where("tenant_id", "=", tenantId)
    .where("id", "=", userId)
    .execute();
}
