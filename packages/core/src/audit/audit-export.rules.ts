/** Audit export formats: CSV safe to open in a spreadsheet, and JSON Lines (one event per line). */
import type { AuditEvent } from "@staffgate/contract";

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
] as const;

/**
 * One CSV cell (RFC 4180). A cell a spreadsheet would run as a formula (OWASP CSV injection:
 * leading = + - @, tab or CR) gets a leading apostrophe; usernames and labels are user-chosen.
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return "";
  let s = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(cells: readonly (string | number | null)[]): string {
  return `${cells.map(csvCell).join(",")}\r\n`;
}

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
  ]);
}

/** JSON escapes CR and LF, so a crafted label cannot forge a second record (ASVS 16.4.1). */
export function jsonLine(e: AuditEvent): string {
  return `${JSON.stringify(e)}\n`;
}
