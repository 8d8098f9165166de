/** Workspaces: departments and clinic locations. */
import type {
  CreateWorkspaceBody,
  UpdateWorkspaceBody,
  Workspace,
  WorkspaceUsage,
} from "@staffgate/contract";
import { enc, type Transport } from "./http.ts";

export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

export function workspacesApi(t: Transport) {
  return {
    list: (query: { limit?: number; cursor?: string; q?: string } = {}) =>
      t.request<Page<Workspace>>("GET", "/api/v1/workspaces", { query }),
    get: (id: string) => t.request<Workspace>("GET", `/api/v1/workspaces/${enc(id)}`),
    /** What deleting it would remove, and who would be left active in no workspace (workspaces.manage). */
    usage: (id: string) => t.request<WorkspaceUsage>("GET", `/api/v1/workspaces/${enc(id)}/usage`),
    create: (body: Partial<CreateWorkspaceBody> & { slug: string; name: string }) =>
      t.request<Workspace>("POST", "/api/v1/workspaces", { body }),
    update: (id: string, body: UpdateWorkspaceBody, options: { ifMatch?: number } = {}) =>
      t.request<Workspace>("PATCH", `/api/v1/workspaces/${enc(id)}`, { body, ...options }),
    delete: (id: string, options: { ifMatch?: number } = {}) =>
      t.request<void>("DELETE", `/api/v1/workspaces/${enc(id)}`, options),
  };
}
