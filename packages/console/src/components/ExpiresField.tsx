/**
 * "Expires (optional)" of a grant or a token: a date and time in the person's own time zone, or
 * empty for no end. The API takes an instant: `instantOf` turns the one into the other.
 *
 * A date typed without its time (or a part deleted) leaves the browser's value empty, which read as
 * "no end": the account, grant or token was saved to last for ever (the time review). Such a field
 * reports `INCOMPLETE` instead, which the forms refuse beside it (`expiresProblem`).
 */
import type { SyntheticEvent } from "react";
import { Field } from "./Field.tsx";

/** The value of a field holding part of a date and time: neither an instant nor empty. */
export const INCOMPLETE = "incomplete";

/** The refusal of an incomplete field, or undefined (read after the field's label). */
export function expiresProblem(value: string): string | undefined {
  return value === INCOMPLETE
    ? "is incomplete: give both a date and a time, or clear it for none."
    : undefined;
}

export function ExpiresField(props: {
  /** Default "Expires (optional)". */
  readonly label?: string;
  readonly value: string;
  readonly onChange: (value: string) => void;
  readonly error: string | undefined;
  /** What empty means here, e.g. "Empty: until it is revoked." */
  readonly hint: string;
}) {
  // A partly typed field changes no value (its value stays ""), so no change event tells of it:
  // its keys and its leaving are read too.
  const report = (e: SyntheticEvent<HTMLInputElement>) => {
    const el = e.currentTarget;
    const next = el.validity.badInput ? INCOMPLETE : el.value;
    if (next !== props.value) props.onChange(next);
  };
  return (
    <Field
      label={props.label ?? "Expires (optional)"}
      type="datetime-local"
      // The browser's own value of a partly typed field is "" as well: the typing stays.
      value={props.value === INCOMPLETE ? "" : props.value}
      onChange={report}
      onKeyUp={report}
      onBlur={report}
      error={props.error}
      // The field is in the browser's time zone, which may not be the practice's (the time review):
      // named, so that "23:59" is read as the moment it is.
      hint={`${props.hint} Your time zone: ${browserZone()}.`}
    />
  );
}

/** The browser's IANA time zone, in which `datetime-local` fields are read. */
function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** The instant of a `datetime-local` value, which is the browser's local time. */
export function instantOf(local: string): string {
  return new Date(local).toISOString();
}

/** The `datetime-local` value (the browser's local time, to the minute) of an instant; "" for none. */
export function localOf(iso: string | null): string {
  if (!iso) return "";
  const d = new Date(iso);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}`;
}
