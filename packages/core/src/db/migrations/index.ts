/** Every migration, in order. Append new ones; never edit one that has landed. */
import type { Migration } from "kysely";
import * as initial from "./2026-11-23T00-00_initial.ts";
import * as userSearch from "./2026-11-23T01-00_user_search.ts";
import * as emergencyOutbox from "./2026-11-23T02-00_emergency_and_outbox.ts";
import * as passwordHistory from "./2026-11-23T03-00_password_history.ts";
import * as outboxDelivery from "./2026-11-23T03-10_outbox_delivery.ts";
import * as sessions from "./2026-11-23T04-00_sessions.ts";
import * as credentialTokens from "./2026-11-23T04-10_credential_tokens.ts";
import * as mfa from "./2026-11-23T04-20_mfa.ts";
import * as expiryDue from "./2026-12-03T00-00_expiry_due.ts";
import * as auditPurge from "./2026-12-03T01-00_audit_purge.ts";
import * as auditPurgeAge from "./2026-12-03T02-00_audit_purge_age.ts";
import * as auditPurgeSkew from "./2026-12-03T03-00_audit_purge_skew.ts";
import * as scimExternalIds from "./2026-12-03T10-00_scim_external_ids.ts";
import * as usersCreatedIdx from "./2026-12-03T11-00_users_created_idx.ts";
import * as auditNoReplace from "./2026-12-03T12-00_audit_no_replace.ts";
import * as changeFeed from "./2026-12-03T13-00_change_feed.ts";
import * as sessionIdleCap from "./2026-12-04T00-00_session_idle_cap.ts";
import * as sessionMfa from "./2026-12-04T10-00_session_mfa.ts";
import * as idempotencyKeys from "./2026-12-05T00-00_idempotency_keys.ts";
import * as passwordAlone from "./2026-12-05T01-00_password_alone.ts";
import * as searchFinalSigma from "./2026-12-05T12-00_search_final_sigma.ts";
import * as roleMembersVersion from "./2026-12-05T12-10_role_members_version.ts";
import * as passwordHistoryKey from "./2026-12-06T00-00_password_history_key.ts";
import * as workspaceIdleBound from "./2026-12-06T10-00_workspace_idle_bound.ts";
import * as grantVersion from "./2026-12-06T10-10_grant_version.ts";
import * as compromisedPasswords from "./2026-12-06T18-00_compromised_passwords.ts";
import * as auditNoTruncate from "./2026-12-06T18-10_audit_no_truncate.ts";
import * as auditHeadsTenantNotNull from "./2026-12-06T23-30_audit_heads_tenant_not_null.ts";
import * as auditFilterIndexes from "./2026-12-07T10-00_audit_filter_indexes.ts";
import * as textFold from "./2026-12-07T20-00_text_fold.ts";
import * as sessionIdleRefused from "./2026-12-07T21-00_session_idle_refused.ts";
import * as auditActorLower from "./2026-12-07T21-10_audit_actor_lower.ts";

export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  "2026-11-23T00-00_initial": initial,
  "2026-11-23T01-00_user_search": userSearch,
  "2026-11-23T02-00_emergency_and_outbox": emergencyOutbox,
  "2026-11-23T03-00_password_history": passwordHistory,
  "2026-11-23T03-10_outbox_delivery": outboxDelivery,
  "2026-11-23T04-00_sessions": sessions,
  "2026-11-23T04-10_credential_tokens": credentialTokens,
  "2026-11-23T04-20_mfa": mfa,
  "2026-12-03T00-00_expiry_due": expiryDue,
  "2026-12-03T01-00_audit_purge": auditPurge,
  "2026-12-03T02-00_audit_purge_age": auditPurgeAge,
  "2026-12-03T03-00_audit_purge_skew": auditPurgeSkew,
  "2026-12-03T10-00_scim_external_ids": scimExternalIds,
  "2026-12-03T11-00_users_created_idx": usersCreatedIdx,
  "2026-12-03T12-00_audit_no_replace": auditNoReplace,
  "2026-12-03T13-00_change_feed": changeFeed,
  "2026-12-04T00-00_session_idle_cap": sessionIdleCap,
  "2026-12-04T10-00_session_mfa": sessionMfa,
  "2026-12-05T00-00_idempotency_keys": idempotencyKeys,
  "2026-12-05T01-00_password_alone": passwordAlone,
  "2026-12-05T12-00_search_final_sigma": searchFinalSigma,
  "2026-12-05T12-10_role_members_version": roleMembersVersion,
  "2026-12-06T00-00_password_history_key": passwordHistoryKey,
  "2026-12-06T10-00_workspace_idle_bound": workspaceIdleBound,
  "2026-12-06T10-10_grant_version": grantVersion,
  "2026-12-06T18-00_compromised_passwords": compromisedPasswords,
  "2026-12-06T18-10_audit_no_truncate": auditNoTruncate,
  "2026-12-06T23-30_audit_heads_tenant_not_null": auditHeadsTenantNotNull,
  "2026-12-07T10-00_audit_filter_indexes": auditFilterIndexes,
  "2026-12-07T20-00_text_fold": textFold,
  "2026-12-07T21-00_session_idle_refused": sessionIdleRefused,
  "2026-12-07T21-10_audit_actor_lower": auditActorLower,
};
