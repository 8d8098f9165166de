/**
 * Every committed audit event is also written to the JSON log (ASVS 16.4.3: a second record,
 * shipped off the host with the logs), named with the OWASP Logging Vocabulary where it has a
 * name (SECURITY.md I-63). The line holds ids, never labels or changes: a typed login or a name
 * is the audit trail's to keep, not every log sink's.
 *
 * Not streamed here because the request already logs them with their context: `auth.login.failed`
 * (auth.routes.ts, `authn_login_fail`, also for unknown tenants) and `authz.failed` (problem.ts,
 * `authz_fail`).
 */
import type { AuditRecord, Core } from "@staffgate/core";
import type { FastifyBaseLogger } from "fastify";

const ALREADY_LOGGED = new Set(["auth.login.failed", "authz.failed"]);

/** Audit action → Logging Vocabulary event; actions not listed log as `audit_event`. */
export const VOCABULARY: Readonly<Record<string, string>> = {
  "auth.login.succeeded": "authn_login_success",
  "auth.locked": "authn_login_lock",
  "user.unlocked": "authn_login_unlock",
  "auth.password.changed": "authn_password_change",
  "auth.password.change_failed": "authn_password_change_fail",
  "auth.password.reset": "authn_password_change",
  "user.password_set": "authn_password_change",
  "user.password_compromised": "authn_password_change",
  "api_token.created": "authn_token_created",
  "api_token.revoked": "authn_token_revoked",
  "auth.mfa.enrolled": "authn_mfa_enrolled",
  "auth.mfa.disabled": "authn_mfa_disabled",
  "user.mfa_reset": "authn_mfa_disabled",
  "auth.logout": "session_logout",
  "auth.session.ended": "session_logout",
  "user.sessions_revoked": "session_logout",
  "auth.session.evicted": "excess_sessions_exceeded",
  "auth.session.expired": "session_expired",
  "user.created": "user_created",
  "user.invitation_accepted": "user_updated",
  "user.updated": "user_updated",
  "user.deactivated": "user_updated",
  "user.reactivated": "user_updated",
  "user.restored": "user_updated",
  "user.expired": "user_updated",
  "user.archived": "user_archived",
  "user.purged": "user_deleted",
  "user.deleted": "user_deleted",
  "user.permissions_changed": "privilege_permissions_changed",
  "role.created": "privilege_permissions_changed",
  "role.updated": "privilege_permissions_changed",
  "role.copied": "privilege_permissions_changed",
  "role.deleted": "privilege_permissions_changed",
  "patient_access.granted": "authz_change",
  "patient_access.revoked": "authz_change",
  "emergency_access.opened": "authz_admin",
  "emergency_access.ended": "authz_admin",
  "emergency_access.reviewed": "authz_admin",
  "settings.updated": "sys_config_change",
  "tenant.updated": "sys_config_change",
};

/**
 * Vocabulary events that happen at the same moment as an action's own and are logged as a line of
 * their own after it: the failure that reached the limit, the session a sign-in made, the use
 * of a session past its limits that ended it (a session is ended for its time only then).
 */
export const ALSO: Readonly<Record<string, readonly string[]>> = {
  "auth.locked": ["authn_login_fail_max"],
  "auth.login.succeeded": ["session_created"],
  "auth.session.expired": ["session_use_after_expire"],
};

export function vocabularyOf(action: string): string {
  return VOCABULARY[action] ?? "audit_event";
}

export function installAuditLog(core: Core, log: FastifyBaseLogger): void {
  core.deps.auditStream.current = (record: AuditRecord) => {
    if (ALREADY_LOGGED.has(record.action)) return;
    const { vocabulary, ...fields } = record;
    log.info({ event: vocabulary ?? vocabularyOf(record.action), ...fields }, "audit event");
    for (const event of ALSO[record.action] ?? []) log.info({ event, ...fields }, "audit event");
  };
}
