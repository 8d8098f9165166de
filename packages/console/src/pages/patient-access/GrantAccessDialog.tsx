/**
 * "Grant access" to one patient: the user (picked by search), one workspace or all, and an
 * optional reason and expiry (API.md; the "with reason and expiry"). Granting the same
 * user and workspace again refreshes reason and expiry. The staff list needs users.view, which a
 * patient-access manager need not hold (separation of duties, decisions.md): without it the
 * dialog says so and takes the user's id typed instead, the server judging it.
 */
import { useState } from "react";
import { ExpiresField, expiresProblem, instantOf } from "../../components/ExpiresField.tsx";
import { Field, NamedOptions, SelectField } from "../../components/Field.tsx";
import { FormDialog } from "../../components/FormDialog.tsx";
import { neededWords } from "../../components/NoAccess.tsx";
import { type FieldErrors, useSubmit } from "../../components/useSubmit.ts";
import { useApi, useSession } from "../../session.tsx";
import type { User } from "../../types.ts";
import type { Workspace } from "../workspaces/useWorkspaces.ts";
import { UserPicker } from "./UserPicker.tsx";

const FIELDS = ["userId", "workspaceId", "reason", "expiresAt"];

export function GrantAccessDialog(props: {
  readonly patientRef: string;
  readonly workspaces: Workspace[] | null;
  readonly onClose: () => void;
  /** `name`: the grantee as the answer names them; `workspaceId`: where the grant holds (null: every workspace). */
  readonly onGranted: (name: string, workspaceId: string | null) => void;
}) {
  const api = useApi();
  const { me, can } = useSession();
  const listed = can("users.view");
  const [user, setUser] = useState<User | null>(null);
  const [typedId, setTypedId] = useState("");
  const [workspaceId, setWorkspaceId] = useState("");
  const [reason, setReason] = useState("");
  const [expires, setExpires] = useState("");
  const { errors, formProps, once } = useSubmit();
  const userId = listed ? user?.id : typedId.trim();

  const check = () => {
    const missing: FieldErrors = {};
    if (!userId)
      missing.userId = listed
        ? "Choose the user who gets access."
        : "Enter the ID of the user who gets access.";
    const incomplete = expiresProblem(expires);
    if (incomplete) missing.expiresAt = incomplete;
    return missing;
  };
  const send = async () => {
    if (!userId) return; // check() has asked for one
    const why = reason.trim();
    const grant = await once(api).patientAccess.grant(props.patientRef, {
      userId,
      workspaceId: workspaceId || null,
      // Left out when blank: the API takes a grant without a reason, but refuses an empty one.
      ...(why ? { reason: why } : {}),
      expiresAt: expires ? instantOf(expires) : null,
    });
    props.onGranted(grant.displayName, grant.workspaceId);
  };

  return (
    <FormDialog
      title="Grant access"
      onClose={props.onClose}
      {...formProps({ check, send, fields: FIELDS })}
      submitLabel="Grant access"
    >
      <p>
        Patient reference: <strong>{props.patientRef}</strong>
      </p>
      {listed ? (
        // Not oneself: the server refuses a grant to the person granting it.
        <UserPicker selected={user} onSelect={setUser} error={errors.userId} excludeId={me.user.id} />
      ) : (
        <Field
          label="User ID"
          value={typedId}
          onChange={(e) => setTypedId(e.target.value)}
          error={errors.userId}
          // Read with the field: the dialog opens on it, so a note above it would be passed by.
          hint={`Choosing from the staff list needs ${neededWords(["users.view"])}, which you do not hold: enter the user’s ID (usr_…) instead. An administrator who can see the staff list can tell you it.`}
          maxLength={64}
          autoComplete="off"
          spellCheck={false}
          required
        />
      )}
      <SelectField
        label="Workspace"
        value={workspaceId}
        onChange={(e) => setWorkspaceId(e.target.value)}
        error={errors.workspaceId}
      >
        <NamedOptions empty="All workspaces" items={props.workspaces} />
      </SelectField>
      <Field
        label="Reason (optional)"
        value={reason}
        onChange={(e) => setReason(e.target.value)}
        error={errors.reason}
        hint="Recorded with the grant and in the audit log."
        maxLength={500}
        autoComplete="off"
      />
      <ExpiresField
        value={expires}
        onChange={setExpires}
        error={errors.expiresAt}
        hint="Empty: until someone revokes it."
      />
    </FormDialog>
  );
}
