/**
 * The grants editor of a role (and of one user's private role): checkboxes grouped by catalogue
 * category at tenant level, and one row of checkboxes per chosen workspace. A category checkbox
 * ticks or unticks those of its permissions that may be ticked; it is checked only when every
 * permission of the category is ticked, mixed when some are. It offers only what the API can
 * store: tenant-only permissions never on workspace rows, and nothing a collaborator is
 * forbidden where collaborator is set (setting it takes those away: grants.ts). Given
 * `holds`, it offers only what the editor may grant: a permission the editor does not hold is
 * disabled with the reason (no privilege escalation), unless granted already, so it can be taken away.
 */
import { useEffect, useId, useMemo, useRef, useState } from "react";
import {
  type Analysed,
  analyse,
  type CatalogPermission,
  type GrantErrors,
  type GrantRow,
  type Grants,
  type WorkspaceOption,
  withRowCollaborator,
} from "../pages/roles/grants.ts";
import { NamedOptions, SelectField } from "./Field.tsx";

export type { CatalogPermission, GrantErrors, Grants, WorkspaceOption };

export function PermissionEditor(props: {
  readonly catalog: readonly CatalogPermission[];
  readonly workspaces: readonly WorkspaceOption[];
  readonly value: Grants;
  readonly onChange: (next: Grants) => void;
  readonly disabled?: boolean;
  readonly errors?: GrantErrors;
  /**
   * Whether the editor holds a permission (so may grant it) at tenant level, or in a workspace row's
   * workspace (as a collaborator there, for a collaborator row); absent: everything is offered.
   */
  readonly holds?: (key: string, workspaceId?: string, collaborator?: boolean) => boolean;
}) {
  const { value, onChange, disabled = false, errors = {}, holds } = props;
  const a = useMemo(() => analyse(props.catalog), [props.catalog]);
  const [adding, setAdding] = useState("");
  const base = useId();
  // A button that removes itself (Remove, the last Add) must not drop keyboard focus on the page.
  const focusSoon = (id: string) => requestAnimationFrame(() => document.getElementById(id)?.focus());
  const names = new Map(props.workspaces.map((w) => [w.id, w.name]));
  const free = props.workspaces.filter((w) => !value.workspaces.some((r) => r.workspaceId === w.id));
  const rowCollaborator = value.workspaces.some((r) => r.collaborator);
  const setRow = (id: string, change: (row: GrantRow) => GrantRow) =>
    onChange({ ...value, workspaces: value.workspaces.map((r) => (r.workspaceId === id ? change(r) : r)) });

  return (
    <div className="pe">
      <fieldset className="pe-scope">
        <legend>Organization permissions (tenant level)</legend>
        <p className="hint">Granted here, a permission applies in every workspace.</p>
        {!disabled && holds && props.catalog.some((p) => !holds(p.key)) && (
          <p className="hint">
            You can grant only permissions you hold yourself: the others are greyed out, here and on workspace
            rows.
          </p>
        )}
        <Messages list={errors.tenant} />
        {rowCollaborator && (
          <p className="hint">
            A workspace row is Collaborator, so patient and collection permissions are not granted here.
          </p>
        )}
        <Categories
          analysed={a}
          scope="tenant"
          granted={value.permissions}
          collaborator={value.collaborator}
          rowCollaborator={rowCollaborator}
          disabled={disabled}
          errors={errors.perm}
          holds={holds}
          onChange={(permissions) => onChange({ ...value, permissions })}
        />
      </fieldset>

      <fieldset className="pe-scope">
        <legend>Workspace permissions</legend>
        <p className="hint">A row grants its permissions in that workspace only.</p>
        <Messages list={errors.rows} />
        {value.collaborator && (
          <p className="hint">A collaborator role (at tenant level) has no workspace rows.</p>
        )}
        {value.workspaces.map((row) => {
          const name = names.get(row.workspaceId) ?? row.workspaceId;
          return (
            <fieldset key={row.workspaceId} className="pe-row">
              <legend>{name}</legend>
              <div className="pe-row-head">
                <label className="check">
                  <input
                    id={`${base}-row-${row.workspaceId}`}
                    type="checkbox"
                    checked={row.collaborator}
                    disabled={disabled}
                    onChange={(e) =>
                      onChange(withRowCollaborator(value, row.workspaceId, e.target.checked, a))
                    }
                  />
                  Collaborator in this workspace
                </label>
                {!disabled && (
                  <button
                    type="button"
                    className="pe-remove"
                    onClick={() => {
                      onChange({
                        ...value,
                        workspaces: value.workspaces.filter((r) => r.workspaceId !== row.workspaceId),
                      });
                      focusSoon(`${base}-add`);
                    }}
                  >
                    Remove<span className="visually-hidden"> {name}</span>
                  </button>
                )}
              </div>
              <Messages list={errors.row?.[row.workspaceId]} />
              <Categories
                analysed={a}
                scope={row.workspaceId}
                granted={row.permissions}
                collaborator={row.collaborator}
                disabled={disabled}
                errors={errors.perm}
                holds={holds}
                onChange={(permissions) => setRow(row.workspaceId, (r) => ({ ...r, permissions }))}
              />
            </fieldset>
          );
        })}
        {value.workspaces.length === 0 && <p className="empty">No workspace rows.</p>}
        {!disabled && props.workspaces.length === 0 && (
          <p className="hint">There are no workspaces yet; create them on the Workspaces page.</p>
        )}
        {!disabled && free.length > 0 && (
          <div className="pe-add">
            <SelectField
              id={`${base}-add`}
              label="Workspace"
              value={adding}
              onChange={(e) => setAdding(e.target.value)}
            >
              <NamedOptions empty="Choose a workspace" items={free} />
            </SelectField>
            <button
              type="button"
              disabled={!adding || value.collaborator}
              onClick={() => {
                onChange({
                  ...value,
                  workspaces: [
                    ...value.workspaces,
                    { workspaceId: adding, permissions: [], collaborator: false },
                  ],
                });
                focusSoon(`${base}-row-${adding}`);
                setAdding("");
              }}
            >
              Add
            </button>
          </div>
        )}
      </fieldset>
    </div>
  );
}

