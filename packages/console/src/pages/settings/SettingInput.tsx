/** One setting as a labelled input (number with unit and bounds, checkbox, or choice), its error beside it. */
import { useId } from "react";
import { Field, SelectField } from "../../components/Field.tsx";
import type { SettingDef } from "./fields.ts";

export type Draft = string | boolean;

export function SettingInput(props: {
  readonly def: SettingDef;
  readonly value: Draft;
  readonly error: string | undefined;
  readonly onChange: (value: Draft) => void;
}) {
  const { def, value, error } = props;
  const id = useId();
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
        />{" "}
        {def.label}
      </label>
      {def.note && (
        <span id={`${id}-note`} className="hint">
          {def.note}
        </span>
      )}
      {error && (
        <span id={`${id}-error`} className="field-error">
          {error}
        </span>
      )}
    </div>
  );
}
