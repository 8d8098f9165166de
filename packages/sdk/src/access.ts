/** Decisions: check, check/batch and explain. */
import type {
  BatchCheckResult,
  CheckBody,
  CheckResult,
  EffectivePermissionsResult,
  ExplainResult,
  WhoCanBody,
  WhoCanResult,
} from "@staffgate/contract";
import { enc, type Transport } from "./http.ts";

export function accessApi(t: Transport) {
  return {
    /** May `body.userId` do `body.permission` (in this workspace, to this patient)? */
    check: (body: CheckBody) => t.request<CheckResult>("POST", "/api/v1/check", { body }),
    /** Up to 1,000 checks; the results come in the order asked. */
    checkBatch: (checks: CheckBody[]) =>
      t.request<BatchCheckResult>("POST", "/api/v1/check/batch", { body: { checks } }),
    /** The decision with every step that led to it. */
    explain: (body: CheckBody) => t.request<ExplainResult>("POST", "/api/v1/explain", { body }),
    /** What check answers "allowed" for this user: tenant level and each workspace, with collaborator marks. */
    effectivePermissions: (userId: string) =>
      t.request<EffectivePermissionsResult>("GET", `/api/v1/users/${enc(userId)}/effective-permissions`),
    /** Every active user for whom check would answer "allowed", by username then id, one page. */
    whoCan: (body: WhoCanBody) => t.request<WhoCanResult>("POST", "/api/v1/who-can", { body }),
  };
}
