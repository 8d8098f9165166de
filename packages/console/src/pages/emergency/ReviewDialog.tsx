/** "Review" an elevation: the reviewer's note, recorded with who reviewed it and when. */
import { type FormEvent, useState } from "react";
import { fieldErrors, problemMessage } from "../../api.ts";
import { Dialog } from "../../components/Dialog.tsx";
import { useApi } from "../../session.tsx";
import type { Elevation } from "./EmergencyLog.tsx";
import { TextAreaField } from "./TextAreaField.tsx";

export function ReviewDialog(props: {
  readonly elevation: Elevation;
  readonly scope: string;
  readonly onClose: () => void;
  readonly onReviewed: () => void;
}) {
  const api = useApi();
  const e = props.elevation;
  const [note, setNote] = useState(e.reviewNote ?? "");
  const [noteError, setNoteError] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    if (!note.trim()) {
      setNoteError("is required: say what you checked and what you found");
      return;
    }
    setBusy(true);
    setNoteError(undefined);
    try {
      await api.emergencyAccess.review(e.id, note.trim());
      props.onReviewed();
    } catch (err) {
      const byField = fieldErrors(err);
      if (byField.note) setNoteError(byField.note);
      else setError(problemMessage(err));
      setBusy(false);
    }
  };

  return (
    <Dialog title="Review emergency access" onClose={props.onClose}>
      <form onSubmit={submit} aria-busy={busy} noValidate>
        <dl className="dialog-body">
          <dt>Who</dt>
          <dd>
            {e.displayName} ({e.username})
          </dd>
          <dt>Access to</dt>
          <dd>{props.scope}</dd>
          <dt>Reason given</dt>
          <dd>{e.reason}</dd>
          <dt>When</dt>
          <dd>
            {new Date(e.openedAt).toLocaleString()} to {new Date(e.endedAt ?? e.expiresAt).toLocaleString()}
          </dd>
        </dl>
        <TextAreaField
          label="Review note"
          value={note}
          onChange={(ev) => setNote(ev.target.value)}
          error={noteError}
          maxLength={2000}
          required
        />
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <div className="actions">
          <button type="button" onClick={props.onClose} disabled={busy}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            Mark reviewed
          </button>
        </div>
      </form>
    </Dialog>
  );
}
