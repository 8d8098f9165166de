/** The permission-catalogue format (PRODUCT.md §2): what a deployment's JSON file holds. */
import { z } from "zod";

export const PermissionKey = z
  .string()
  .min(3)
  .max(80)
  .regex(/^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)+$/, "a dotted lower-case key such as patients.read");

export const PermissionSchema = z.strictObject({
  key: PermissionKey,
  label: z.string().min(1).max(120),
  description: z.string().max(500).default(""),
  category: z.string().min(1).max(80),
  scope: z.enum(["tenant", "tenant+workspace"]),
  patientScoped: z.boolean().default(false),
  collaborator: z.enum(["restricted", "forbidden", "unaffected"]).default("unaffected"),
  implies: z.array(PermissionKey).default([]),
});
export type Permission = z.infer<typeof PermissionSchema>;

export const CatalogRoleSchema = z.strictObject({
  name: z.string().min(1).max(80),
  description: z.string().max(500).default(""),
  /** `"*"` grants every permission of the catalogue (the locked Administrator role). */
  permissions: z.union([z.literal("*"), z.array(PermissionKey)]),
  collaborator: z.boolean().default(false),
  locked: z.boolean().default(false),
});
export type CatalogRole = z.infer<typeof CatalogRoleSchema>;

export const WorkRoleSchema = z.strictObject({
  name: z.string().min(1).max(80),
  /** When set, users with this work role may carry a professional ID under this label. */
  professionalIdLabel: z.string().min(1).max(80).nullable().default(null),
});
export type WorkRole = z.infer<typeof WorkRoleSchema>;

export const CatalogFileSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/),
  version: z.string().min(1).max(40),
  description: z.string().max(500).default(""),
  permissions: z.array(PermissionSchema).min(1),
  roles: z.array(CatalogRoleSchema).default([]),
  workRoles: z.array(WorkRoleSchema).default([]),
});
export type CatalogFile = z.infer<typeof CatalogFileSchema>;
export type CatalogFileInput = z.input<typeof CatalogFileSchema>;

export const PermissionListSchema = z.strictObject({
  catalog: z.strictObject({ name: z.string(), version: z.string() }),
  items: z.array(PermissionSchema),
  /** The tenant's work-role list: what a user's `workRole` may be (the console's choices). */
  workRoles: z.array(WorkRoleSchema),
});
