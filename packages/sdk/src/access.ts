/** Decisions: check, check/batch and explain. */
import type { BatchCheckResult, CheckBody, CheckResult, ExplainResult } from "@staffgate/contract";
import type { Transport } from "./http.ts";

export function accessApi(t: Transport) {
  return {
    /** May `body.userId` do `body.permission` (in this workspace, to this patient)? */
    check: (body: CheckBody) => t.request<CheckResult>("POST", "/api/v1/check", { body }),
    /** Up to 1,000 checks; the results come in the order asked. */
    checkBatch: (checks: CheckBody[]) =>
      t.request<BatchCheckResult>("POST", "/api/v1/check/batch", { body: { checks } }),
    /** The decision with every step that led to it. */
    explain: (body: CheckBody) => t.request<ExplainResult>("POST", "/api/v1/explain", { body }),
  };
}
