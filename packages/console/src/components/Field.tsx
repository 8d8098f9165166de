/**
 * Labelled form controls with their hint and error beside them (`aria-invalid`, `aria-describedby`):
 * one line (Field), a choice (SelectField) and several lines (TextAreaField) share one frame.
 */
import {
  type InputHTMLAttributes,
  type ReactNode,
  type Ref,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
  useId,
} from "react";
import { errorSentence } from "./fieldError.ts";

interface Framed {
  readonly label: string;
  /**
   * Read after the label but not shown ("(row 2)"): tells apart controls that look alike in their
   * rows, so that one accessible name finds one control.
   */
  readonly labelSuffix?: string | undefined;
  readonly error?: string | undefined;
  readonly hint?: ReactNode;
}

interface ControlIds {
  readonly id: string;
  readonly "aria-invalid": true | undefined;
  readonly "aria-describedby": string | undefined;
}

/** The label, hint and error around one control; `control` gets the ids that tie them to it. */
function FieldFrame(props: {
  readonly frame: Framed & { readonly id: string | undefined };
  readonly control: (ids: ControlIds) => ReactNode;
}) {
  const { label, labelSuffix, error, hint } = props.frame;
  const auto = useId();
  const id = props.frame.id ?? auto;
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = [error ? errorId : null, hint ? hintId : null].filter(Boolean).join(" ");
  return (
    <div className="field">
      <label htmlFor={id}>
        {label}
        {labelSuffix && <span className="visually-hidden"> {labelSuffix}</span>}
      </label>
      {props.control({
        id,
        "aria-invalid": error ? true : undefined,
        "aria-describedby": describedBy || undefined,
      })}
      {hint && (
        <span id={hintId} className="hint">
          {hint}
        </span>
      )}
      {error && (
        <span id={errorId} className="field-error">
          {errorSentence(label, error)}
        </span>
      )}
    </div>
  );
}

type Props<A> = Framed & A & { readonly id?: string | undefined };

/** `ref` reaches the input (a step that starts in its field focuses it). */
export function Field({
  label,
  labelSuffix,
  error,
  hint,
  id,
  ...input
}: Props<InputHTMLAttributes<HTMLInputElement>> & { readonly ref?: Ref<HTMLInputElement> }) {
  return (
    <FieldFrame
      frame={{ label, labelSuffix, error, hint, id }}
      control={(ids) => <input {...ids} {...input} />}
    />
  );
}

export function TextAreaField({
  label,
  labelSuffix,
  error,
  hint,
  id,
  ...area
}: Props<TextareaHTMLAttributes<HTMLTextAreaElement>>) {
  return (
    <FieldFrame
      frame={{ label, labelSuffix, error, hint, id }}
      control={(ids) => <textarea {...ids} {...area} />}
    />
  );
}

export function SelectField({
  label,
  labelSuffix,
  error,
  hint,
  id,
  children,
  ...select
}: Props<SelectHTMLAttributes<HTMLSelectElement>>) {
  const control = (ids: ControlIds) => (
    <select {...ids} {...select}>
      {children}
    </select>
  );
  return <FieldFrame frame={{ label, labelSuffix, error, hint, id }} control={control} />;
}

/**
 * A select's options: first the empty choice (`empty`, e.g. "Choose a role"), then `children`
 * when something must come before the list, then one option per item, its id as the value.
 */
export function NamedOptions(props: {
  readonly empty: string;
  readonly items: readonly { readonly id: string; readonly name: string }[] | null | undefined;
  readonly children?: ReactNode;
}) {
  return (
    <>
      <option value="">{props.empty}</option>
      {props.children}
      {props.items?.map((item) => (
        <option key={item.id} value={item.id}>
          {item.name}
        </option>
      ))}
    </>
  );
}
