/**
 * "New password": the one field every password form asks for (profile, reset link, invitation),
 * with a Show button instead of a second "confirm" field: a typo is caught by seeing the password,
 * not by typing it twice (GOV.UK Design System, "Passwords"; NIST SP 800-63B asks for neither), and
 * one field is one unambiguous label. The policy is the server's to judge, and its reason is shown
 * beside the field.
 */
import { useState } from "react";
import { Field } from "../../components/Field.tsx";

export interface NewPassword {
  readonly password: string;
}

export interface NewPasswordErrors {
  password?: string | undefined;
}

export const EMPTY_NEW_PASSWORD: NewPassword = { password: "" };

/** What the page itself can tell before asking the server. */
export function checkNewPassword(value: NewPassword): NewPasswordErrors {
  if (!value.password) return { password: "Enter a new password." };
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
  const [shown, setShown] = useState(false);
  return (
    <div className="reveal-field">
      <Field
        id="new-password"
        label="New password"
        name="new-password"
        type={shown ? "text" : "password"}
        autoComplete="new-password"
        spellCheck={false}
        value={value.password}
        onChange={(e) => onChange({ password: e.target.value })}
        error={errors.password}
        hint="A phrase of several words is long and easy to remember."
        required
      />
      <button
        type="button"
        className="reveal"
        aria-controls="new-password"
        aria-pressed={shown}
        onClick={() => setShown((s) => !s)}
      >
        {shown ? "Hide" : "Show"}
      </button>
    </div>
  );
}
