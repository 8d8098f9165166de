/** Workspace use cases: each one transaction with its audit event. */
import {
  type CreateWorkspaceBody,
  type UpdateWorkspaceBody,
  USAGE_NAMED_USERS,
  type Workspace,
  type WorkspaceUsage,
} from "@staffgate/contract";
import { currentHolder } from "../access/current-holder.ts";
import { endElevationsNaming } from "../access/emergency-cutoff.ts";
import { grantChanges, isActiveIn } from "../access/grants.rules.ts";
import { appendAudit, diffChanges } from "../audit/audit-writer.ts";
import type { Caller } from "../auth/caller.ts";
import type { WorkspacesTable } from "../db/schema.ts";
import type { Ctx } from "../shared/context.ts";
import { decodePairCursor, encodeCursor } from "../shared/cursor.ts";
import { isUniqueViolation } from "../shared/db-errors.ts";
import type { Deps } from "../shared/deps.ts";
import { AppError } from "../shared/errors.ts";
import { bool, flag } from "../shared/json.ts";
import { inTenantTx, type Trx } from "../shared/tx.ts";
import { expectVersion } from "../shared/versions.ts";
import { createWorkspaceStore } from "./workspaces.store.ts";

export function toWorkspace(row: WorkspacesTable): Workspace {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    protected: bool(row.protected),
    idleTimeoutSeconds: row.idle_timeout_seconds,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: row.version,
  };
}

const AUDITED = ["slug", "name", "protected", "idleTimeoutSeconds"] as const;

function slugTaken(slug: string): AppError {
  return new AppError("WORKSPACE_SLUG_TAKEN", `Workspace already exists with slug "${slug}"`, {
    errors: [{ path: "slug", message: "is already used by another workspace" }],
  });
}

/**
 * Changing or deleting a workspace changes what its staff hold there: someone active in some
 * workspaces only may do it only to theirs (PRODUCT.md §2; found by the re-check, 2026-12-05).
 */
async function ensureActiveIn(trx: Trx, caller: Caller, workspaceId: string): Promise<void> {
  if (!isActiveIn(await currentHolder(trx, caller), workspaceId)) {
    throw new AppError(
      "PRIVILEGE_ESCALATION",
      "You are not active in this workspace; only someone active there can change or delete it",
    );
  }
}

