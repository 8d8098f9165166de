/**
 * "End now" (their own) or "End access" (a row) asks first: ending is immediate and cannot be undone (the person would have to open
 * emergency access again, with a new reason), and an administrator may be ending someone else's
 * while they treat a patient. The dialog names whose access and what it covers.
 */
import { ConfirmDialog } from "../../components/ConfirmDialog.tsx";
import { formatDateTime } from "../../dates.ts";
import { useApi, useSession } from "../../session.tsx";
import type { Elevation } from "./EmergencyLog.tsx";

export function EndEmergencyDialog(props: {
  readonly elevation: Elevation;
  /** What it covers, as the page says it ("Workspace Linac Suite A", "Patient P-1001"). */
  readonly scope: string;
  readonly onClose: () => void;
  /** Called once the server has ended it. */
  readonly onEnded: () => void;
}) {
  const api = useApi();
  const { me } = useSession();
  const e = props.elevation;
  const own = e.userId === me.user.id;
  return (
    <ConfirmDialog
      title={own ? "End your emergency access?" : `End the emergency access of ${e.displayName}?`}
      confirmLabel="End access"
      danger
      onClose={props.onClose}
      onConfirm={async () => {
        await api.emergencyAccess.end(e.id);
        props.onEnded();
      }}
    >
      <p>
        {own ? "Your" : `${e.displayName}’s (${e.username})`} emergency access to {props.scope}, open until{" "}
        {formatDateTime(e.expiresAt)}, ends now. {own ? "You" : "They"} would need to open emergency access
        again, with a new reason, to use it.
      </p>
      <p>Reason given: {e.reason}</p>
    </ConfirmDialog>
  );
}
