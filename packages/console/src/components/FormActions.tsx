/**
 * The buttons under a form: Cancel (or Back, Close), then the one action, primary or danger.
 * Both are disabled while the form is busy, so nothing is sent twice.
 */
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
  /** "actions start": aligned with a page's fields rather than at a dialog's end. */
  readonly className?: string;
}) {
  const { busy, onAction } = props;
  return (
    <div className={props.className ?? "actions"}>
      {props.onCancel && (
        <button type="button" onClick={props.onCancel} disabled={busy}>
          {props.cancelLabel ?? "Cancel"}
        </button>
      )}
      {props.submitLabel !== undefined &&
        (onAction ? (
          <button
            type="button"
            className={props.danger ? "danger" : "primary"}
            onClick={onAction}
            disabled={busy}
            aria-busy={busy}
          >
            {props.submitLabel}
          </button>
        ) : (
          <button type="submit" className={props.danger ? "danger" : "primary"} disabled={busy}>
            {props.submitLabel}
          </button>
        ))}
    </div>
  );
}
