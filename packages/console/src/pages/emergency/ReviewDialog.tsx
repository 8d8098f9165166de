/** "Review" an elevation: the reviewer's note, recorded with who reviewed it and when. */
import { useState } from "react";
import { TextAreaField } from "../../components/Field.tsx";
import { FormDialog } from "../../components/FormDialog.tsx";
import { type FieldErrors, useSubmit } from "../../components/useSubmit.ts";
import { formatDateTime } from "../../dates.ts";
import { useApi } from "../../session.tsx";
import type { Elevation } from "./EmergencyLog.tsx";

export function ReviewDialog(props: {
  readonly elevation: Elevation;
  readonly scope: string;
  readonly onClose: () => void;
  readonly onReviewed: () => void;
}) {
  const api = useApi();
  const e = props.elevation;
  const [note, setNote] = useState(e.reviewNote ?? "");
  const { errors, formProps } = useSubmit();

  const check = (): FieldErrors =>
    note.trim() ? {} : { note: "is required: say what you checked and what you found" };
  const send = async () => {
    await api.emergencyAccess.review(e.id, note.trim());
    props.onReviewed();
  };

  return (
    <FormDialog
      title="Review emergency access"
      onClose={props.onClose}
      {...formProps({ check, send, fields: ["note"] })}
      submitLabel="Mark reviewed"
    >
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
          {formatDateTime(e.openedAt)} to {formatDateTime(e.endedAt ?? e.expiresAt)}
        </dd>
      </dl>
      <TextAreaField
        label="Review note"
        value={note}
        onChange={(ev) => setNote(ev.target.value)}
        error={errors.note}
        maxLength={2000}
        required
      />
    </FormDialog>
  );
}
