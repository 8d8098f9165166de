/**
 * A setting that is a set of the catalogue's permissions, or null for the default (all of those
 * the setting admits): one checkbox for the default and, once it is unticked, one per permission.
 */
import type { Permission } from "@staffgate/contract";
import { useId } from "react";
import type { Loaded } from "../../components/useLoad.ts";
import type { SettingDef } from "./fields.ts";
import { NoteAndError } from "./NoteAndError.tsx";

export function PermissionSetInput(props: {
  readonly def: Extract<SettingDef, { kind: "permissions" }>;
  /** null: the default set. */
  readonly value: readonly string[] | null;
  readonly error: string | undefined;
  readonly catalogue: Loaded<readonly Permission[]>;
  readonly onChange: (value: readonly string[] | null) => void;
}) {
  const { def, value, error, catalogue } = props;
  const id = useId();
  const choices = catalogue.kind === "ready" ? catalogue.value.filter(def.among) : [];
  const chosen = new Set(value ?? []);
  const toggle = (key: string, on: boolean) => {
    const next = new Set(chosen);
    if (on) next.add(key);
    else next.delete(key);
    props.onChange([...next].sort());
  };
  const describedBy = [def.note ? `${id}-note` : null, error ? `${id}-error` : null]
    .filter(Boolean)
    .join(" ");
  return (
    <fieldset className="field permission-set" aria-describedby={describedBy || undefined}>
      <legend>{def.label}</legend>
      <label className="check">
        <input
          type="checkbox"
          checked={value === null}
          disabled={catalogue.kind !== "ready"}
          // Unticking the default starts from all it stood for, so nothing is lost by accident.
          onChange={(e) => props.onChange(e.target.checked ? null : choices.map((p) => p.key).sort())}
        />
        {def.all}
      </label>
      {value !== null &&
        choices.map((p) => (
          <label className="check" key={p.key}>
            <input
              type="checkbox"
              name={def.key}
              value={p.key}
              checked={chosen.has(p.key)}
              onChange={(e) => toggle(p.key, e.target.checked)}
              aria-invalid={error ? true : undefined}
            />
            {p.label} <span className="muted">({p.key})</span>
          </label>
        ))}
      {catalogue.kind === "error" && (
        <span className="field-error">The permissions could not be loaded: {catalogue.message}</span>
      )}
      <NoteAndError id={id} label={def.label} note={def.note} error={error} />
    </fieldset>
  );
}
