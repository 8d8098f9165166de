/**
 * The users list's search, filters and sort (PRODUCT.md §2 "Lists"), kept in the address
 * (`/users?status=all&sort=-lastLoginAt`) so a view can be shared and reloaded. By default the list
 * shows everyone not switched off or archived (active and invited: a user just invited is there),
 * with "Show inactive" to add the deactivated (PRODUCT.md §2, ProKnow's filter), sorted by Name; the
 * address holds only what differs from that.
 */
import { Field, NamedOptions, SelectField } from "../../components/Field.tsx";
import type { UserStatusFilter } from "../../types.ts";
import { byName, type UserOptions } from "./options.ts";

type YesNo = "" | "yes" | "no";

/** The columns the list sorts by; a leading `-` sorts descending. */
export const SORT_KEYS = ["name", "username", "email", "createdAt", "lastLoginAt"] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type UserSort = SortKey | `-${SortKey}`;

export interface UserFilterValues {
  readonly q: string;
  readonly status: UserStatusFilter;
  /** "yes" adds inactive users to the default view ("Show inactive"). */
  readonly showInactive: YesNo;
  readonly roleId: string;
  readonly workspaceId: string;
  readonly workRole: string;
  readonly virtual: YesNo;
  readonly locked: YesNo;
  /** A `YYYY-MM-DD` day: users whose last sign-in was before it began (or who never signed in). */
  readonly lastLoginBefore: string;
  readonly sort: UserSort;
}

export const DEFAULT_FILTERS: UserFilterValues = {
  q: "",
  status: "current",
  showInactive: "",
  roleId: "",
  workspaceId: "",
  workRole: "",
  virtual: "",
  locked: "",
  lastLoginBefore: "",
  sort: "name",
};

const STATUSES: readonly { value: UserStatusFilter; label: string }[] = [
  { value: "current", label: "Active and invited" },
  { value: "active", label: "Active" },
  { value: "inactive", label: "Inactive" },
  { value: "invited", label: "Invited" },
  { value: "archived", label: "Archived" },
  { value: "all", label: "All" },
];

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const KEYS = Object.keys(DEFAULT_FILTERS) as (keyof UserFilterValues)[];

const isSort = (s: string): s is UserSort => (SORT_KEYS as readonly string[]).includes(s.replace(/^-/, ""));
const yesNo = (s: string): YesNo => (s === "yes" || s === "no" ? s : "");

/** The filters an address holds; unknown parameters and values are ignored. */
export function filtersFromSearch(search: string): UserFilterValues {
  const params = new URLSearchParams(search);
  const get = (key: keyof UserFilterValues) => params.get(key)?.trim() ?? "";
  const status = get("status");
  const sort = get("sort");
  const day = get("lastLoginBefore");
  return {
    // The search as typed: trimming it here would eat the space a person is typing.
    q: params.get("q") ?? "",
    status: STATUSES.some((s) => s.value === status) ? (status as UserStatusFilter) : "current",
    showInactive: get("showInactive") === "yes" ? "yes" : "",
    roleId: get("roleId"),
    workspaceId: get("workspaceId"),
    workRole: get("workRole"),
    virtual: yesNo(get("virtual")),
    locked: yesNo(get("locked")),
    lastLoginBefore: DAY.test(day) && localDay(day) ? day : "",
    sort: isSort(sort) ? sort : "name",
  };
}

/** The address of a view: only what differs from the defaults, in a stable order. */
export function searchOf(f: UserFilterValues): string {
  const params = new URLSearchParams();
  for (const key of KEYS) {
    const v = key === "q" ? (f.q.trim() ? f.q : "") : f[key].trim();
    if (v !== DEFAULT_FILTERS[key]) params.set(key, v);
  }
  const s = params.toString();
  return s ? `?${s}` : "";
}

/** Local midnight of a `YYYY-MM-DD` day, as an instant. */
function localDay(day: string): Date | null {
  const m = DAY.exec(day);
  if (!m) return null;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return Number.isNaN(d.getTime()) ? null : d;
}

