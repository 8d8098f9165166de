/** Audit export formats: CSV safe to open in a spreadsheet, and JSON Lines (one event per line). */
import type { AuditEvent } from "@staffgate/contract";
import { csvLine } from "../shared/csv.rules.ts";

export type AuditExportFormat = "csv" | "jsonl";

export const CSV_COLUMNS = [
  "seq",
  "at",
  "actorType",
  "actorId",
  "actorUsername",
  "action",
  "targetType",
  "targetId",
  "targetLabel",
  "changes",
  "ip",
  "userAgent",
  "requestId",
  "outcome",
  "hash",
  // Last, so the columns before it keep their places for readers written before it.
  "tenantId",
] as const;

export function csvHeader(): string {
  return csvLine(CSV_COLUMNS);
}

export function csvRow(e: AuditEvent): string {
  return csvLine([
    e.seq,
    e.at,
    e.actor.type,
    e.actor.id,
    e.actor.username,
    e.action,
    e.target?.type ?? null,
    e.target?.id ?? null,
    e.target?.label ?? null,
    e.changes ? JSON.stringify(e.changes) : null,
    e.ip,
    e.userAgent,
    e.requestId,
    e.outcome,
    e.hash,
    e.tenantId,
  ]);
}

/** JSON escapes CR and LF, so a crafted label cannot forge a second record (ASVS 16.4.1). */
export function jsonLine(e: AuditEvent): string {
  return `${JSON.stringify(e)}\n`;
}
