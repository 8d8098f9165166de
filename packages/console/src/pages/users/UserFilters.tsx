/** The users list's search and filters (PRODUCT.md §2 "Lists"); status is Active by default. */
import { Field, NamedOptions, SelectField } from "../../components/Field.tsx";
import type { UserStatusFilter } from "../../types.ts";
import { byName, type UserOptions } from "./options.ts";

type YesNo = "" | "yes" | "no";

export interface UserFilterValues {
  readonly q: string;
  readonly status: UserStatusFilter;
  readonly roleId: string;
  readonly workspaceId: string;
  readonly workRole: string;
  readonly virtual: YesNo;
  readonly locked: YesNo;
}

export const DEFAULT_FILTERS: UserFilterValues = {
  q: "",
  status: "active",
  roleId: "",
  workspaceId: "",
  workRole: "",
  virtual: "",
  locked: "",
};

const STATUSES: readonly { value: UserStatusFilter; label: string }[] = [
  { value: "active", label: "Active" },
  { value: "inactive", label: "Inactive" },
  { value: "invited", label: "Invited" },
  { value: "archived", label: "Archived" },
  { value: "all", label: "All" },
];

/** The list query of these filters; `q` is the search as settled after typing pauses. */
export function listQuery(f: UserFilterValues, q: string) {
  return {
    status: f.status,
    ...(q ? { q } : {}),
    ...(f.roleId ? { roleId: f.roleId } : {}),
    ...(f.workspaceId ? { workspaceId: f.workspaceId } : {}),
    ...(f.workRole ? { workRole: f.workRole } : {}),
    ...(f.virtual ? { virtual: f.virtual === "yes" } : {}),
    ...(f.locked ? { locked: f.locked === "yes" } : {}),
  };
}

export function UserFilters(props: {
  readonly value: UserFilterValues;
  readonly onChange: (value: UserFilterValues) => void;
  readonly options: UserOptions | null;
}) {
  const f = props.value;
  const set = <K extends keyof UserFilterValues>(key: K, v: UserFilterValues[K]) =>
    props.onChange({ ...f, [key]: v });
  const changed = (Object.keys(f) as (keyof UserFilterValues)[]).some((k) => f[k] !== DEFAULT_FILTERS[k]);
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
      {changed && (
        <button type="button" className="clear-filters" onClick={() => props.onChange(DEFAULT_FILTERS)}>
          Clear filters
        </button>
      )}
    </search>
  );
}
