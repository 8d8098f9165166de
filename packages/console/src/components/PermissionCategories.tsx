/**
 * One scope of the grants editor (tenant level, or one workspace row): the catalogue's categories,
 * each a checkbox over its permissions' checkboxes, with why a permission cannot be changed and the
 * API's refusal beside the permission it names.
 */
import { useEffect, useId, useRef } from "react";
import type { Analysed, CatalogPermission } from "../pages/roles/grants.ts";
import type { Holds } from "../pages/roles/unheld.ts";

export function Messages({ list }: { list: readonly string[] | undefined }) {
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
export function Categories(props: {
  analysed: Analysed;
  scope: string;
  granted: readonly string[];
  collaborator: boolean;
  /** At tenant level: a workspace row is collaborator, which bars patient and collection permissions here. */
  rowCollaborator?: boolean;
  disabled: boolean;
  errors: Readonly<Record<string, string>> | undefined;
  holds: Holds | undefined;
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
        // Never an unheld one: the server refuses granting it and, since 2026-12-05, taking it away.
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
                // A granted forbidden one stays clickable so it can be taken away; an unheld one
                // can be neither granted nor taken away.
                disabled={props.disabled || unheld(p.key) || (blocked(p.key) && !granted.has(p.key))}
                reason={
                  collaborator && analysed.forbidden.has(p.key)
                    ? "Forbidden for collaborators"
                    : barredByRow(p.key)
                      ? "Not at tenant level while a workspace row is Collaborator"
                      : !props.disabled && unheld(p.key)
                        ? granted.has(p.key)
                          ? "You do not hold it, so you cannot take it away"
                          : "You do not hold it, so you cannot grant it"
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
