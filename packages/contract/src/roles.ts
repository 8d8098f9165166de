/** Roles: tenant-level permissions, workspace rows and collaborator flags (PRODUCT.md §2). */
import { z } from "zod";
import { PermissionKey } from "./catalog.ts";
import { Id, Label, ParagraphText, Timestamp } from "./common.ts";

export const RoleWorkspaceRow = z.strictObject({
  workspaceId: Id,
  permissions: z.array(PermissionKey).max(500),
  collaborator: z.boolean().default(false),
});

export const RoleSchema = z.strictObject({
  id: Id,
  name: z.string(),
  description: z.string(),
  system: z.boolean(),
  locked: z.boolean(),
  private: z.boolean(),
  permissions: z.array(z.string()),
  collaborator: z.boolean(),
  workspaces: z.array(
    z.strictObject({ workspaceId: Id, permissions: z.array(z.string()), collaborator: z.boolean() }),
  ),
  userCount: z.number().int(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  version: z.number().int(),
});
export type Role = z.infer<typeof RoleSchema>;

/**
 * Runs of spaces inside a name become one: "Race  Role" beside "Race Role" would read as one name
 * twice (names are unique case-insensitively, PRODUCT.md §2).
 */
export const RoleName = Label(80).transform((v) => v.replace(/\s+/gu, " "));

export const RoleGrantsBody = {
  permissions: z.array(PermissionKey).max(500).default([]),
  collaborator: z.boolean().default(false),
  workspaces: z.array(RoleWorkspaceRow).max(1000).default([]),
};

export const CreateRoleBody = z.strictObject({
  name: RoleName,
  description: ParagraphText(500).default(""),
  ...RoleGrantsBody,
});
export type CreateRoleBody = z.infer<typeof CreateRoleBody>;

export const UpdateRoleBody = z.strictObject({
  name: RoleName.optional(),
  description: ParagraphText(500).optional(),
  permissions: z.array(PermissionKey).max(500).optional(),
  collaborator: z.boolean().optional(),
  workspaces: z.array(RoleWorkspaceRow).max(1000).optional(),
});
export type UpdateRoleBody = z.infer<typeof UpdateRoleBody>;

export const CopyRoleBody = z.strictObject({ name: RoleName.optional() });

/** `PUT /users/{id}/permissions`: the user's private role. */
export const PrivatePermissionsBody = z.strictObject(RoleGrantsBody);
export type PrivatePermissionsBody = z.infer<typeof PrivatePermissionsBody>;

/**
 * `GET /users/{id}/permissions`: the grants of the user's role, in the shape PUT takes. `private`
 * says whether it is the user's private role (which /roles never shows) or their formal role.
 */
export const UserPermissionsSchema = z.strictObject({
  roleId: Id,
  private: z.boolean(),
  permissions: z.array(z.string()),
  collaborator: z.boolean(),
  workspaces: RoleSchema.shape.workspaces,
});
export type UserPermissions = z.infer<typeof UserPermissionsSchema>;
