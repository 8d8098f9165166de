/** How an audit event reads in the console: words for codes, values as plain text. */

import { formatDateTime } from "../../dates.ts";
import type { AuditEvent } from "./filters.ts";

export const OUTCOME_LABEL: Readonly<Record<AuditEvent["outcome"], string>> = {
  success: "Success",
  failure: "Failure",
  denied: "Denied",
};

const ACTOR_TYPE_LABEL: Readonly<Record<string, string>> = {
  user: "User",
  api_token: "API token",
  operator: "Operator",
  system: "System",
  anonymous: "Anonymous",
};

export function actorTypeLabel(type: string): string {
  return ACTOR_TYPE_LABEL[type] ?? type;
}

/** Who did it, as one line: the username, else what kind of actor it was. */
export function actorLabel(e: AuditEvent): string {
  return e.actor.username ?? actorTypeLabel(e.actor.type);
}

export function targetLabel(e: AuditEvent): string {
  if (!e.target) return "";
  return e.target.label ?? e.target.id ?? e.target.type ?? "";
}

/** Break-glass events (opening, ending, reviewing) and decisions an elevation allowed (K-3). */
export function isEmergency(e: AuditEvent): boolean {
  if (e.action.startsWith("emergency_access.")) return true;
  const via = e.changes?.viaEmergency;
  return via !== undefined && (via.after ?? via.before) != null;
}

/** The viewer's local time, with the UTC instant kept for the detail view. */
export function localTime(iso: string): string {
  return formatDateTime(iso, { seconds: true });
}

/** `YYYY-MM-DD` of today in the viewer's time zone, for export file names. */
export function today(): string {
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
