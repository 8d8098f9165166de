/**
 * "Set password": the administrator types the user's new password (PRODUCT.md §4), with "must
 * change at next sign-in" on by default. The server checks it against the tenant's password rules
 * (the reason shows beside the field) and refuses it when the tenant forbids admin-typed passwords.
 */
import { useState } from "react";
import { Field } from "../../components/Field.tsx";
import { FormDialog } from "../../components/FormDialog.tsx";
import { useSubmit } from "../../components/useSubmit.ts";
import { useApi } from "../../session.tsx";
import type { User } from "../../types.ts";
import { passwordSetWords } from "./RandomPasswordDialog.tsx";

export function TypedPasswordDialog(props: {
  readonly user: User;
  readonly onClose: () => void;
  readonly onDone: (message: string) => void;
}) {
  const api = useApi();
  const { user } = props;
  const [password, setPassword] = useState("");
  const [mustChange, setMustChange] = useState(true);
  const { errors, formProps } = useSubmit();
  const send = async () => {
    await api.credentials.setUserPassword(
      user.id,
      { password, mustChangePassword: mustChange },
      { ifMatch: user.version },
    );
    props.onClose();
    props.onDone(passwordSetWords(user, { mustChangePassword: mustChange }));
  };
  return (
    <FormDialog
      title={`Sign-in for ${user.displayName}`}
      onClose={props.onClose}
      submitLabel="Set password"
      {...formProps({ send, fields: ["password"] })}
    >
      <p>
        Their sessions and API tokens end, and they are told by email.
        {user.locked ? " Their account is unlocked too." : ""}
      </p>
      <Field
        label="New password"
        type="password"
        autoComplete="new-password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        error={errors.password}
      />
      <label className="check">
        <input type="checkbox" checked={mustChange} onChange={(e) => setMustChange(e.target.checked)} />
        Must change it at next sign-in
      </label>
    </FormDialog>
  );
}
