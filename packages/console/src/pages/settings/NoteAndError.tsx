import { errorSentence } from "../../components/fieldError.ts";

/** A setting's note and error under it, with the ids its inputs are described by. */
export function NoteAndError(props: {
  readonly id: string;
  /** The setting's label, which names it in the error ("Lockout threshold must be at least 1"). */
  readonly label: string;
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
          {errorSentence(props.label, props.error)}
        </span>
      )}
    </>
  );
}
