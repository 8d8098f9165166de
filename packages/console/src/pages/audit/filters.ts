/**
 * The audit filters in their three forms: the address bar (`?from=2025-01-31&actor=…`, so a
 * filtered view can be shared and reloaded), the form, and the API query. Dates are whole days in
 * the viewer's time zone; the API gets the instants that bound them.
 */
import type { Staffgate } from "@staffgate/sdk";

export type AuditQuery = NonNullable<Parameters<Staffgate["audit"]["list"]>[0]>;
export type AuditEvent = Awaited<ReturnType<Staffgate["audit"]["list"]>>["items"][number];

export const FILTER_KEYS = [
  "from",
  "to",
  "actor",
  "action",
  "patientRef",
  "q",
  "actorId",
  "targetId",
  "ip",
] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];
export type AuditFilterForm = Record<FilterKey, string>;

export const EMPTY_FILTERS: AuditFilterForm = {
  from: "",
  to: "",
  actor: "",
  action: "",
  patientRef: "",
  q: "",
  actorId: "",
  targetId: "",
  ip: "",
};

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The filters an address holds; unknown parameters are ignored, malformed dates dropped. */
export function filtersFromSearch(search: string): AuditFilterForm {
  const params = new URLSearchParams(search);
  const out: AuditFilterForm = { ...EMPTY_FILTERS };
  for (const key of FILTER_KEYS) {
    const v = params.get(key)?.trim() ?? "";
    out[key] = (key === "from" || key === "to") && !DAY.test(v) ? "" : v;
  }
  return out;
}

/** The address of a filtered view: only the filters that are set, in a stable order. */
export function searchOf(filters: AuditFilterForm): string {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const v = filters[key].trim();
    if (v) params.set(key, v);
  }
  const s = params.toString();
  return s ? `?${s}` : "";
}

/** The `YYYY-MM-DD` day, in the viewer's time zone, that holds an instant (the form's From and To). */
export function dayOf(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Local midnight of a `YYYY-MM-DD` day, plus `days`, as an instant. */
function localDay(day: string, days = 0): Date | null {
  const m = DAY.exec(day);
  if (!m) return null;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + days);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** The API query of a filter form: `to` includes its whole day. */
export function apiQueryOf(filters: AuditFilterForm): AuditQuery {
  const q: AuditQuery = {};
  const from = localDay(filters.from);
  if (from) q.from = from.toISOString();
  const toNext = localDay(filters.to, 1);
  if (toNext) q.to = new Date(toNext.getTime() - 1).toISOString();
  for (const key of ["actor", "action", "patientRef", "q", "actorId", "targetId", "ip"] as const) {
    const v = filters[key].trim();
    if (v) q[key] = v;
  }
  return q;
}

/** A form error the browser can show before asking (the API checks the same). */
export function formErrors(filters: AuditFilterForm): Partial<Record<FilterKey, string>> {
  if (filters.from && filters.to && filters.from > filters.to) {
    return { to: "must be on or after the From date" };
  }
  return {};
}

/** The API's field errors on the query (`query.from`) by form field. */
export function queryFieldErrors(errors: Record<string, string>): Partial<Record<FilterKey, string>> {
  const out: Partial<Record<FilterKey, string>> = {};
  for (const key of FILTER_KEYS) {
    const e = errors[`query.${key}`];
    if (e) out[key] = e;
  }
  return out;
}

/** True when any filter is set (the empty state then says "match these filters"). */
export function hasFilters(filters: AuditFilterForm): boolean {
  return FILTER_KEYS.some((k) => filters[k].trim() !== "");
}

/** Actions suggested in the Action field; the field also takes any exact action or `prefix.*`. */
export const SUGGESTED_ACTIONS: readonly string[] = [
  "auth.*",
  "auth.login.succeeded",
  "auth.login.failed",
  "auth.locked",
  "auth.password.changed",
  "user.*",
  "user.created",
  "user.updated",
  "user.archived",
  "user.permissions_changed",
  "role.*",
  "workspace.*",
  "patient_access.*",
  "emergency_access.*",
  "access.decision",
  "access.who_can",
  "access.effective_permissions",
  "settings.updated",
  "tenant.updated",
  "api_token.*",
  "audit.exported",
];
