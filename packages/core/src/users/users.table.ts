/** Maps user rows to the API's `User` (explicitly, so no column leaks: no password hash). */
import type { User } from "@staffgate/contract";
import type { Expression, ExpressionBuilder, SqlBool } from "kysely";
import type { Database, UsersTable } from "../db/schema.ts";
import { bool, flag } from "../shared/json.ts";
import { foldKey } from "../shared/text.rules.ts";
import { deriveDisplayName, deriveInitials, searchText, sortName } from "./user-fields.rules.ts";

export interface WorkspaceRoleAssignment {
  readonly workspaceId: string;
  readonly roleId: string;
}

export interface UserExtras {
  readonly privateRole: boolean;
  readonly workspaceAccess: "all" | readonly string[];
  readonly workspaceRoles: readonly WorkspaceRoleAssignment[];
}

/**
 * `now` decides `locked`: a lock by failed sign-ins whose time has run out is over (PRODUCT.md: it
 * ends by time), though the row keeps it until the next sign-in attempt clears it.
 */
export function toUser(row: UsersTable, extras: UserExtras, now: string): User {
  const locked = lockedAt(row, now);
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
    locked,
    lockedUntil: locked ? row.locked_until : null,
    mustChangePassword: bool(row.must_change_password),
    mfaEnrolled: bool(row.mfa_enrolled),
    lastLoginAt: row.last_login_at,
    createdAt: row.created_at,
    createdBy: row.created_by,
    updatedAt: row.updated_at,
    version: row.version,
  };
}

/** Locked at `now`: an administrator's lock (no end) or a failed-attempts lock that has not run out. */
export function lockedAt(row: Pick<UsersTable, "locked" | "locked_until">, now: string): boolean {
  return row.locked === 1 && (row.locked_until === null || row.locked_until > now);
}

/** lockedAt() in SQL, for queries over users (the list's `locked` filter, the locked-users metric). */
export function lockedAtSql(eb: ExpressionBuilder<Database, "users">, now: string): Expression<SqlBool> {
  return eb.and([
    eb("users.locked", "=", 1),
    eb.or([eb("users.locked_until", "is", null), eb("users.locked_until", ">", now)]),
  ]);
}

/** What creating a user decides; everything else a new row holds is derived or starts empty. */
export interface NewUser {
  readonly id: string;
  readonly username: string;
  readonly email: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly roleId: string;
  readonly status: UsersTable["status"];
  readonly createdAt: string;
  readonly createdBy: string | null;
  readonly initials?: string | null;
  readonly phone?: string;
  readonly workRole?: string | null;
  readonly professionalId?: string | null;
  readonly prescriberId?: string | null;
  readonly qualifications?: string | null;
  readonly areasOfExpertise?: string | null;
  readonly employeeNumber?: string | null;
  readonly title?: string | null;
  readonly workspaceAccessAll?: boolean;
  readonly virtual?: boolean;
  readonly expiresAt?: string | null;
  readonly passwordHash?: string | null;
  readonly mustChangePassword?: boolean;
}

/** The one place a new user row is assembled (keys, derived names and search text included). */
export function newUserRow(u: NewUser): Omit<UsersTable, "tenant_id"> {
  const employeeNumber = u.employeeNumber ?? null;
  return {
    id: u.id,
    username: u.username,
    username_key: foldKey(u.username),
    email: u.email,
    email_key: foldKey(u.email),
    first_name: u.firstName,
    last_name: u.lastName,
    initials: u.initials ?? deriveInitials(u.firstName, u.lastName),
    display_name: deriveDisplayName(u.firstName, u.lastName),
    sort_name: sortName(u.firstName, u.lastName),
    search_text: searchText({ ...u, employeeNumber }),
    phone: u.phone ?? "",
    work_role: u.workRole ?? null,
    professional_id: u.professionalId ?? null,
    prescriber_id: u.prescriberId ?? null,
    qualifications: u.qualifications ?? null,
    areas_of_expertise: u.areasOfExpertise ?? null,
    employee_number: employeeNumber,
    title: u.title ?? null,
    role_id: u.roleId,
    workspace_access_all: flag(u.workspaceAccessAll ?? true),
    virtual: flag(u.virtual ?? false),
    expires_at: u.expiresAt ?? null,
    status: u.status,
    archived_from: null,
    locked: 0,
    locked_until: null,
    failed_attempts: 0,
    must_change_password: flag(u.mustChangePassword ?? false),
    mfa_enrolled: 0,
    password_hash: u.passwordHash ?? null,
    // A new user's password is checked against the single-factor minimum (users-create.ts).
    password_alone: u.passwordHash ? 1 : null,
    last_login_at: null,
    created_at: u.createdAt,
    created_by: u.createdBy,
    updated_at: u.createdAt,
    version: 1,
  };
}
