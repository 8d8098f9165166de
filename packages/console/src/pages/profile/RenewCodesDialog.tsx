/**
 * "New recovery codes": asks the password again; the ten new codes replace every earlier one and
 * are shown once by the Two-factor tab.
 */
import { useState } from "react";
import { fieldErrors, problemMessage } from "../../api.ts";
import { Field } from "../../components/Field.tsx";
import { FormDialog } from "../../components/FormDialog.tsx";
import { type FieldErrors, type Refusal, useSubmit } from "../../components/useSubmit.ts";
import { useApi } from "../../session.tsx";

export function RenewCodesDialog(props: {
  readonly onClose: () => void;
  readonly onDone: (codes: readonly string[]) => void;
}) {
  const api = useApi();
  const [password, setPassword] = useState("");
  const { errors, formProps } = useSubmit();

  const check = (): FieldErrors => (password ? {} : { password: "Enter your password." });
  const send = async () => {
    const { recoveryCodes } = await api.mfa.renewRecoveryCodes(password);
    props.onDone(recoveryCodes);
  };
  const refused = (e: unknown): Refusal =>
    fieldErrors(e).password
      ? { fields: { password: "That is not your password." }, message: null }
      : { fields: {}, message: problemMessage(e) };

  return (
    <FormDialog
      title="New recovery codes"
      onClose={props.onClose}
      {...formProps({ check, send, refused })}
      submitLabel="Make new codes"
    >
      <div className="dialog-body">
        <p>Ten new codes replace all your earlier ones, used or not: the old codes stop working at once.</p>
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={errors.password}
          required
        />
      </div>
    </FormDialog>
  );
}
