/**
 * "Review" an elevation: what was done under it (for holders of audit.view, who can read the
 * audit log), and the reviewer's note, recorded with who reviewed it and when. One still open can
 * be reviewed (the API allows it), but the dialog says its record is not complete yet.
 */
import { useState } from "react";
import { TextAreaField } from "../../components/Field.tsx";
import { FormDialog } from "../../components/FormDialog.tsx";
import { type FieldErrors, useSubmit } from "../../components/useSubmit.ts";
import { formatDateTime } from "../../dates.ts";
import { useApi, useSession } from "../../session.tsx";
import { ElevationActivity } from "./ElevationActivity.tsx";
import type { Elevation } from "./EmergencyLog.tsx";

export function ReviewDialog(props: {
  readonly elevation: Elevation;
  readonly scope: string;
  readonly onClose: () => void;
  readonly onReviewed: () => void;
}) {
  const api = useApi();
  const { can, me } = useSession();
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
      {e.userId === me.user.id && (
        <p className="warning">
          This is your own emergency access. Your review is recorded as a review of your own access; where
          someone else can review it, let them.
        </p>
      )}
      {e.status === "open" && (
        <p className="warning">
          This emergency access is still open: what is done under it is not all recorded yet. Review it once
          it has ended.
        </p>
      )}
      {can("audit.view") ? (
        <ElevationActivity elevation={e} />
      ) : (
        <p className="muted">
          What was done under this access is in the audit log, which needs the “View audit log” permission
          (audit.view).
        </p>
      )}
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
