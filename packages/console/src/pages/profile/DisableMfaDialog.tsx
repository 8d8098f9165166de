/**
 * "Turn off two-factor sign-in": asks the password again (ASVS 7.5.1) and says so when the
 * practice requires two-factor sign-in of this account.
 */
import { type FormEvent, useState } from "react";
import { problemCode, problemMessage } from "../../api.ts";
import { Dialog } from "../../components/Dialog.tsx";
import { Field } from "../../components/Field.tsx";
import { useApi } from "../../session.tsx";

export function DisableMfaDialog(props: { readonly onClose: () => void; readonly onDone: () => void }) {
  const api = useApi();
  const [password, setPassword] = useState("");
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    if (!password) {
      setFieldError("Enter your password.");
      return;
    }
    setFieldError(undefined);
    setBusy(true);
    try {
      await api.mfa.disable(password);
      props.onDone();
    } catch (e) {
      const code = problemCode(e);
      if (code === "INVALID_CREDENTIALS") setFieldError("That is not your password.");
      else if (code === "MFA_REQUIRED") {
        setError("Your practice requires two-factor sign-in for your account, so it cannot be turned off.");
      } else setError(problemMessage(e));
      setBusy(false);
    }
  };

  return (
    <Dialog title="Turn off two-factor sign-in" onClose={props.onClose}>
      <form onSubmit={submit} aria-busy={busy} noValidate>
        <div className="dialog-body">
          <p>
            Without it, your password alone opens your account. Your recovery codes and remembered devices
            stop working.
          </p>
          <Field
            label="Password"
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            error={fieldError}
            required
          />
        </div>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <div className="actions">
          <button type="button" onClick={props.onClose} disabled={busy}>
            Cancel
          </button>
          <button type="submit" className="danger" disabled={busy}>
            Turn off
          </button>
        </div>
      </form>
    </Dialog>
  );
}
