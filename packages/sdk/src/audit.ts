/** The audit trail: query, export and verify (needs `audit.view`); purge (needs `settings.manage`). */
import type { AuditEvent, AuditPurgeRequest, AuditPurgeResponse } from "@staffgate/contract";
import type { Transport } from "./http.ts";
import type { Page } from "./workspaces.ts";

export interface AuditFilters {
  /** ISO-8601 instants, inclusive. */
  from?: string;
  to?: string;
  /** The acting user's username at the time of each event, case-insensitive (not their later names). */
  actor?: string;
  /** The acting user's id, exactly: their events before and after a rename, and no one else's. */
  actorId?: string;
  /** An exact action, or a prefix ending in `.*` such as `user.*`. */
  action?: string;
  targetId?: string;
  /** The events about this patient, exactly (grants, recorded decisions, who-can, elevations). */
  patientRef?: string;
  ip?: string;
  /** Text searched in the action, actor, target label and changes. */
  q?: string;
}

export function auditApi(t: Transport) {
  return {
    /** Newest first; pass `nextCursor` back as `cursor` for the next page. */
    list: (query: AuditFilters & { limit?: number; cursor?: string } = {}) =>
      t.request<Page<AuditEvent>>("GET", "/api/v1/audit", { query: { ...query } }),
    verify: () =>
      t.request<{ ok: boolean; checked: number; firstBrokenSeq: number | null }>(
        "GET",
        "/api/v1/audit/verify",
      ),
    /** The whole export as text (CSV with a header row, or JSON Lines); the export is itself audited. */
    async export(query: AuditFilters & { format?: "csv" | "jsonl" } = {}): Promise<string> {
      return t.text("GET", "/api/v1/audit/export", { query: { ...query } });
    },
    /** Deletes the events older than `before` (default: the retention horizon); needs `settings.manage`. */
    purge: (body: AuditPurgeRequest = {}) =>
      t.request<AuditPurgeResponse>("POST", "/api/v1/audit/purge", { body }),
  };
}