/** The API's `status` of a view: the default view names its statuses, with "Show inactive" one more. */
function statusQuery(f: UserFilterValues) {
  if (f.status !== "current") return f.status;
  return f.showInactive === "yes" ? ("active,invited,inactive" as const) : ("active,invited" as const);
}

/** The export's query of these filters (every page, so no sort). */
export function exportQuery(f: UserFilterValues) {
  const q = f.q.trim();
  const before = localDay(f.lastLoginBefore);
  return {
    status: statusQuery(f),
    ...(q ? { q } : {}),
    ...(f.roleId ? { roleId: f.roleId } : {}),
    ...(f.workspaceId ? { workspaceId: f.workspaceId } : {}),
    ...(f.workRole ? { workRole: f.workRole } : {}),
    ...(f.virtual ? { virtual: f.virtual === "yes" } : {}),
    ...(f.locked ? { locked: f.locked === "yes" } : {}),
    ...(before ? { lastLoginBefore: before.toISOString() } : {}),
  };
}

/** The list's query of these filters and sort. */
export function listQuery(f: UserFilterValues) {
  return { ...exportQuery(f), sort: f.sort };
}

/** True when a filter differs from its default (the sort is not a filter). */
export function hasFilters(f: UserFilterValues): boolean {
  return KEYS.some((k) => k !== "sort" && f[k] !== DEFAULT_FILTERS[k]);
}

export function UserFilters(props: {
  readonly value: UserFilterValues;
  readonly onChange: (value: UserFilterValues) => void;
  readonly options: UserOptions | null;
}) {
  const f = props.value;
  const set = <K extends keyof UserFilterValues>(key: K, v: UserFilterValues[K]) =>
    props.onChange({ ...f, [key]: v });
  return (
    <search className="filters users-filters">
      <Field
        label="Search users"
        type="search"
        name="q"
        placeholder="Name, username, email or employee number"
        value={f.q}
        onChange={(e) => set("q", e.target.value)}
      />
      <SelectField
        label="Status"
        value={f.status}
        onChange={(e) => set("status", e.target.value as UserStatusFilter)}
      >
        {STATUSES.map((s) => (
          <option key={s.value} value={s.value}>
            {s.label}
          </option>
        ))}
      </SelectField>
      {f.status === "current" && (
        <label className="check users-show-inactive">
          <input
            type="checkbox"
            checked={f.showInactive === "yes"}
            onChange={(e) => set("showInactive", e.target.checked ? "yes" : "")}
          />
          Show Inactive
        </label>
      )}
      <SelectField label="Role" value={f.roleId} onChange={(e) => set("roleId", e.target.value)}>
        <NamedOptions empty="Any role" items={props.options?.roles} />
      </SelectField>
      <SelectField
        label="Workspace"
        value={f.workspaceId}
        onChange={(e) => set("workspaceId", e.target.value)}
      >
        <NamedOptions empty="Any workspace" items={props.options?.workspaces} />
      </SelectField>
      <SelectField label="Work role" value={f.workRole} onChange={(e) => set("workRole", e.target.value)}>
        <NamedOptions empty="Any work role" items={props.options?.workRoles.map(byName)} />
      </SelectField>
      <SelectField
        label="Virtual"
        value={f.virtual}
        onChange={(e) => set("virtual", e.target.value as YesNo)}
      >
        <option value="">Any</option>
        <option value="yes">Virtual only</option>
        <option value="no">Not virtual</option>
      </SelectField>
      <SelectField label="Locked" value={f.locked} onChange={(e) => set("locked", e.target.value as YesNo)}>
        <option value="">Any</option>
        <option value="yes">Locked only</option>
        <option value="no">Not locked</option>
      </SelectField>
      <Field
        label="Last sign-in before"
        type="date"
        name="lastLoginBefore"
        value={f.lastLoginBefore}
        onChange={(e) => set("lastLoginBefore", e.target.value)}
        hint="Never signed in counts too."
      />
      {hasFilters(f) && (
        <button
          type="button"
          className="clear-filters"
          onClick={() => props.onChange({ ...DEFAULT_FILTERS, sort: f.sort })}
        >
          Clear filters
        </button>
      )}
    </search>
  );
}
