/**
 * Row types of every table, as Kysely sees them. Times are ISO-8601 UTC text and booleans are 0/1
 * integers on both databases, so one store runs unchanged on SQLite and PostgreSQL
 * (docs/architecture.md, "Storage").
 */
import type { Generated, GeneratedAlways } from "kysely";

export type Flag = 0 | 1;

export interface TenantsTable {
  id: string;
  slug: string;
  slug_key: string;
  name: string;
  time_zone: string;
  catalog: string;
  work_roles: string;
  settings: string;
  policy_version: number;
  created_at: string;
  updated_at: string;
  version: number;
}

export interface WorkspacesTable {
  tenant_id: string;
  id: string;
  slug: string;
  name: string;
  protected: Flag;
  idle_timeout_seconds: number | null;
  created_at: string;
  updated_at: string;
  version: number;
}

export interface RolesTable {
  tenant_id: string;
  id: string;
  name: string;
  /** Case-folded name for uniqueness; null for private roles, which have no name of their own. */
  name_key: string | null;
  description: string;
  system: Flag;
  locked: Flag;
  private_user_id: string | null;
  collaborator: Flag;
  /** JSON array of tenant-level permission keys. */
  permissions: string;
  created_at: string;
  updated_at: string;
  version: number;
}

export interface RoleWorkspacesTable {
  tenant_id: string;
  role_id: string;
  workspace_id: string;
  collaborator: Flag;
  permissions: string;
}

export interface UsersTable {
  tenant_id: string;
  id: string;
  username: string;
  username_key: string;
  email: string;
  email_key: string;
  first_name: string;
  last_name: string;
  initials: string;
  display_name: string;
  /** Lower-cased "last first" for sorting by name. */
  sort_name: string;
  /** Lower-cased name, username, email and employee number, for `q`. */
  search_text: string;
  phone: string;
  work_role: string | null;
  professional_id: string | null;
  prescriber_id: string | null;
  qualifications: string | null;
  areas_of_expertise: string | null;
  employee_number: string | null;
  title: string | null;
  role_id: string;
  workspace_access_all: Flag;
  virtual: Flag;
  expires_at: string | null;
  status: "invited" | "active" | "inactive" | "archived";
  /** Status before archiving, so that restore can tell an invited user from an active one. */
  archived_from: string | null;
  locked: Flag;
  locked_until: string | null;
  failed_attempts: number;
  must_change_password: Flag;
  mfa_enrolled: Flag;
  password_hash: string | null;
  /** The password met the single-factor minimum when chosen: 1, 0, or null (unknown, or none). */
  password_alone: Flag | null;
  last_login_at: string | null;
  created_at: string;
  created_by: string | null;
  updated_at: string;
  version: number;
}

/** SCIM `externalId`s: the provisioning client's id for a user or a group (role). */
export interface ScimExternalIdsTable {
  tenant_id: string;
  resource_type: "User" | "Group";
  resource_id: string;
  external_id: string;
}

export interface UserWorkspacesTable {
  tenant_id: string;
  user_id: string;
  workspace_id: string;
}

export interface UserWorkspaceRolesTable {
  tenant_id: string;
  user_id: string;
  workspace_id: string;
  role_id: string;
}

export interface SessionsTable {
  tenant_id: string;
  id: string;
  user_id: string;
  token_hash: string;
  created_at: string;
  last_used_at: string;
  expires_at: string;
  ip: string | null;
  user_agent: string | null;
  /** What the session may reach: everything, or only MFA enrolment / the password change. */
  purpose: SessionPurpose;
  /** SHA-256 of the session's CSRF token (cookie-authenticated unsafe requests must send it). */
  csrf_hash: string | null;
  /** The shortest workspace idle limit the session has worked under (seconds), binding from then on. */
  idle_cap_seconds: number | null;
  /**
   * The last use at which a request found the session idle while a workspace's longer limit kept
   * it: until it is used again, only such a workspace's requests are served (authenticate.ts).
   */
  idle_refused_at: string | null;
  /** 1: the session passed the second factor (a code or remembered device at sign-in, or enrolment). */
  mfa_verified: Generated<number>;
  /** 1: the administrator's session that turned an MFA requirement on keeps its reach (purposeNow). */
  mfa_waived: Generated<number>;
}

export type SessionPurpose = "full" | "mfa_enrolment" | "password_change";

/** Sign-in attempts per key (a hash of the client address or of tenant + login) in a fixed window. */
export interface LoginThrottleTable {
  key: string;
  window_start: string;
  count: number;
}