export function createWorkspacesService(deps: Deps) {
  return {
    async getWorkspace(ctx: Ctx, id: string): Promise<Workspace> {
      const row = await createWorkspaceStore(deps.db.kysely, ctx.tenantId).findWorkspaceById(id);
      if (!row) throw new AppError("WORKSPACE_NOT_FOUND");
      return toWorkspace(row);
    },

    /**
     * `GET /workspaces/{id}/usage` (workspaces.manage): what a delete would remove, and whom it
     * would leave active nowhere, named only to someone who may see staff accounts (users.view).
     */
    async getWorkspaceUsage(ctx: Ctx, caller: Caller, id: string): Promise<WorkspaceUsage> {
      const store = createWorkspaceStore(deps.db.kysely, ctx.tenantId);
      if (!(await store.findWorkspaceById(id))) throw new AppError("WORKSPACE_NOT_FOUND");
      const named = caller.permissions.has("users.view") ? USAGE_NAMED_USERS : 0;
      return store.usageOf(id, named, deps.clock.now().toISOString());
    },

    async listWorkspaces(
      ctx: Ctx,
      query: { limit: number; cursor?: string | undefined; q?: string | undefined },
    ) {
      const after = decodePairCursor(query.cursor);
      const rows = await createWorkspaceStore(deps.db.kysely, ctx.tenantId).listWorkspaces({
        limit: query.limit + 1,
        after,
        q: query.q,
      });
      const items = rows.slice(0, query.limit).map(toWorkspace);
      const last = items.at(-1);
      return {
        items,
        nextCursor: rows.length > query.limit && last ? encodeCursor([last.slug, last.id]) : null,
      };
    },

    async createWorkspace(ctx: Ctx, input: CreateWorkspaceBody): Promise<Workspace> {
      const now = deps.clock.now().toISOString();
      const row: Omit<WorkspacesTable, "tenant_id"> = {
        id: deps.ids.next("wsp"),
        slug: input.slug,
        name: input.name,
        protected: flag(input.protected),
        idle_timeout_seconds: input.idleTimeoutSeconds,
        created_at: now,
        updated_at: now,
        version: 1,
      };
      try {
        await inTenantTx(deps, ctx.tenantId, async (trx) => {
          await createWorkspaceStore(trx, ctx.tenantId).insertWorkspace(row);
          const created = toWorkspace({ ...row, tenant_id: ctx.tenantId });
          await appendAudit(deps, trx, ctx, {
            action: "workspace.created",
            target: { type: "workspace", id: row.id, label: row.slug },
            changes: diffChanges({} as Record<string, unknown>, created, AUDITED),
          });
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw slugTaken(input.slug);
        throw error;
      }
      return toWorkspace({ ...row, tenant_id: ctx.tenantId });
    },

    async updateWorkspace(
      ctx: Ctx,
      caller: Caller,
      id: string,
      input: UpdateWorkspaceBody,
      ifMatch?: number,
    ): Promise<Workspace> {
      try {
        return await inTenantTx(deps, ctx.tenantId, async (trx) => {
          const store = createWorkspaceStore(trx, ctx.tenantId);
          const row = await store.findWorkspaceById(id);
          if (!row) throw new AppError("WORKSPACE_NOT_FOUND");
          expectVersion(row.version, ifMatch);
          await ensureActiveIn(trx, caller, id);
          const before = toWorkspace(row);
          const next: WorkspacesTable = {
            ...row,
            slug: input.slug ?? row.slug,
            name: input.name ?? row.name,
            protected: input.protected === undefined ? row.protected : flag(input.protected),
            idle_timeout_seconds:
              input.idleTimeoutSeconds === undefined ? row.idle_timeout_seconds : input.idleTimeoutSeconds,
          };
          const changes = diffChanges(before, toWorkspace(next), AUDITED);
          if (Object.keys(changes).length === 0) return before;
          next.updated_at = deps.clock.now().toISOString();
          next.version = row.version + 1;
          await store.updateWorkspace(id, {
            slug: next.slug,
            name: next.name,
            protected: next.protected,
            idle_timeout_seconds: next.idle_timeout_seconds,
            updated_at: next.updated_at,
            version: next.version,
          });
          await appendAudit(deps, trx, ctx, {
            action: "workspace.updated",
            target: { type: "workspace", id, label: next.slug },
            changes,
          });
          return toWorkspace(next);
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw slugTaken(input.slug ?? "");
        throw error;
      }
    },

    /** Deletes an unprotected workspace and the role rows, access entries and grants naming it. */
    async deleteWorkspace(ctx: Ctx, caller: Caller, id: string, ifMatch?: number): Promise<void> {
      await inTenantTx(deps, ctx.tenantId, async (trx) => {
        const store = createWorkspaceStore(trx, ctx.tenantId);
        const row = await store.findWorkspaceById(id);
        if (!row) throw new AppError("WORKSPACE_NOT_FOUND");
        expectVersion(row.version, ifMatch);
        await ensureActiveIn(trx, caller, id);
        if (row.protected === 1) {
          throw new AppError("WORKSPACE_PROTECTED", "Unprotect the workspace before deleting it");
        }
        const at = deps.clock.now().toISOString();
        const removed = await store.deleteWorkspaceCascade(id, at);
        const endedElevations = await endElevationsNaming(deps, trx, ctx, { id, slug: row.slug }, at);
        await appendAudit(deps, trx, ctx, {
          action: "workspace.deleted",
          target: { type: "workspace", id, label: row.slug },
          changes: {
            slug: { before: row.slug },
            name: { before: row.name },
            removedRoleRows: { after: removed.roleRows },
            removedAccessEntries: { after: removed.accessEntries },
            removedWorkspaceRoles: { after: removed.workspaceRoles },
            removedPatientGrants: { after: removed.patientGrants.length },
            ...(endedElevations > 0 ? { endedEmergencyAccess: { after: endedElevations } } : {}),
          },
        });
        for (const g of removed.patientGrants) {
          await appendAudit(deps, trx, ctx, {
            action: "patient_access.revoked",
            target: { type: "user", id: g.user_id, label: g.username },
            changes: {
              ...grantChanges("before", g.patient_ref, g),
              cause: { after: `workspace ${row.slug} was deleted` },
            },
          });
        }
      });
    },
  };
}

export type WorkspacesService = ReturnType<typeof createWorkspacesService>;
