/** Decisions: check, check/batch and explain (API.md, PRODUCT.md §3). */
import { z } from "zod";
import { Id } from "./common.ts";
import { PatientRef } from "./patient-access.ts";

export const CheckBody = z.strictObject({
  userId: Id,
  permission: z.string().min(1).max(80),
  workspaceId: Id.nullable().optional(),
  // What a read of grants takes (no control characters), so a question no grant could ever answer
  // is refused as the grant would be; spaces at its ends stay allowed, as in every read.
  patientRef: PatientRef.nullable().optional(),
});
export type CheckBody = z.infer<typeof CheckBody>;

export const MAX_BATCH_CHECKS = 1000;

export const BatchCheckBody = z.strictObject({
  checks: z.array(CheckBody).min(1).max(MAX_BATCH_CHECKS),
});
export type BatchCheckBody = z.infer<typeof BatchCheckBody>;

/**
 * Why a decision came out as it did (PRODUCT.md §3; docs/api.md, "Decision reasons", says what
 * each means and which fields come with it). Denials first, in the order the rules look.
 */
export const DecisionReasonCode = z
  .enum([
    "USER_NOT_FOUND",
    "USER_NOT_ACTIVE",
    "USER_EXPIRED",
    "VIRTUAL_USER",
    "UNKNOWN_PERMISSION",
    "WORKSPACE_NOT_FOUND",
    "WORKSPACE_INACTIVE",
    "NOT_GRANTED",
    "COLLABORATOR_NO_PATIENT",
    "COLLABORATOR_NO_GRANT",
    "COLLABORATOR_FORBIDDEN",
    "GRANTED_TENANT",
    "GRANTED_WORKSPACE",
    "GRANTED_PATIENT",
    "EMERGENCY_ACCESS",
  ])
  .describe(
    "Denied: USER_NOT_FOUND (no such user in this tenant), USER_NOT_ACTIVE (invited, inactive or archived), " +
      "USER_EXPIRED (past its expiry), VIRTUAL_USER (a virtual user acts only through an API token), " +
      "UNKNOWN_PERMISSION (not in the catalogue), WORKSPACE_NOT_FOUND, WORKSPACE_INACTIVE (the user is not active " +
      "in that workspace), NOT_GRANTED (the role that applies does not grant it), COLLABORATOR_NO_PATIENT (a " +
      "collaborator's patient-scoped permission asked with no patient), COLLABORATOR_NO_GRANT (a collaborator " +
      "with no live grant on this patient), COLLABORATOR_FORBIDDEN (never granted to collaborators). Allowed: " +
      "GRANTED_TENANT (by the role at tenant level), GRANTED_WORKSPACE (by the role's row for this workspace), " +
      "GRANTED_PATIENT (a collaborator with a live grant on this patient: viaPatientGrant), EMERGENCY_ACCESS (an " +
      "open emergency elevation: viaEmergency). Denials with a role (NOT_GRANTED, COLLABORATOR_*) name it too.",
  );
export type DecisionReasonCode = z.infer<typeof DecisionReasonCode>;

export const DecisionReason = z.strictObject({
  code: DecisionReasonCode,
  message: z.string().describe("The reason in English, for people (ids and names quoted); not for parsing"),
  roleId: z.string().optional().describe("The role that applied"),
  roleName: z
    .string()
    .optional()
    .describe("That role's name, when it has one (formal and per-workspace roles; a private role has none)"),
  /** Which role applied: the user's formal role, its private role, or a per-workspace role. */
  roleKind: z
    .enum(["formal", "private", "workspace"])
    .optional()
    .describe("Which role applied: the user's formal role, its private role, or its role in this workspace"),
  scope: z
    .enum(["tenant", "workspace"])
    .optional()
    .describe("Where the role grants it: at tenant level, or in its row for this workspace"),
  workspaceId: z.string().optional().describe("The workspace the answer is about"),
  /** The patient grant that allowed it. */
  viaPatientGrant: z.string().optional().describe("The patient grant that allowed it"),
  /** The emergency elevation that allowed it. */
  viaEmergency: z.string().optional().describe("The emergency elevation that allowed it"),
});
export type DecisionReason = z.infer<typeof DecisionReason>;

