/**
 * The audit filters (W14: date range, username, action, patient, text, target, address; advanced: user ID),
 * applied with "Search" only, so a half-typed filter never fires a query; "Clear filters" goes back
 * to the whole trail. A refused search puts the focus on the first field it marks, as every form
 * does, so its reason is read out.
 */
import { type FormEvent, type InputHTMLAttributes, useId, useRef } from "react";
import { Field } from "../../components/Field.tsx";
import { FilterActions } from "../../components/FilterActions.tsx";
import { useFocusFirstInvalid } from "../../components/keepFocus.ts";
import { type FilterKey, type AuditFilterForm as Form, SUGGESTED_ACTIONS } from "./filters.ts";

export function AuditFilterForm(props: {
  readonly value: Form;
  readonly onChange: (value: Form) => void;
  readonly onSearch: () => void;
  readonly onClear: () => void;
  readonly errors: Partial<Record<FilterKey, string>>;
  /** The fields the latest search was refused for: a new object at each refusal. */
  readonly refusal: Partial<Record<FilterKey, string>>;
  readonly busy: boolean;
}) {
  const actionsId = useId();
  const { value, errors } = props;
  const form = useRef<HTMLFormElement>(null);
  useFocusFirstInvalid(form, props.refusal, Object.keys(props.refusal).length > 0);
  /** A filter's field: named by its key, showing its own error. */
  const field = (key: FilterKey, label: string, input: InputHTMLAttributes<HTMLInputElement>) => (
    <Field
      label={label}
      name={key}
      value={value[key]}
      onChange={(e) => props.onChange({ ...value, [key]: e.target.value })}
      error={errors[key]}
      {...input}
    />
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    props.onSearch();
  };
  const advancedSet = value.actorId !== "";
  return (
    <search>
      <form ref={form} className="audit-filters" onSubmit={submit} aria-label="Audit filters">
        <div className="filters">
          {field("from", "From", { type: "date" })}
          {field("to", "To", { type: "date" })}
          {/* "Username", not the API's "Actor": a label holding "to" was also found by "To". */}
          {field("actor", "Username", {
            autoComplete: "off",
            maxLength: 254,
            placeholder: "Who acted",
          })}
          {field("action", "Action", {
            autoComplete: "off",
            maxLength: 120,
            list: actionsId,
            placeholder: "e.g. user.created or user.*",
          })}
          <datalist id={actionsId}>
            {SUGGESTED_ACTIONS.map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
          {/* The inspector's question, "who accessed this patient?": exact, unlike Text. */}
          {field("patientRef", "Patient", {
            autoComplete: "off",
            maxLength: 200,
            placeholder: "Patient reference",
          })}
          {field("q", "Text", {
            type: "search",
            maxLength: 200,
            placeholder: "Action, user, target or change",
          })}
          {/* PRODUCT.md §6's filters are all in view: a hidden one cannot be typed into. */}
          {field("targetId", "Target ID", { autoComplete: "off", maxLength: 120 })}
          {field("ip", "IP address", { autoComplete: "off", maxLength: 64 })}
        </div>
        <details className="audit-advanced" open={advancedSet || undefined}>
          <summary>Advanced filters</summary>
          <div className="filters">
            {/* The person, whatever their username was then: a rename or a reused name fools Username. */}
            {field("actorId", "User ID", { autoComplete: "off", maxLength: 120, placeholder: "usr_…" })}
          </div>
        </details>
        <FilterActions className="audit-filter-actions" busy={props.busy} onClear={props.onClear} />
      </form>
    </search>
  );
}
