/** Maps user rows to the API's `User` (explicitly, so no column leaks: no password hash). */
import type { User } from "@staffgate/contract";
import type { UsersTable } from "../db/schema.ts";
import { bool } from "../shared/json.ts";

export interface WorkspaceRoleAssignment {
  readonly workspaceId: string;
  readonly roleId: string;
}

export interface UserExtras {
  readonly privateRole: boolean;
  readonly workspaceAccess: "all" | readonly string[];
  readonly workspaceRoles: readonly WorkspaceRoleAssignment[];
}

export function toUser(row: UsersTable, extras: UserExtras): User {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    initials: row.initials,
    displayName: row.display_name,
    phone: row.phone,
    workRole: row.work_role,
    professionalId: row.professional_id,
    prescriberId: row.prescriber_id,
    qualifications: row.qualifications,
    areasOfExpertise: row.areas_of_expertise,
    employeeNumber: row.employee_number,
    title: row.title,
    roleId: row.role_id,
    privateRole: extras.privateRole,
    workspaceAccess: extras.workspaceAccess === "all" ? "all" : [...extras.workspaceAccess],
    workspaceRoles: extras.workspaceRoles.map((r) => ({ workspaceId: r.workspaceId, roleId: r.roleId })),
    virtual: bool(row.virtual),
    expiresAt: row.expires_at,
    status: row.status,
    locked: bool(row.locked),
    lockedUntil: row.locked_until,
    mustChangePassword: bool(row.must_change_password),
    mfaEnrolled: bool(row.mfa_enrolled),
    lastLoginAt: row.last_login_at,
    createdAt: row.created_at,
    createdBy: row.created_by,
    updatedAt: row.updated_at,
    version: row.version,
  };
}