export const CheckResult = z.strictObject({ allowed: z.boolean(), reason: DecisionReason });
export type CheckResult = z.infer<typeof CheckResult>;

export const BatchCheckResult = z.strictObject({ results: z.array(CheckResult) });
export type BatchCheckResult = z.infer<typeof BatchCheckResult>;

export const ExplainResult = z.strictObject({
  allowed: z.boolean(),
  reason: DecisionReason,
  /** Every step that led to the answer, in order. */
  steps: z.array(z.string()),
  query: z.strictObject({
    userId: z.string(),
    permission: z.string(),
    workspaceId: z.string().nullable(),
    patientRef: z.string().nullable(),
  }),
});
export type ExplainResult = z.infer<typeof ExplainResult>;

/** `GET /users/{id}/effective-permissions`: what check answers "allowed" for, per workspace. */
export const EffectivePermissionsResult = z.strictObject({
  /** Allowed with no workspace named (tenant level; tenant-only permissions included). */
  tenant: z.array(z.string()),
  /** Whether, with no workspace named, the user acts as a collaborator (as `workspaces[].collaborator`). */
  tenantCollaborator: z.boolean(),
  /** Patient-scoped permissions that, with no workspace named, hold only for a granted patient. */
  tenantCollaboratorPermissions: z.array(z.string()),
  /**
   * Every workspace of the tenant. One the user is not active in lists only tenant-only permissions
   * (they ignore the workspace; docs/decisions.md).
   */
  workspaces: z.array(
    z.strictObject({
      workspaceId: z.string(),
      /**
       * What check answers "allowed" for with this workspace named: workspace-scoped permissions
       * allowed here, and the tenant-only ones of `tenant` (they ignore the workspace).
       */
      permissions: z.array(z.string()),
      /**
       * Whether the user acts as a collaborator here, as a role's `collaborator` flag: patient-scoped
       * permissions hold only for granted patients, and collaborator-forbidden ones never.
       */
      collaborator: z.boolean(),
      /** The collaborator marks: patient-scoped permissions that hold here only for a granted patient. */
      collaboratorPermissions: z.array(z.string()),
      /**
       * Permissions of `permissions` that hold here only through an open emergency elevation naming
       * this workspace (PRODUCT.md §2: an elevation is flagged wherever it decides).
       */
      emergencyPermissions: z.array(z.string()),
    }),
  ),
});
export type EffectivePermissionsResult = z.infer<typeof EffectivePermissionsResult>;

export const WHO_CAN_MAX_LIMIT = 200;

const WhoCanLimit = z.number().int().min(1).max(WHO_CAN_MAX_LIMIT).describe("page size; default 50");

/**
 * `POST /who-can`: the reverse query, paged by username then id. `limit` and `cursor` may come in
 * the body or, like every list (API.md), as `?limit=` and `?cursor=`; not both with different values.
 */
export const WhoCanBody = z.strictObject({
  permission: z.string().min(1).max(80),
  workspaceId: Id.nullable().optional(),
  patientRef: PatientRef.nullable().optional(),
  limit: WhoCanLimit.optional(),
  cursor: z.string().max(512).optional(),
});
export type WhoCanBody = z.input<typeof WhoCanBody>;

/** `POST /who-can?limit=&cursor=`: the list convention's paging parameters. */
export const WhoCanQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(WHO_CAN_MAX_LIMIT).optional().describe("page size; default 50"),
  cursor: z.string().max(512).optional(),
});

export const WhoCanResult = z.strictObject({
  items: z.array(z.strictObject({ userId: z.string(), username: z.string(), reason: DecisionReason })),
  nextCursor: z.string().nullable(),
});
export type WhoCanResult = z.infer<typeof WhoCanResult>;
