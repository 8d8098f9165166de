/**
 * The audit filters (W14: date range, username, advanced filter), applied with "Search" only, so
 * a half-typed filter never fires a query; "Clear filters" goes back to the whole trail.
 */
import { type FormEvent, useId } from "react";
import { Field } from "../../components/Field.tsx";
import { type FilterKey, type AuditFilterForm as Form, SUGGESTED_ACTIONS } from "./filters.ts";

export function AuditFilterForm(props: {
  readonly value: Form;
  readonly onChange: (value: Form) => void;
  readonly onSearch: () => void;
  readonly onClear: () => void;
  readonly errors: Partial<Record<FilterKey, string>>;
  readonly busy: boolean;
}) {
  const actionsId = useId();
  const { value, errors } = props;
  const set = (key: FilterKey) => (e: { target: { value: string } }) =>
    props.onChange({ ...value, [key]: e.target.value });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    props.onSearch();
  };
  const advancedSet = value.targetId !== "" || value.ip !== "";
  return (
    <search>
      <form className="audit-filters" onSubmit={submit} aria-label="Audit filters">
        <div className="filters">
          <Field
            label="From"
            type="date"
            name="from"
            value={value.from}
            onChange={set("from")}
            error={errors.from}
          />
          <Field label="To" type="date" name="to" value={value.to} onChange={set("to")} error={errors.to} />
          <Field
            label="User"
            name="actor"
            autoComplete="off"
            maxLength={254}
            placeholder="Username of who acted"
            value={value.actor}
            onChange={set("actor")}
            error={errors.actor}
          />
          <Field
            label="Action"
            name="action"
            autoComplete="off"
            maxLength={120}
            list={actionsId}
            placeholder="e.g. user.created or user.*"
            value={value.action}
            onChange={set("action")}
            error={errors.action}
          />
          <datalist id={actionsId}>
            {SUGGESTED_ACTIONS.map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
          <Field
            label="Text"
            type="search"
            name="q"
            maxLength={200}
            placeholder="Action, user, target or change"
            value={value.q}
            onChange={set("q")}
            error={errors.q}
          />
        </div>
        <details className="audit-advanced" open={advancedSet || undefined}>
          <summary>Advanced filters</summary>
          <div className="filters">
            <Field
              label="Target ID"
              name="targetId"
              autoComplete="off"
              maxLength={120}
              value={value.targetId}
              onChange={set("targetId")}
              error={errors.targetId}
            />
            <Field
              label="IP address"
              name="ip"
              autoComplete="off"
              maxLength={64}
              value={value.ip}
              onChange={set("ip")}
              error={errors.ip}
            />
          </div>
        </details>
        <div className="audit-filter-actions">
          <button type="submit" className="primary" disabled={props.busy}>
            Search
          </button>
          <button type="button" onClick={props.onClear}>
            Clear filters
          </button>
        </div>
      </form>
    </search>
  );
}
