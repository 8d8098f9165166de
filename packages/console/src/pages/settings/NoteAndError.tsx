/** A setting's note and error under it, with the ids its inputs are described by. */
export function NoteAndError(props: {
  readonly id: string;
  readonly note: string | undefined;
  readonly error: string | undefined;
}) {
  return (
    <>
      {props.note && (
        <span id={`${props.id}-note`} className="hint">
          {props.note}
        </span>
      )}
      {props.error && (
        <span id={`${props.id}-error`} className="field-error">
          {props.error}
        </span>
      )}
    </>
  );
}