export interface ApiTokensTable {
  tenant_id: string;
  id: string;
  name: string;
  user_id: string;
  token_hash: string;
  created_at: string;
  created_by: string | null;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface PatientGrantsTable {
  tenant_id: string;
  id: string;
  user_id: string;
  patient_ref: string;
  workspace_id: string | null;
  granted_by: string | null;
  reason: string | null;
  expires_at: string | null;
  created_at: string;
  /** Moves when a repeated grant refreshes reason and expiry (If-Match on its revocation). */
  version: Generated<number>;
}

export interface AuditHeadsTable {
  tenant_id: string;
  seq: number;
  hash: string;
  /** The last purged event (0 and the genesis hash before any purge): the chain resumes from it. */
  purged_through_seq: Generated<number>;
  purged_through_hash: Generated<string>;
}

export interface AuditEventsTable {
  tenant_id: string;
  seq: number;
  id: string;
  at: string;
  actor_type: string;
  actor_id: string | null;
  actor_label: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  target_label: string | null;
  /** JSON `{ field: { before, after } }`; never holds a secret. */
  changes: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  outcome: "success" | "failure" | "denied";
  prev_hash: string;
  hash: string;
}

export interface EmergencyAccessTable {
  tenant_id: string;
  id: string;
  user_id: string;
  workspace_id: string | null;
  patient_ref: string | null;
  reason: string;
  /** JSON array of the permission keys the elevation grants. */
  permissions: string;
  opened_at: string;
  expires_at: string;
  ended_at: string | null;
  ended_by: string | null;
  reviewed_at: string | null;
  reviewed_by: string | null;
  review_note: string | null;
}

export interface OutboxTable {
  tenant_id: string;
  id: string;
  to_address: string;
  subject: string;
  /** The message text. Holds one-time links: readable only by the operator (CLI), never by the API. */
  body: string;
  kind: string;
  created_at: string;
  sent_at: string | null;
  attempts: number;
  last_error: string | null;
  /** When the delivery loop may try the row next; null = now. */
  next_attempt_at: string | null;
  /** How it left: "smtp", or "log" when no SMTP server was configured (local development). */
  sent_via: string | null;
}

/** Earlier password hashes of a user, newest last; the tenant's passwordHistory says how many count. */
/** Passwords an administrator marked compromised (their hashes): never accepted again for the user. */
export interface CompromisedPasswordsTable {
  id: GeneratedAlways<number>;
  tenant_id: string;
  user_id: string;
  /** An argon2id PHC string, never a password. */
  hash: string;
  created_at: string;
}

export interface PasswordHistoryTable {
  /** Assigned by the database, in insertion order (breaks ties between equal `created_at`s). */
  id: GeneratedAlways<number>;
  tenant_id: string;
  user_id: string;
  /** An argon2id PHC string, never a password. */
  hash: string;
  created_at: string;
}

/** A user's TOTP enrolment (one per user); unconfirmed until the first code is typed back. */
export interface MfaTotpTable {
  tenant_id: string;
  user_id: string;
  /** The TOTP secret as stored: `plain:<base32>` or `v1:<iv>:<tag>:<ciphertext>` (auth/mfa-secrets.ts). */
  secret: string;
  created_at: string;
  confirmed_at: string | null;
  /** The highest RFC 6238 time step accepted; codes of that step or earlier are refused (replay). */
  last_used_step: number;
}

/** Single-use recovery codes: only their argon2id hash is stored. */
export interface MfaRecoveryCodesTable {
  tenant_id: string;
  user_id: string;
  id: string;
  code_hash: string;
  created_at: string;
  used_at: string | null;
}

/** "Remember this device" tokens: only their SHA-256 is stored. */
export interface MfaRememberedDevicesTable {
  tenant_id: string;
  id: string;
  user_id: string;
  token_hash: string;
  expires_at: string;
  created_at: string;
}

/** One-time links (password reset, invitation); only the token's SHA-256 is stored. */
export interface CredentialTokensTable {
  tenant_id: string;
  id: string;
  user_id: string;
  kind: "reset" | "invitation";
  token_hash: string;
  created_at: string;
  /** When the link stops working; set to the moment of voiding when a newer link replaces it. */
  expires_at: string;
  used_at: string | null;
}

/** A change sent with an Idempotency-Key, and its answer (shared/idempotency.ts). */
export interface IdempotencyKeysTable {
  tenant_id: string;
  /** The user's or API token's id the key belongs to. */
  principal: string;
  key: string;
  fingerprint: string;
  created_at: string;
  /** Null until the answer is stored, just after the commit. */
  status: number | null;
  body: string | null;
  etag: string | null;
  /** 1: the answer carried a one-time secret and was not kept; 2: it showed a record since purged. */
  secret: number;
}

export interface Database {
  tenants: TenantsTable;
  workspaces: WorkspacesTable;
  roles: RolesTable;
  role_workspaces: RoleWorkspacesTable;
  users: UsersTable;
  scim_external_ids: ScimExternalIdsTable;
  user_workspaces: UserWorkspacesTable;
  user_workspace_roles: UserWorkspaceRolesTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  patient_grants: PatientGrantsTable;
  audit_heads: AuditHeadsTable;
  emergency_access: EmergencyAccessTable;
  outbox: OutboxTable;
  password_history: PasswordHistoryTable;
  compromised_passwords: CompromisedPasswordsTable;
  login_throttle: LoginThrottleTable;
  credential_tokens: CredentialTokensTable;
  idempotency_keys: IdempotencyKeysTable;
  mfa_totp: MfaTotpTable;
  mfa_recovery_codes: MfaRecoveryCodesTable;
  mfa_remembered_devices: MfaRememberedDevicesTable;
  audit_events: AuditEventsTable;
}

export type { Generated };
