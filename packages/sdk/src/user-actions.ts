/** User actions: archive/restore, deactivate/reactivate, unlock, purge, private-role permissions, end sessions. */
import type { User, UserPermissions } from "@staffgate/contract";
import { enc, type Transport } from "./http.ts";

/** A user's private role: tenant-level permissions, collaborator flag and workspace rows. */
export interface PrivatePermissionsInput {
  permissions?: string[];
  collaborator?: boolean;
  workspaces?: { workspaceId: string; permissions: string[]; collaborator?: boolean }[];
}

/** `ifMatch`: the user's version last read; a stale one fails with 412 and changes nothing. */
export interface ActionOptions {
  ifMatch?: number;
}

export function userActionsApi(t: Transport) {
  const path = (id: string, action?: string) => `/api/v1/users/${enc(id)}${action ? `/${action}` : ""}`;
  const post =
    (action: string) =>
    (id: string, options: ActionOptions = {}) =>
      t.request<User>("POST", path(id, action), options);
  return {
    /** DELETE = archive: the user can no longer sign in; sessions and tokens end. */
    archive: (id: string, options: ActionOptions = {}) => t.request<User>("DELETE", path(id), options),
    /** Active again (invited if archived before setting a password); a past expiry needs `expiresAt` (future ISO or null). */
    restore: (id: string, body: { expiresAt?: string | null } = {}, options: ActionOptions = {}) =>
      t.request<User>("POST", path(id, "restore"), { body, ...options }),
    deactivate: post("deactivate"),
    reactivate: post("reactivate"),
    unlock: post("unlock"),
    /** Hard delete; 409 USER_HAS_HISTORY once the user has signed in, acted, or granted access. */
    purge: (id: string, options: ActionOptions = {}) => t.request<void>("POST", path(id, "purge"), options),
    /** The grants of the user's role: their private role, or their formal role as a template. */
    getPermissions: (id: string) => t.request<UserPermissions>("GET", path(id, "permissions")),
    /** Gives the user a private role with exactly these grants. */
    setPermissions: (id: string, body: PrivatePermissionsInput, options: ActionOptions = {}) =>
      t.request<User>("PUT", path(id, "permissions"), { body, ...options }),
    /** Ends all of the user's sessions and API tokens. */
    revokeSessions: (id: string, options: ActionOptions = {}) =>
      t.request<void>("POST", path(id, "sessions/revoke"), options),
  };
}
