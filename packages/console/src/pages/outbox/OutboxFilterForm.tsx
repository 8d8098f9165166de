/**
 * The outbox filters: delivery state and recipient, applied with "Search" only (a half-typed
 * address never fires a query); "Clear filters" goes back to every email.
 */
import type { FormEvent } from "react";
import { Field, SelectField } from "../../components/Field.tsx";
import { FilterActions } from "../../components/FilterActions.tsx";
import { type OutboxFilters, STATE_OPTIONS } from "./filters.ts";

export function OutboxFilterForm(props: {
  readonly value: OutboxFilters;
  readonly onChange: (value: OutboxFilters) => void;
  readonly onSearch: () => void;
  readonly onClear: () => void;
  readonly busy: boolean;
}) {
  const { value } = props;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    props.onSearch();
  };
  return (
    <search>
      <form className="outbox-filters" onSubmit={submit} aria-label="Outbox filters" noValidate>
        <div className="filters">
          <SelectField
            label="State"
            name="state"
            value={value.state}
            onChange={(e) => props.onChange({ ...value, state: e.target.value as OutboxFilters["state"] })}
          >
            {STATE_OPTIONS.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </SelectField>
          <Field
            label="Recipient"
            name="to"
            type="search"
            value={value.to}
            onChange={(e) => props.onChange({ ...value, to: e.target.value })}
            hint="The whole email address, in any letter case."
            maxLength={254}
            autoComplete="off"
            spellCheck={false}
          />
        </div>
        <FilterActions className="outbox-filter-actions" busy={props.busy} onClear={props.onClear} />
      </form>
    </search>
  );
}
