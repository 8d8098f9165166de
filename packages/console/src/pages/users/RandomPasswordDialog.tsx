/**
 * "Set random password": asks first (the user's sessions end), with "must change at next sign-in"
 * on by default; then shows the password this once, with a Copy button (PasswordShownOnce, which
 * Edit shows too). Closing the dialog drops it: it is never shown again nor kept anywhere.
 */
import { useId, useState } from "react";
import { problemMessage } from "../../api.ts";
import { Dialog } from "../../components/Dialog.tsx";
import { FormActions } from "../../components/FormActions.tsx";
import { ErrorAlert } from "../../components/Messages.tsx";
import { useApi } from "../../session.tsx";
import type { User } from "../../types.ts";

export function RandomPasswordDialog(props: {
  readonly user: User;
  readonly onClose: () => void;
  readonly onDone: (message: string) => void;
}) {
  const api = useApi();
  const { user } = props;
  const [mustChange, setMustChange] = useState(true);
  const [password, setPassword] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const generate = async () => {
    setBusy(true);
    setError(null);
    try {
      const answer = await api.credentials.setUserPassword(
        user.id,
        { random: true, mustChangePassword: mustChange },
        { ifMatch: user.version },
      );
      setPassword(answer?.password ?? null);
      props.onDone(passwordSetWords(user, { random: true, mustChangePassword: mustChange }));
    } catch (e) {
      setError(problemMessage(e));
    }
    setBusy(false);
  };

  if (password) return <PasswordShownOnce user={user} password={password} onClose={props.onClose} />;

  return (
    <Dialog title="Set a random password?" onClose={props.onClose}>
      <div className="dialog-body">
        <p>
          {user.displayName} gets a new random password, shown to you once. Their sessions and API tokens end,
          and they are told by email.{user.locked ? " Their account is unlocked too." : ""}
        </p>
        <label className="check">
          <input type="checkbox" checked={mustChange} onChange={(e) => setMustChange(e.target.checked)} />
          Must change it at next sign-in
        </label>
      </div>
      <ErrorAlert>{error}</ErrorAlert>
      <FormActions
        busy={busy}
        onCancel={props.onClose}
        submitLabel="Set random password"
        onAction={generate}
      />
    </Dialog>
  );
}

/** The words said once a password is set, by the Actions items and by Edit alike. */
export function passwordSetWords(
  user: User,
  input: { readonly random?: true; readonly mustChangePassword: boolean },
): string {
  const must = input.mustChangePassword ? " and must change it at next sign-in" : "";
  return `${user.displayName} has a new ${input.random ? "random " : ""}password${must}.`;
}

/**
 * A generated password, shown this once with a Copy button (which takes the focus): by "Set
 * random password" and by Edit's "Set a random password".
 */
export function PasswordShownOnce(props: {
  readonly user: User;
  readonly password: string;
  readonly onClose: () => void;
}) {
  const { user, password } = props;
  const [copied, setCopied] = useState<string | null>(null);
  const labelId = useId();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(password);
      setCopied("Copied to the clipboard.");
    } catch {
      setCopied("The browser did not allow copying: select the password and copy it yourself.");
    }
  };
  return (
    <Dialog title={`For ${user.displayName}: copy it now`} onClose={props.onClose}>
      <div className="dialog-body">
        <p>
          This password is shown only this once. Give it to {user.displayName} in person or by another safe
          channel.
        </p>
        <p className="password-once">
          <span id={labelId}>Password</span>
          <output aria-labelledby={labelId} className="password-once-value">
            {password}
          </output>
          <button type="button" onClick={copy} data-autofocus>
            Copy
          </button>
        </p>
        {copied && (
          <p role="status" className="hint">
            {copied}
          </p>
        )}
      </div>
      <div className="actions">
        <button type="button" className="primary" onClick={props.onClose}>
          Done
        </button>
      </div>
    </Dialog>
  );
}
