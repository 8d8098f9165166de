/**
 * The context a new password is checked against (password-policy.rules.ts, rule 4): the tenant,
 * the person, and the names of the tenant's roles and work roles (SECURITY.md A-2: "role names").
 * One definition for every way a password is set, so no path checks against fewer words.
 */
import type { TenantsTable, UsersTable } from "../db/schema.ts";
import { createRoleStore } from "../roles/roles.store.ts";
import type { Executor } from "../shared/tx.ts";
import { tenantWorkRoles } from "../users/user-input.ts";
import type { PasswordContext } from "./password-policy.rules.ts";

export interface PasswordPerson {
  readonly username: string;
  readonly email: string | null;
  readonly firstName: string | null;
  readonly lastName: string | null;
}

export function personOf(
  user: Pick<UsersTable, "username" | "email" | "first_name" | "last_name">,
): PasswordPerson {
  return { username: user.username, email: user.email, firstName: user.first_name, lastName: user.last_name };
}

/** The words of a tenant that exists: its role names are read with `db`. */
export async function passwordContextOf(
  db: Executor,
  tenant: Pick<TenantsTable, "id" | "slug" | "name" | "work_roles">,
  person: PasswordPerson,
): Promise<PasswordContext> {
  const roleNames = await createRoleStore(db, tenant.id).roleNames();
  return contextWith(tenant, person, [
    ...roleNames,
    ...tenantWorkRoles(tenant.work_roles).map((w) => w.name),
  ]);
}

/** The words of a tenant being created, whose roles and work roles come from its catalogue. */
export function contextWith(
  tenant: Pick<TenantsTable, "slug" | "name">,
  person: PasswordPerson,
  roleNames: readonly string[],
): PasswordContext {
  return { tenantSlug: tenant.slug, tenantName: tenant.name, ...person, roleNames };
}
