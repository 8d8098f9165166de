/** A labelled multi-line input with its hint and error beside it, as Field does for one line. */
import { type ReactNode, type TextareaHTMLAttributes, useId } from "react";

interface TextAreaFieldProps extends TextareaHTMLAttributes<HTMLTextAreaElement> {
  readonly label: string;
  readonly error?: string | undefined;
  readonly hint?: ReactNode;
}

export function TextAreaField({ label, error, hint, id, ...area }: TextAreaFieldProps) {
  const auto = useId();
  const areaId = id ?? auto;
  const describedBy = [error ? `${areaId}-error` : null, hint ? `${areaId}-hint` : null]
    .filter(Boolean)
    .join(" ");
  return (
    <div className="field">
      <label htmlFor={areaId}>{label}</label>
      <textarea
        id={areaId}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy || undefined}
        {...area}
      />
      {hint && (
        <span id={`${areaId}-hint`} className="hint">
          {hint}
        </span>
      )}
      {error && (
        <span id={`${areaId}-error`} className="field-error">
          {error}
        </span>
      )}
    </div>
  );
}
