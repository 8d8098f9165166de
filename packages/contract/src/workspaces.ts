/** Workspaces: departments, clinic locations (PRODUCT.md §2). */
import { z } from "zod";
import { Id, Label, Timestamp } from "./common.ts";
import { IDLE_TIMEOUT_MAX_MINUTES } from "./settings.ts";

export const WorkspaceSlug = z
  .string()
  .min(1, "is required")
  .max(40)
  .regex(
    /^[a-z0-9]+(-[a-z0-9]+)*$/,
    "must be lower-case letters and digits in groups joined by single hyphens",
  );

export const WorkspaceSchema = z.strictObject({
  id: Id,
  slug: z.string(),
  name: z.string(),
  protected: z.boolean(),
  idleTimeoutSeconds: z.number().int().nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  version: z.number().int(),
});
export type Workspace = z.infer<typeof WorkspaceSchema>;

/** How many users `WorkspaceUsage` names who would be active in no workspace; the count is exact. */
export const USAGE_NAMED_USERS = 20;

/**
 * What deleting a workspace would remove, and whom it would leave active in no workspace (users
 * not archived whose access lists this workspace alone): the delete dialog says it before asking.
 */
export const WorkspaceUsageSchema = z.strictObject({
  roleRows: z.number().int(),
  accessEntries: z.number().int(),
  workspaceRoles: z.number().int(),
  patientGrants: z.number().int(),
  /** Open emergency access elevations for this workspace, which a delete ends. */
  openEmergencyAccess: z.number().int(),
  usersOnlyHere: z.strictObject({
    count: z.number().int(),
    /** The first by name, at most USAGE_NAMED_USERS; none for a caller without users.view. */
    users: z.array(z.strictObject({ id: Id, displayName: z.string(), username: z.string() })),
  }),
});
export type WorkspaceUsage = z.infer<typeof WorkspaceUsageSchema>;

const IdleTimeout = z
  .number()
  .int()
  .min(60)
  .max(IDLE_TIMEOUT_MAX_MINUTES * 60)
  .nullable();

export const CreateWorkspaceBody = z.strictObject({
  slug: WorkspaceSlug,
  name: Label(80),
  protected: z.boolean().default(true),
  idleTimeoutSeconds: IdleTimeout.default(null),
});
export type CreateWorkspaceBody = z.infer<typeof CreateWorkspaceBody>;

export const UpdateWorkspaceBody = z.strictObject({
  slug: WorkspaceSlug.optional(),
  name: Label(80).optional(),
  protected: z.boolean().optional(),
  idleTimeoutSeconds: IdleTimeout.optional(),
});
export type UpdateWorkspaceBody = z.infer<typeof UpdateWorkspaceBody>;

export const ListWorkspacesQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(512).optional(),
  q: z.string().trim().max(80).optional(),
});