function Messages({ list }: { list: readonly string[] | undefined }) {
  if (!list || list.length === 0) return null;
  return (
    <div className="field-error pe-messages">
      {list.map((m) => (
        <p key={m}>{m}</p>
      ))}
    </div>
  );
}

/** One scope's checkboxes: tenant level, or one workspace row (`scope` = its workspace id). */
function Categories(props: {
  analysed: Analysed;
  scope: string;
  granted: readonly string[];
  collaborator: boolean;
  /** At tenant level: a workspace row is collaborator, which bars patient and collection permissions here. */
  rowCollaborator?: boolean;
  disabled: boolean;
  errors: Readonly<Record<string, string>> | undefined;
  holds: ((key: string, workspaceId?: string, collaborator?: boolean) => boolean) | undefined;
  onChange: (permissions: string[]) => void;
}) {
  const { analysed, scope, collaborator } = props;
  const granted = new Set(props.granted);
  const onRow = scope !== "tenant";
  // A workspace row's permission is judged by what the editor holds in that workspace.
  const unheld = (key: string) =>
    props.holds !== undefined && !(onRow ? props.holds(key, scope, collaborator) : props.holds(key));
  // An unticked permission that a ticked one implies is held all the same: say so.
  const implied = new Map<string, string>();
  for (const k of granted) {
    for (const q of analysed.closure.get(k) ?? []) {
      if (q.key !== k && !implied.has(q.key)) implied.set(q.key, analysed.label.get(k) ?? k);
    }
  }
  const set = (keys: readonly string[], on: boolean) => {
    const next = new Set(granted);
    for (const k of keys) {
      if (on) next.add(k);
      else next.delete(k);
    }
    props.onChange([...next]);
  };
  return (
    <div className="pe-categories">
      {analysed.categories.map((c) => {
        const offered = c.perms.filter((p) => !(onRow && analysed.tenantOnly.has(p.key)));
        if (offered.length === 0) return null;
        const barredByRow = (key: string) =>
          props.rowCollaborator === true && analysed.patientOrCollection.has(key);
        const blocked = (key: string) => (collaborator && analysed.forbidden.has(key)) || barredByRow(key);
        const open = offered.filter((p) => !blocked(p.key) && !unheld(p.key)).map((p) => p.key);
        // The box tells what the category grants, not what this editor could tick: a limited
        // administrator's tick may leave greyed-out ones unticked, and that is mixed, not all.
        const ticked = offered.filter((p) => granted.has(p.key)).length;
        const state = ticked === 0 ? "none" : ticked === offered.length ? "all" : "some";
        // A click ticks what may be ticked; once all of that is, it takes it away (never stuck mixed).
        const fill = open.some((k) => !granted.has(k));
        return (
          <fieldset key={c.name} className="pe-category">
            <legend>
              <CategoryBox
                label={c.name}
                state={state}
                disabled={props.disabled || open.length === 0}
                onToggle={() => set(open, fill)}
              />
            </legend>
            {offered.map((p) => (
              <PermissionBox
                key={p.key}
                permission={p}
                checked={granted.has(p.key)}
                // A granted forbidden (or unheld) one stays clickable so it can be taken away.
                disabled={props.disabled || ((blocked(p.key) || unheld(p.key)) && !granted.has(p.key))}
                reason={
                  collaborator && analysed.forbidden.has(p.key)
                    ? "Forbidden for collaborators"
                    : barredByRow(p.key)
                      ? "Not at tenant level while a workspace row is Collaborator"
                      : !props.disabled && unheld(p.key)
                        ? "You do not hold it, so you cannot grant it"
                        : !granted.has(p.key) && implied.has(p.key)
                          ? `Included with “${implied.get(p.key)}”`
                          : undefined
                }
                error={props.errors?.[`${scope} ${p.key}`]}
                onChange={(on) => set([p.key], on)}
              />
            ))}
          </fieldset>
        );
      })}
    </div>
  );
}

