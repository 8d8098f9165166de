/**
 * "Turn off two-factor sign-in": asks the password again (ASVS 7.5.1) and says so when the
 * practice requires two-factor sign-in of this account.
 */
import { useState } from "react";
import { fieldErrors, problemCode, problemMessage } from "../../api.ts";
import { Field } from "../../components/Field.tsx";
import { FormDialog } from "../../components/FormDialog.tsx";
import { type FieldErrors, type Refusal, useSubmit } from "../../components/useSubmit.ts";
import { useApi } from "../../session.tsx";

export function DisableMfaDialog(props: { readonly onClose: () => void; readonly onDone: () => void }) {
  const api = useApi();
  const [password, setPassword] = useState("");
  const { errors, formProps } = useSubmit();

  const check = (): FieldErrors => (password ? {} : { password: "Enter your password." });
  const send = async () => {
    await api.mfa.disable(password);
    props.onDone();
  };
  const refused = (e: unknown): Refusal => {
    const code = problemCode(e);
    if (code === "PASSWORD_TOO_SHORT_ALONE") {
      return {
        fields: { password: "Your password is too short to be used without two-factor sign-in." },
        message:
          "Change your password to a longer one first (Password tab), then turn two-factor sign-in off.",
      };
    }
    // A wrong password is answered as a field error on `password` (400).
    if (fieldErrors(e).password) return { fields: { password: "That is not your password." }, message: null };
    if (code === "MFA_REQUIRED") {
      return {
        fields: {},
        message: "Your practice requires two-factor sign-in for your account, so it cannot be turned off.",
      };
    }
    return { fields: {}, message: problemMessage(e) };
  };

  return (
    <FormDialog
      title="Turn off two-factor sign-in"
      onClose={props.onClose}
      {...formProps({ check, send, refused })}
      submitLabel="Turn off"
      danger
    >
      <div className="dialog-body">
        <p>
          Without it, your password alone opens your account. Your recovery codes and remembered devices stop
          working.
        </p>
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
