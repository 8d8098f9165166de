/**
 * "Grant access" to one patient: the user (picked by search), one workspace or all, the reason,
 * and an optional expiry. Granting the same user and workspace again refreshes reason and expiry.
 */
import { type FormEvent, useState } from "react";
import { fieldErrors, problemMessage } from "../../api.ts";
import { Dialog } from "../../components/Dialog.tsx";
import { Field, SelectField } from "../../components/Field.tsx";
import { useApi } from "../../session.tsx";
import type { User } from "../../types.ts";
import type { Workspace } from "../workspaces/useWorkspaces.ts";
import { UserPicker } from "./UserPicker.tsx";

const KNOWN_FIELDS = new Set(["userId", "workspaceId", "reason", "expiresAt"]);

export function GrantAccessDialog(props: {
  readonly patientRef: string;
  readonly workspaces: Workspace[] | null;
  readonly onClose: () => void;
  readonly onGranted: (user: User) => void;
}) {
  const api = useApi();
  const [user, setUser] = useState<User | null>(null);
  const [workspaceId, setWorkspaceId] = useState("");
  const [reason, setReason] = useState("");
  const [expires, setExpires] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const missing: Record<string, string> = {};
    if (!user) missing.userId = "Choose the user who gets access.";
    if (!reason.trim()) missing.reason = "is required: say why this person needs the patient";
    if (!user || Object.keys(missing).length > 0) {
      setErrors(missing);
      return;
    }
    setBusy(true);
    setErrors({});
    try {
      await api.patientAccess.grant(props.patientRef, {
        userId: user.id,
        workspaceId: workspaceId || null,
        reason: reason.trim(),
        // datetime-local is the person's local time; the API takes an instant.
        expiresAt: expires ? new Date(expires).toISOString() : null,
      });
      props.onGranted(user);
    } catch (e) {
      const byField = fieldErrors(e);
      setErrors(byField);
      if (!Object.keys(byField).some((p) => KNOWN_FIELDS.has(p))) setError(problemMessage(e));
      setBusy(false);
    }
  };

  return (
    <Dialog title="Grant access" onClose={props.onClose}>
      <form onSubmit={submit} aria-busy={busy} noValidate>
        <p>
          Patient reference: <strong>{props.patientRef}</strong>
        </p>
        <UserPicker selected={user} onSelect={setUser} error={errors.userId} />
        <SelectField
          label="Workspace"
          value={workspaceId}
          onChange={(e) => setWorkspaceId(e.target.value)}
          error={errors.workspaceId}
        >
          <option value="">All workspaces</option>
          {props.workspaces?.map((w) => (
            <option key={w.id} value={w.id}>
              {w.name}
            </option>
          ))}
        </SelectField>
        <Field
          label="Reason"
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          error={errors.reason}
          maxLength={500}
          autoComplete="off"
          required
        />
        <Field
          label="Expires (optional)"
          type="datetime-local"
          value={expires}
          onChange={(e) => setExpires(e.target.value)}
          error={errors.expiresAt}
          hint="Empty: until someone revokes it."
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
            Grant access
          </button>
        </div>
      </form>
    </Dialog>
  );
}
