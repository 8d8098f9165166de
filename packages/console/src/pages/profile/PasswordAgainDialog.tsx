/**
 * A step that asks the signed-in person's password again (ASVS 7.5.1): turning two-factor sign-in
 * off, new recovery codes, one's own email address, and, long after signing in, setting up
 * two-factor sign-in or ending another session. A wrong password is said beside the field (the API answers it as a
 * field error on `password`); `refusal` words the step's own refusals first.
 */
import { type ReactNode, useState } from "react";
import { fieldErrors, problemMessage } from "../../api.ts";
import { Field } from "../../components/Field.tsx";
import { FormDialog } from "../../components/FormDialog.tsx";
import { type FieldErrors, type Refusal, useSubmit } from "../../components/useSubmit.ts";

export function PasswordAgainDialog(props: {
  readonly title: string;
  readonly submitLabel: string;
  readonly danger?: boolean;
  readonly children: ReactNode;
  readonly submit: (password: string) => Promise<void>;
  readonly refusal?: (e: unknown) => Refusal | undefined;
  readonly onClose: () => void;
}) {
  const [password, setPassword] = useState("");
  const { errors, formProps } = useSubmit();

  const check = (): FieldErrors => (password ? {} : { password: "Enter your password." });
  const send = () => props.submit(password);
  const refused = (e: unknown): Refusal =>
    props.refusal?.(e) ??
    (fieldErrors(e).password
      ? { fields: { password: "That is not your password." }, message: null }
      : { fields: {}, message: problemMessage(e) });

  return (
    <FormDialog
      title={props.title}
      onClose={props.onClose}
      {...formProps({ check, send, refused })}
      submitLabel={props.submitLabel}
      {...(props.danger ? { danger: true } : {})}
    >
      <div className="dialog-body">
        {props.children}
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
