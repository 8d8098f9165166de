/**
 * The buttons under a form: Cancel (or Back, Close), then the one action, primary or danger.
 * While the form is busy they are marked disabled (`aria-disabled`) and ignore clicks, so nothing is
 * sent twice; they are not `disabled`, which would drop the keyboard focus to the page's body when
 * the focused button is the one pressed.
 */
import type { MouseEvent } from "react";

/** A click while busy does nothing: cancelled, it submits no form (Enter in a field included). */
const ignoredWhile = (busy: boolean, then?: () => void) => (event: MouseEvent) => {
  if (busy) event.preventDefault();
  else then?.();
};

export function FormActions(props: {
  readonly busy: boolean;
  /** Absent: there is nothing to cancel (a page's own form). */
  readonly onCancel?: (() => void) | undefined;
  readonly cancelLabel?: string | undefined;
  /** The action's name; absent: only Cancel (a read-only form). */
  readonly submitLabel?: string | undefined;
  readonly danger?: boolean | undefined;
  /**
   * Outside a form the action runs on click and carries the busy state itself; inside one it
   * submits, and the form says it is busy.
   */
  readonly onAction?: () => void;
  /** The action cannot be taken at all (the dialog says why); unlike `busy`, for good. */
  readonly actionDisabled?: boolean | undefined;
  /** "actions start": aligned with a page's fields rather than at a dialog's end. */
  readonly className?: string;
}) {
  const { busy, onAction } = props;
  const disabled = busy ? true : undefined;
  return (
    <div className={props.className ?? "actions"}>
      {props.onCancel && (
        <button type="button" onClick={ignoredWhile(busy, props.onCancel)} aria-disabled={disabled}>
          {props.cancelLabel ?? "Cancel"}
        </button>
      )}
      {props.submitLabel !== undefined &&
        (onAction ? (
          <button
            type="button"
            className={props.danger ? "danger" : "primary"}
            onClick={ignoredWhile(busy, onAction)}
            aria-disabled={disabled}
            aria-busy={busy}
            disabled={props.actionDisabled}
          >
            {props.submitLabel}
          </button>
        ) : (
          <button
            type="submit"
            className={props.danger ? "danger" : "primary"}
            onClick={ignoredWhile(busy)}
            aria-disabled={disabled}
          >
            {props.submitLabel}
          </button>
        ))}
    </div>
  );
}
