/**
 * "New password" and "Confirm new password": the pair every password form asks for (profile,
 * reset link, invitation). The match is checked here; the policy is the server's to judge, and
 * its reason is shown beside the field.
 */
import { Field } from "../../components/Field.tsx";

export interface NewPassword {
  readonly password: string;
  readonly confirm: string;
}

export interface NewPasswordErrors {
  password?: string | undefined;
  confirm?: string | undefined;
}

export const EMPTY_NEW_PASSWORD: NewPassword = { password: "", confirm: "" };

/** What the page itself can tell before asking the server. */
export function checkNewPassword(value: NewPassword): NewPasswordErrors {
  if (!value.password) return { password: "Enter a new password." };
  if (value.confirm !== value.password) return { confirm: "The two new passwords do not match." };
  return {};
}

/** A server field message ("password must be at least 15 characters") as a sentence. */
export function sentence(message: string): string {
  const text = message.trim();
  if (!text) return text;
  const first = `${text[0]?.toUpperCase() ?? ""}${text.slice(1)}`;
  return /[.!?]$/.test(first) ? first : `${first}.`;
}

export function NewPasswordFields(props: {
  readonly value: NewPassword;
  readonly onChange: (value: NewPassword) => void;
  readonly errors: NewPasswordErrors;
}) {
  const { value, onChange, errors } = props;
  return (
    <>
      <Field
        label="New password"
        name="new-password"
        type="password"
        autoComplete="new-password"
        value={value.password}
        onChange={(e) => onChange({ ...value, password: e.target.value })}
        error={errors.password}
        hint="A phrase of several words is long and easy to remember."
        required
      />
      <Field
        label="Confirm new password"
        name="confirm-password"
        type="password"
        autoComplete="new-password"
        value={value.confirm}
        onChange={(e) => onChange({ ...value, confirm: e.target.value })}
        error={errors.confirm}
        required
      />
    </>
  );
}
