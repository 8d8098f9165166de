/**
 * One scope of the grants editor (tenant level, or one workspace row): the catalogue's categories,
 * each a checkbox over its permissions' checkboxes, with why a permission cannot be changed and the
 * API's refusal beside the permission it names.
 */
import { useEffect, useId, useRef } from "react";
import { type Analysed, type CatalogPermission, impliedBy, withTicked } from "../pages/roles/grants.ts";
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
  // A permission a ticked one implies is held with it: shown ticked and disabled, saying with what
  // (ticking ticks it too; a role saved before that may not list it).
  const implied = impliedBy(props.granted, analysed);
  const checked = (key: string) => granted.has(key) || implied.has(key);
  const set = (keys: readonly string[], on: boolean) =>
    props.onChange(withTicked(props.granted, keys, on, analysed));
  return (
    <div className="pe-categories">
      {analysed.categories.map((c) => {
        const offered = c.perms.filter((p) => !(onRow && analysed.tenantOnly.has(p.key)));
        if (offered.length === 0) return null;
        const barredByRow = (key: string) =>
          props.rowCollaborator === true && analysed.patientOrCollection.has(key);
        const blocked = (key: string) => (collaborator && analysed.forbidden.has(key)) || barredByRow(key);
        // Never an unheld one: the server refuses granting it and, since 2026-12-05, taking it away.
        const free = offered.filter((p) => !blocked(p.key) && !unheld(p.key)).map((p) => p.key);
        // Nor one a ticked permission outside the click implies: it stays ticked with that one.
        const outside = impliedBy(
          props.granted.filter((k) => !free.includes(k)),
          analysed,
        );
        const open = free.filter((k) => !outside.has(k));
        // The box tells what the category grants, not what this editor could tick: a limited
        // administrator's tick may leave greyed-out ones unticked, and that is mixed, not all.
        const ticked = offered.filter((p) => checked(p.key)).length;
        const state = ticked === 0 ? "none" : ticked === offered.length ? "all" : "some";
        // A click ticks what may be ticked; once all of that is, it takes it away (never stuck mixed).
        const fill = open.some((k) => !checked(k));
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
                checked={checked(p.key)}
                // A granted forbidden one stays clickable so it can be taken away; an unheld one
                // can be neither granted nor taken away, nor one a ticked permission implies.
                disabled={
                  props.disabled ||
                  unheld(p.key) ||
                  implied.has(p.key) ||
                  (blocked(p.key) && !granted.has(p.key))
                }
                reason={
                  collaborator && analysed.forbidden.has(p.key)
                    ? "Forbidden for collaborators"
                    : barredByRow(p.key)
                      ? "Not at tenant level while a workspace row is Collaborator"
                      : !props.disabled && unheld(p.key)
                        ? granted.has(p.key)
                          ? "You do not hold it, so you cannot take it away"
                          : "You do not hold it, so you cannot grant it"
                        : implied.has(p.key)
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
