/**
 * "New password" and "Confirm password": the pair every password form asks for (profile, reset
 * link, invitation), as the sources describe it ("type the new desired password twice", Prevounce;
 * "sets and confirms password", Provet; issue 6). The second is "Confirm password", not "Confirm
 * new password", so that the words "New password" name one field only. A Show button reveals both.
 * The match is checked here; the policy is the server's to judge, and its reason is shown beside
 * the field.
 */
import { useState } from "react";
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
  if (!value.confirm) return { confirm: "Type the new password again." };
  if (value.confirm !== value.password) return { confirm: "The two passwords do not match." };
  return {};
}

/** True when the page found nothing to correct in the pair. */
export function newPasswordOk(errors: NewPasswordErrors): boolean {
  return !errors.password && !errors.confirm;
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
  const [shown, setShown] = useState(false);
  const type = shown ? "text" : "password";
  return (
    <>
      <div className="reveal-field">
        <Field
          id="new-password"
          label="New password"
          name="new-password"
          type={type}
          autoComplete="new-password"
          spellCheck={false}
          value={value.password}
          onChange={(e) => onChange({ ...value, password: e.target.value })}
          error={errors.password}
          hint="A phrase of several words is long and easy to remember."
          required
        />
        <button
          type="button"
          className="reveal"
          aria-controls="new-password confirm-password"
          // A name that says what it does next, not aria-pressed as well: a pressed "Hide" reads
          // as its own contradiction (ARIA APG, toggle buttons).
          aria-label={shown ? "Hide passwords" : "Show passwords"}
          onClick={() => setShown((s) => !s)}
        >
          {shown ? "Hide" : "Show"}
        </button>
      </div>
      <Field
        id="confirm-password"
        label="Confirm password"
        name="confirm-password"
        type={type}
        autoComplete="new-password"
        spellCheck={false}
        value={value.confirm}
        onChange={(e) => onChange({ ...value, confirm: e.target.value })}
        error={errors.confirm}
        required
      />
    </>
  );
}
