/**
 * "Open emergency access" (break-glass): one patient or one workspace, a typed reason, and the
 * person's own password again (step-up; the browser may fill it: `current-password`). The time
 * box is said before opening; the end time is shown once it is open.
 */
import { useState } from "react";
import { fieldErrors } from "../../api.ts";
import { Field, NamedOptions, SelectField, TextAreaField } from "../../components/Field.tsx";
import { FormDialog } from "../../components/FormDialog.tsx";
import { type FieldErrors, type Refusal, refusalOn, useSubmit } from "../../components/useSubmit.ts";
import { useApi, useSession } from "../../session.tsx";
import type { Workspace } from "../workspaces/useWorkspaces.ts";

const FIELDS = ["workspaceId", "patientRef", "reason", "password"];

export function OpenEmergencyDialog(props: {
  readonly workspaces: Workspace[] | null;
  /** The tenant's time box in hours as the settings say it now, when the caller may read them. */
  readonly hours: number | null;
  readonly onClose: () => void;
  readonly onOpened: (expiresAt: string) => void;
}) {
  const api = useApi();
  const { me } = useSession();
  const [workspaceId, setWorkspaceId] = useState("");
  const [patientRef, setPatientRef] = useState("");
  const [reason, setReason] = useState("");
  const [password, setPassword] = useState("");
  const { errors, formProps, once } = useSubmit();

  const check = (): FieldErrors => {
    const missing: FieldErrors = {};
    // One of the two, as the API takes it: the fields stand side by side rather than behind a
    // "patient or workspace" choice, whose labels ("One workspace") also named the fields.
    if (!workspaceId && !patientRef.trim()) {
      missing.patientRef = "Enter the patient reference, or choose a workspace.";
    } else if (workspaceId && patientRef.trim()) {
      missing.workspaceId = "Choose a workspace or enter a patient reference, not both.";
    }
    // The server's rule (any text once trimmed), said before anything is sent.
    if (!reason.trim()) missing.reason = "Enter why you need this access now.";
    if (!password) missing.password = "Enter your password to confirm it is you.";
    return missing;
  };
  const send = async () => {
    const opened = await once(api).emergencyAccess.open({
      reason,
      password,
      ...(workspaceId ? { workspaceId } : { patientRef: patientRef.trim() }),
    });
    props.onOpened(opened.expiresAt);
  };
  const refused = (e: unknown): Refusal => {
    // The password is never kept after a failed attempt.
    setPassword("");
    // A wrong password is answered as a field error on `password` (400).
    if (fieldErrors(e).password) {
      return {
        fields: { password: "That password is not correct. Emergency access was not opened." },
        message: null,
      };
    }
    return refusalOn(e, FIELDS);
  };

  // Everyone reads the practice's time box in `/auth/me`; the settings, when readable, are fresher.
  const hours = props.hours ?? me.practice.emergencyAccessHours;
  const timeBox = `It ends by itself after ${hours} hour${hours === 1 ? "" : "s"}`;

  return (
    <FormDialog
      title="Open emergency access"
      onClose={props.onClose}
      {...formProps({ check, send, refused })}
      submitLabel="Open emergency access"
      danger
    >
      <p className="warning">
        Use this only when a patient’s care cannot wait for the usual access. {timeBox}, or when you end it.
        Administrators are told at once, and every use is recorded and reviewed.
      </p>
      <Field
        label="Patient reference"
        value={patientRef}
        onChange={(e) => setPatientRef(e.target.value)}
        error={errors.patientRef}
        maxLength={200}
        autoComplete="off"
        spellCheck={false}
        hint="Access to one patient. Leave it empty to choose a workspace instead."
      />
      <SelectField
        label="Workspace"
        value={workspaceId}
        onChange={(e) => setWorkspaceId(e.target.value)}
        error={errors.workspaceId}
        hint="Or access to everything in one workspace, with no patient reference."
      >
        <NamedOptions
          empty={props.workspaces ? "None: one patient only" : "Loading workspaces…"}
          items={props.workspaces}
        />
      </SelectField>
      <TextAreaField
        label="Reason"
        value={reason}
        onChange={(e) => setReason(e.target.value)}
        error={errors.reason}
        hint="Why you need this access now, in a sentence. It is kept with the record and read at the review."
        maxLength={1000}
        required
      />
      {/* Lets a password manager know whose password this is. */}
      <input type="text" name="username" autoComplete="username" value={me.user.username} readOnly hidden />
      <Field
        label="Your password"
        type="password"
        autoComplete="current-password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        error={errors.password}
        hint="Confirms that it is you."
        required
      />
    </FormDialog>
  );
}
