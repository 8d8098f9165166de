/**
 * The outbox filters in their three forms: the address bar (`?state=pending&to=…`, so a filtered
 * view can be shared and reloaded), the form, and the API query.
 */
import type { Staffgate } from "@staffgate/sdk";

export type OutboxQuery = NonNullable<Parameters<Staffgate["outbox"]["list"]>[0]>;
export type OutboxMessage = Awaited<ReturnType<Staffgate["outbox"]["list"]>>["items"][number];
export type OutboxState = OutboxMessage["state"];

export interface OutboxFilters {
  /** "" is every state. */
  readonly state: OutboxState | "";
  /** A whole address, any letter case; "" is every recipient. */
  readonly to: string;
}

export const EMPTY_FILTERS: OutboxFilters = { state: "", to: "" };

export const STATE_OPTIONS: readonly { readonly value: OutboxFilters["state"]; readonly label: string }[] = [
  { value: "", label: "All" },
  { value: "sent", label: "Sent" },
  { value: "pending", label: "Waiting" },
  { value: "failing", label: "Failing" },
  { value: "given_up", label: "Given up" },
];

function isState(value: string): value is OutboxState {
  return value === "sent" || value === "pending" || value === "failing" || value === "given_up";
}

/** The filters an address holds; unknown parameters and states are ignored. */
export function filtersFromSearch(search: string): OutboxFilters {
  const params = new URLSearchParams(search);
  const state = params.get("state") ?? "";
  return { state: isState(state) ? state : "", to: params.get("to")?.trim() ?? "" };
}

/** The address of a filtered view: only the filters that are set. */
export function searchOf(filters: OutboxFilters): string {
  const params = new URLSearchParams();
  if (filters.state) params.set("state", filters.state);
  const to = filters.to.trim();
  if (to) params.set("to", to);
  const s = params.toString();
  return s ? `?${s}` : "";
}

export function apiQueryOf(filters: OutboxFilters): OutboxQuery {
  const to = filters.to.trim();
  return { ...(filters.state ? { state: filters.state } : {}), ...(to ? { to } : {}) };
}

/** True when any filter is set (the empty state then says "match these filters"). */
export function hasFilters(filters: OutboxFilters): boolean {
  return filters.state !== "" || filters.to.trim() !== "";
}