function CategoryBox(props: {
  label: string;
  state: "none" | "some" | "all";
  disabled: boolean;
  /** Ticks or unticks: the caller knows which, as the box's own checked state cannot say when mixed. */
  onToggle: () => void;
}) {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = props.state === "some";
  }, [props.state]);
  return (
    <label className="check pe-category-name">
      <input
        ref={ref}
        type="checkbox"
        checked={props.state === "all"}
        disabled={props.disabled}
        onChange={props.onToggle}
      />
      {props.label}
    </label>
  );
}

function PermissionBox(props: {
  permission: CatalogPermission;
  checked: boolean;
  disabled: boolean;
  reason: string | undefined;
  error: string | undefined;
  onChange: (on: boolean) => void;
}) {
  const id = useId();
  const notes = [props.reason ? `${id}-reason` : null, props.error ? `${id}-error` : null].filter(Boolean);
  return (
    <div className="pe-permission">
      <label className="check" title={props.permission.description || undefined}>
        <input
          type="checkbox"
          checked={props.checked}
          disabled={props.disabled}
          aria-invalid={props.error ? true : undefined}
          aria-describedby={notes.join(" ") || undefined}
          onChange={(e) => props.onChange(e.target.checked)}
        />
        {props.permission.label}
      </label>
      {props.reason && (
        <span id={`${id}-reason`} className="hint">
          {props.reason}
        </span>
      )}
      {props.error && (
        <span id={`${id}-error`} className="field-error">
          {props.error}
        </span>
      )}
    </div>
  );
}
