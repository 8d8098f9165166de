/** Roles: named sets of tenant-level permissions, workspace rows and collaborator flags. */
import type { Role } from "@staffgate/contract";
import { enc, type Transport } from "./http.ts";
import type { Page } from "./workspaces.ts";

/** One workspace row of a role; `collaborator` defaults to false. */
export interface RoleWorkspaceInput {
  workspaceId: string;
  permissions: string[];
  collaborator?: boolean;
}

/** What a role grants; omitted fields default to none (create) or stay as they are (update). */
export interface RoleInput {
  name?: string;
  description?: string;
  permissions?: string[];
  collaborator?: boolean;
  workspaces?: RoleWorkspaceInput[];
}

export function rolesApi(t: Transport) {
  return {
    list: (query: { limit?: number; cursor?: string; q?: string } = {}) =>
      t.request<Page<Role>>("GET", "/api/v1/roles", { query }),
    get: (id: string) => t.request<Role>("GET", `/api/v1/roles/${enc(id)}`),
    create: (body: RoleInput & { name: string }) => t.request<Role>("POST", "/api/v1/roles", { body }),
    update: (id: string, body: RoleInput, options: { ifMatch?: number } = {}) =>
      t.request<Role>("PATCH", `/api/v1/roles/${enc(id)}`, { body, ...options }),
    delete: (id: string, options: { ifMatch?: number } = {}) =>
      t.request<void>("DELETE", `/api/v1/roles/${enc(id)}`, options),
    /** A new unlocked role with the same grants, named "Copy of X" unless `name` is given. */
    copy: (id: string, body: { name?: string } = {}) =>
      t.request<Role>("POST", `/api/v1/roles/${enc(id)}/copy`, { body }),
  };
}
