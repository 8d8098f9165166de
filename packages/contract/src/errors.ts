/** The one catalogue of error codes shared by server, SDK, CLI and console. */

/** Semantic kinds of failure; the server maps each kind to one HTTP status (see `statusOfKind`). */
export type ErrorKind =
  | "invalid"
  | "unauthenticated"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "precondition"
  | "rule"
  | "too_large"
  | "uri_too_long"
  | "headers_too_large"
  | "timeout"
  | "unsupported"
  | "method"
  | "throttled"
  | "unavailable"
  | "not_implemented"
  | "internal";

export const statusOfKind: Readonly<Record<ErrorKind, number>> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  precondition: 412,
  too_large: 413,
  uri_too_long: 414,
  headers_too_large: 431,
  timeout: 408,
  method: 405,
  unsupported: 415,
  rule: 422,
  throttled: 429,
  unavailable: 503,
  not_implemented: 501,
  internal: 500,
};

/** Every stable error code with its kind and default title. Codes never change meaning once shipped. */
export const errorCatalog = {
  VALIDATION_FAILED: { kind: "invalid", title: "The request is not valid" },
  MALFORMED_JSON: { kind: "invalid", title: "The request body is not valid JSON" },
  MALFORMED_URL: { kind: "invalid", title: "The URL is not valid" },
  URI_TOO_LONG: { kind: "uri_too_long", title: "A part of the URL is too long" },
  MALFORMED_REQUEST: { kind: "invalid", title: "The request is not valid HTTP" },
  HEADERS_TOO_LARGE: { kind: "headers_too_large", title: "The request's headers are too large" },
  REQUEST_TIMEOUT: { kind: "timeout", title: "The request took too long to arrive" },
  UNSUPPORTED_MEDIA_TYPE: { kind: "unsupported", title: "The request body must be application/json" },
  PAYLOAD_TOO_LARGE: { kind: "too_large", title: "The request body is too large" },
  INVALID_CURSOR: { kind: "invalid", title: "The pagination cursor is not valid" },
  UNAUTHENTICATED: { kind: "unauthenticated", title: "Authentication is required" },
  INVALID_CREDENTIALS: { kind: "unauthenticated", title: "The sign-in details are not valid" },
  INVALID_TOKEN: {
    kind: "invalid",
    title: "The link is not valid: it may have expired, been used, or been replaced by a newer one",
  },
  TYPED_PASSWORDS_FORBIDDEN: {
    kind: "rule",
    title: "This practice does not allow administrators to type a user's password",
  },
  FORBIDDEN: { kind: "forbidden", title: "You do not have permission to do this" },
  PASSWORD_CHANGE_REQUIRED: {
    kind: "forbidden",
    title: "The password must be changed before anything else can be done",
  },
  MFA_ENROLMENT_REQUIRED: {
    kind: "forbidden",
    title: "Two-factor sign-in must be set up before anything else can be done",
  },
  CSRF_TOKEN_INVALID: {
    kind: "forbidden",
    title: "The X-CSRF-Token header is missing or does not match the session",
  },
  NOT_FOUND: { kind: "not_found", title: "Not found" },
  ROUTE_NOT_FOUND: { kind: "not_found", title: "No such endpoint" },
  METHOD_NOT_ALLOWED: { kind: "method", title: "Method not allowed" },
  TENANT_NOT_FOUND: { kind: "not_found", title: "Tenant not found" },
  USER_NOT_FOUND: { kind: "not_found", title: "User not found" },
  ROLE_NOT_FOUND: { kind: "not_found", title: "Role not found" },
  WORKSPACE_NOT_FOUND: { kind: "not_found", title: "Workspace not found" },
  PRECONDITION_FAILED: { kind: "precondition", title: "The resource has changed since you read it" },
  TENANT_SLUG_TAKEN: { kind: "conflict", title: "A tenant with this slug already exists" },
  WORKSPACE_SLUG_TAKEN: { kind: "conflict", title: "A workspace with this slug already exists" },
  WORKSPACE_PROTECTED: { kind: "conflict", title: "The workspace is protected from deletion" },
  EMERGENCY_ALREADY_REVIEWED: { kind: "conflict", title: "This emergency access has been reviewed already" },
  IDEMPOTENCY_KEY_REUSED: {
    kind: "rule",
    title: "This Idempotency-Key was used for a different request",
  },
  IDEMPOTENT_RESPONSE_NOT_KEPT: {
    kind: "conflict",
    title: "The request with this Idempotency-Key was carried out; its answer is not kept",
  },
  ROLE_NAME_TAKEN: { kind: "conflict", title: "A role with this name already exists" },
  SCIM_EXTERNAL_ID_TAKEN: { kind: "conflict", title: "Another user or group already has this externalId" },
  ROLE_IN_USE: { kind: "conflict", title: "The role is held by users" },
  ROLE_LOCKED: { kind: "rule", title: "The role is locked and cannot be changed" },
  ROLE_RULE_VIOLATED: { kind: "rule", title: "The role breaks a role rule" },
  USER_USERNAME_TAKEN: { kind: "conflict", title: "A user with this username already exists" },
  USER_EMAIL_TAKEN: { kind: "conflict", title: "A user with this email already exists" },
  AUDIT_RETENTION: {
    kind: "rule",
    title: "Audit events younger than the tenant's retention period cannot be purged",
  },
  AUDIT_CHAIN_BROKEN: {
    kind: "conflict",
    title: "The audit chain is broken in the events to purge; purging would destroy the evidence",
  },
  USER_IMPORT_INVALID: {
    kind: "rule",
    title: "Some rows of the import cannot be imported; nothing was written",
  },
  USER_HAS_HISTORY: { kind: "conflict", title: "The user has history and cannot be purged" },
  USER_STATE_INVALID: { kind: "conflict", title: "The user is not in a state that allows this" },
  USER_EXPIRED: { kind: "rule", title: "The account's expiry date has passed" },
  LAST_ADMINISTRATOR: {
    kind: "conflict",
    title: "The tenant must keep one active administrator holding users.manage and roles.manage",
  },
  PATIENT_CREATOR_NOT_PERMITTED: {
    kind: "rule",
    title: "The user could not have created this patient: they may not create patients there",
  },
  PRIVILEGE_ESCALATION: { kind: "forbidden", title: "You cannot grant more than you hold" },
  SELF_ROLE_CHANGE: { kind: "forbidden", title: "You cannot change your own role" },
  SELF_ACTION_FORBIDDEN: { kind: "forbidden", title: "You cannot do this to your own account" },
  MFA_ALREADY_ENROLLED: { kind: "conflict", title: "MFA is already enrolled; disable it first" },
  MFA_NOT_STARTED: { kind: "conflict", title: "No MFA enrolment is waiting for confirmation" },
  MFA_NOT_ENROLLED: { kind: "conflict", title: "Two-factor sign-in is not on" },
  MFA_CODE_INVALID: { kind: "rule", title: "The code is not valid" },
  MFA_REQUIRED: { kind: "rule", title: "The tenant requires MFA for this account" },
  MFA_SESSION_UNVERIFIED: {
    kind: "forbidden",
    title: "This session has not passed two-factor sign-in: sign in again with your code to change it",
  },
  PASSWORD_TOO_SHORT_ALONE: {
    kind: "rule",
    title: "The password is too short to be used without two-factor sign-in: change it first",
  },
  SCIM_INVALID_FILTER: { kind: "invalid", title: "The SCIM filter is not valid" },
  SCIM_INVALID_SYNTAX: { kind: "invalid", title: "The SCIM request is not valid" },
  SCIM_INVALID_PATH: { kind: "invalid", title: "The PATCH path names no attribute of this resource" },
  SCIM_NO_TARGET: { kind: "invalid", title: "The PATCH path matched nothing" },
  SCIM_INVALID_VALUE: { kind: "invalid", title: "A SCIM attribute value is not valid" },
  SCIM_MUTABILITY: { kind: "invalid", title: "The attribute cannot be changed" },
  SCIM_NOT_SUPPORTED: {
    kind: "not_implemented",
    title: "This SCIM feature is not supported (ServiceProviderConfig says which are)",
  },
  SCIM_NO_DEFAULT_ROLE: {
    kind: "rule",
    title: "The user names no group and the tenant has no default role for provisioned users",
  },
  THROTTLED: { kind: "throttled", title: "Too many requests" },
  NOT_READY: { kind: "unavailable", title: "The service is not ready" },
  REAUTHENTICATION_REQUIRED: { kind: "unauthenticated", title: "This change needs your password again" },
  REAUTHENTICATION_FAILED: { kind: "forbidden", title: "The password given is not the account's" },
  SERVICE_BUSY: { kind: "unavailable", title: "The service is busy; try again in a moment" },
  DATABASE_UNAVAILABLE: { kind: "unavailable", title: "The database cannot be reached; try again shortly" },
  INTERNAL: { kind: "internal", title: "An unexpected error occurred" },
} as const satisfies Record<string, { kind: ErrorKind; title: string }>;

export type ErrorCode = keyof typeof errorCatalog;

/** A problem with one input field; `path` is dotted (`workspaces.0.permissions`). */
export interface FieldError {
  readonly path: string;
  readonly message: string;
}

/** RFC 9457 problem details as Staffgate sends them. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: ErrorCode;
  readonly detail?: string;
  readonly errors?: readonly FieldError[];
  readonly [extension: string]: unknown;
}

export function problemType(code: ErrorCode): string {
  return `https://staffgate.dev/problems/${code.toLowerCase().replaceAll("_", "-")}`;
}

export function statusOfCode(code: ErrorCode): number {
  return statusOfKind[errorCatalog[code].kind];
}
