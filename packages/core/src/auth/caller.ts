/** The authenticated caller of a request, with the tenant-level permissions checked on every request. */
import type { Holder, RoleRef } from "../access/grants.rules.ts";
import { tenantLevelKeys } from "../access/grants.rules.ts";
import type { Catalog } from "../catalog/catalog.rules.ts";
import type { Actor } from "../shared/context.ts";

export interface Caller {
  readonly kind: "session" | "api_token";
  readonly tenantId: string;
  readonly actor: Actor;
  /** The user acting: the signed-in user, or an API token's virtual integration user. */
  readonly userId: string;
  readonly sessionId: string | null;
  readonly mustChangePassword: boolean;
  readonly catalog: Catalog;
  readonly holder: Holder;
  readonly permissions: ReadonlySet<string>;
}

export function holderOf(role: RoleRef, workspaceRoles: ReadonlyMap<string, RoleRef>): Holder {
  return { role, workspaceRoles };
}

export function callerPermissions(catalog: Catalog, role: RoleRef): ReadonlySet<string> {
  return tenantLevelKeys(catalog, role);
}

export function can(caller: Caller, permission: string): boolean {
  return caller.permissions.has(permission);
}
