/**
 * One setting as a labelled input (number with unit and bounds, checkbox, choice, or one of the
 * tenant's roles), its error beside it.
 */

import type { Permission } from "@staffgate/contract";
import { useId } from "react";
import { Field, NamedOptions, SelectField } from "../../components/Field.tsx";
import type { Loaded } from "../../components/useLoad.ts";
import type { Role } from "../../types.ts";
import type { SettingDef } from "./fields.ts";
import { NoteAndError } from "./NoteAndError.tsx";
import { PermissionSetInput } from "./PermissionSetInput.tsx";

/** A number's text, a checkbox, a choice's value, a role's id ("" for none), or permission keys (null: the default). */
export type Draft = string | boolean | readonly string[] | null;

export function SettingInput(props: {
  readonly def: SettingDef;
  readonly value: Draft;
  readonly error: string | undefined;
  readonly onChange: (value: Draft) => void;
  /** The tenant's formal roles, for a "role" setting. */
  readonly roles?: Loaded<readonly Role[]> | undefined;
  /** The permission catalogue, for a "permissions" setting. */
  readonly catalogue?: Loaded<readonly Permission[]> | undefined;
}) {
  const { def, value, error } = props;
  const id = useId();
  if (def.kind === "permissions") {
    return (
      <PermissionSetInput
        def={def}
        value={Array.isArray(value) ? value : null}
        error={error}
        catalogue={props.catalogue ?? { kind: "loading" }}
        onChange={props.onChange}
      />
    );
  }
  if (def.kind === "role") {
    const roles = props.roles ?? { kind: "loading" };
    const current = String(value);
    const ready = roles.kind === "ready";
    // A saved id that is not listed (its role since deleted) still shows, as what it is.
    const unlisted = current !== "" && !(ready && roles.value.some((r) => r.id === current));
    const note = def.note?.(window.location.origin);
    return (
      <SelectField
        label={def.label}
        name={def.key}
        value={current}
        disabled={!ready}
        onChange={(e) => props.onChange(e.target.value)}
        error={error}
        hint={
          roles.kind === "error"
            ? `The roles could not be loaded: ${roles.message}${note ? ` ${note}` : ""}`
            : note
        }
      >
        <NamedOptions empty={def.none} items={ready ? roles.value : null}>
          {unlisted && (
            <option value={current}>
              {roles.kind === "loading"
                ? "Loading roles…"
                : roles.kind === "error"
                  ? "A role (not loaded)"
                  : "A deleted role"}
            </option>
          )}
        </NamedOptions>
      </SelectField>
    );
  }
  if (def.kind === "number") {
    return (
      <Field
        label={`${def.label} (${def.unit})`}
        name={def.key}
        type="number"
        inputMode="numeric"
        step={1}
        min={def.min}
        max={def.max}
        value={String(value)}
        onChange={(e) => props.onChange(e.target.value)}
        error={error}
        hint={`${def.min.toLocaleString("en")}–${def.max.toLocaleString("en")} ${def.unit}.${def.note ? ` ${def.note}` : ""}`}
      />
    );
  }
  if (def.kind === "choice") {
    return (
      <SelectField
        label={def.label}
        name={def.key}
        value={String(value)}
        onChange={(e) => props.onChange(e.target.value)}
        error={error}
      >
        {def.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </SelectField>
    );
  }
  const describedBy = [def.note ? `${id}-note` : null, error ? `${id}-error` : null]
    .filter(Boolean)
    .join(" ");
  return (
    <div className="field">
      <label className="check">
        <input
          type="checkbox"
          name={def.key}
          checked={value === true}
          onChange={(e) => props.onChange(e.target.checked)}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy || undefined}
        />
        {def.label}
      </label>
      <NoteAndError id={id} label={def.label} note={def.note} error={error} />
    </div>
  );
}
