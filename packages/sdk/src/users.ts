/** Users: staff accounts, and the seat count. */
import type { CreateUserBody, ImportUsersResponse, UpdateUserBody, User } from "@staffgate/contract";
import { enc, type Transport } from "./http.ts";
import type { Page } from "./workspaces.ts";

/** A user's status as a list filter. */
export type UserStatusName = "active" | "inactive" | "invited" | "archived";

/**
 * Filters, search and sort of the users list; `status` defaults to `active`, and takes several
 * statuses separated by commas (`active,invited`).
 */
export interface ListUsersParams {
  limit?: number;
  cursor?: string;
  status?: UserStatusName | "all" | `${UserStatusName},${string}`;
  q?: string;
  virtual?: boolean;
  locked?: boolean;
  roleId?: string;
  workspaceId?: string;
  /** The same as roleId (PRODUCT.md's name). */
  role?: string;
  /** The same as workspaceId (PRODUCT.md's name). */
  workspace?: string;
  workRole?: string;
  lastLoginBefore?: string;
  sort?:
    | "name"
    | "-name"
    | "username"
    | "-username"
    | "email"
    | "-email"
    | "createdAt"
    | "-createdAt"
    | "lastLoginAt"
    | "-lastLoginAt";
}

export interface Seats {
  /** Active, non-virtual users: what is billed. */
  readonly seats: number;
  readonly virtual: number;
}

export function usersApi(t: Transport) {
  return {
    list: (query: ListUsersParams = {}) =>
      t.request<Page<User>>("GET", "/api/v1/users", { query: { ...query } }),
    get: (id: string) => t.request<User>("GET", `/api/v1/users/${enc(id)}`),
    /** Omit `password` to invite the user instead. */
    create: (body: CreateUserBody) => t.request<User>("POST", "/api/v1/users", { body }),
    update: (id: string, body: UpdateUserBody, options: { ifMatch?: number } = {}) =>
      t.request<User>("PATCH", `/api/v1/users/${enc(id)}`, { body, ...options }),
    seats: () => t.request<Seats>("GET", "/api/v1/seats"),
    /**
     * CSV import (users.manage): a row matching a user's email updates it, any other row creates
     * an invited user; all or nothing. `dryRun` reports every row's outcome and writes nothing.
     */
    import: (body: { csv: string; dryRun?: boolean }) =>
      t.request<ImportUsersResponse>("POST", "/api/v1/users/import", { body }),
    /** The matching users as CSV text (the list's filters and sort, without paging); audited. */
    async export(query: Omit<ListUsersParams, "limit" | "cursor"> = {}): Promise<string> {
      return t.text("GET", "/api/v1/users/export", { query: { ...query } });
    },
  };
}
