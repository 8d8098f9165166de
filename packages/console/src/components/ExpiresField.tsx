/**
 * "Expires (optional)" of a grant or a token: a date and time in the person's own time zone, or
 * empty for no end. The API takes an instant: `instantOf` turns the one into the other.
 */
import { Field } from "./Field.tsx";

export function ExpiresField(props: {
  /** Default "Expires (optional)". */
  readonly label?: string;
  readonly value: string;
  readonly onChange: (value: string) => void;
  readonly error: string | undefined;
  /** What empty means here, e.g. "Empty: until it is revoked." */
  readonly hint: string;
}) {
  return (
    <Field
      label={props.label ?? "Expires (optional)"}
      type="datetime-local"
      value={props.value}
      onChange={(e) => props.onChange(e.target.value)}
      error={props.error}
      hint={props.hint}
    />
  );
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
