/** /api/v1/workspaces: departments and clinic locations. */
import {
  CreateWorkspaceBody,
  IdParams,
  ListWorkspacesQuery,
  page,
  UpdateWorkspaceBody,
  WorkspaceSchema,
  WorkspaceUsageSchema,
} from "@staffgate/contract";
import type { Core } from "@staffgate/core";
import type { FastifyInstance } from "fastify";
import { type RouteOptions, route } from "../http/route.ts";

export function workspacesRoutes(app: FastifyInstance, core: Core, options: RouteOptions): void {
  const tags = ["workspaces"];
  const etag = (w: { version: number }) => w.version;

  route(app, options, {
    method: "GET",
    url: "/api/v1/workspaces",
    summary: "List workspaces",
    tags,
    auth: "tenant",
    query: ListWorkspacesQuery,
    response: page(WorkspaceSchema),
    handler: ({ ctx, query }) => core.workspaces.listWorkspaces(ctx, query),
  });

  route(app, options, {
    method: "POST",
    url: "/api/v1/workspaces",
    summary: "Create a workspace",
    tags,
    auth: "tenant",
    permission: "workspaces.manage",
    body: CreateWorkspaceBody,
    response: WorkspaceSchema,
    etag,
    location: (r) => `/api/v1/workspaces/${r.id}`,
    handler: ({ ctx, body }) => core.workspaces.createWorkspace(ctx, body),
  });

  route(app, options, {
    method: "GET",
    url: "/api/v1/workspaces/:id",
    summary: "Get a workspace",
    tags,
    auth: "tenant",
    params: IdParams,
    response: WorkspaceSchema,
    etag,
    handler: ({ ctx, params }) => core.workspaces.getWorkspace(ctx, params.id),
  });

  route(app, options, {
    method: "GET",
    url: "/api/v1/workspaces/:id/usage",
    summary:
      "What deleting the workspace would remove or end (role rows, access entries, workspace roles, patient grants, open emergency access) and who would be left active in no workspace (named with users.view)",
    tags,
    auth: "tenant",
    permission: "workspaces.manage",
    params: IdParams,
    response: WorkspaceUsageSchema,
    handler: ({ ctx, caller, params }) => core.workspaces.getWorkspaceUsage(ctx, caller, params.id),
  });

  route(app, options, {
    method: "PATCH",
    ifMatch: true,
    url: "/api/v1/workspaces/:id",
    summary: "Update a workspace",
    tags,
    auth: "tenant",
    permission: "workspaces.manage",
    params: IdParams,
    body: UpdateWorkspaceBody,
    response: WorkspaceSchema,
    etag,
    handler: ({ ctx, caller, params, body, ifMatch }) =>
      core.workspaces.updateWorkspace(ctx, caller, params.id, body, ifMatch),
  });

  route(app, options, {
    method: "DELETE",
    ifMatch: true,
    url: "/api/v1/workspaces/:id",
    summary: "Delete an unprotected workspace and every role row, access entry and grant naming it",
    tags,
    auth: "tenant",
    permission: "workspaces.manage",
    params: IdParams,
    response: null,
    handler: async ({ ctx, caller, params, ifMatch }) => {
      await core.workspaces.deleteWorkspace(ctx, caller, params.id, ifMatch);
    },
  });
}
