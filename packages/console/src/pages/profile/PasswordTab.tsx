/**
 * Profile → Password (W6): current password, the new one twice, Save. The server keeps this
 * session and ends the user's others; a session that had to change its password becomes a full
 * one, so the console reads `/auth/me` again and goes on to the app.
 */
import { type FormEvent, useRef, useState } from "react";
import { fieldErrors, problemMessage } from "../../api.ts";
import { Field } from "../../components/Field.tsx";
import { FormActions } from "../../components/FormActions.tsx";
import { useFocusFirstInvalid } from "../../components/keepFocus.ts";
import { ErrorAlert, Notice } from "../../components/Messages.tsx";
import { navigate } from "../../router.tsx";
import { useApi, useSession } from "../../session.tsx";
import {
  checkNewPassword,
  EMPTY_NEW_PASSWORD,
  type NewPassword,
  type NewPasswordErrors,
  NewPasswordFields,
  newPasswordOk,
  sentence,
} from "./NewPasswordFields.tsx";

interface Errors extends NewPasswordErrors {
  current?: string | undefined;
}

export function PasswordTab() {
  const api = useApi();
  const session = useSession();
  const [current, setCurrent] = useState("");
  const [value, setValue] = useState<NewPassword>(EMPTY_NEW_PASSWORD);
  const [errors, setErrors] = useState<Errors>({});
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);

  useFocusFirstInvalid(form, errors, Boolean(errors.current) || !newPasswordOk(errors));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setDone(false);
    const local: Errors = {
      ...(current ? {} : { current: "Enter your current password." }),
      ...checkNewPassword(value),
    };
    // Said here in its own words: the server calls it "used recently" even with no history kept.
    if (newPasswordOk(local) && current && value.password === current) {
      local.password = "This is your current password: choose a new one.";
    }
    setErrors(local);
    if (local.current || !newPasswordOk(local)) return;
    setBusy(true);
    const wasConfined = session.purpose !== "full";
    try {
      await api.credentials.changePassword({ currentPassword: current, newPassword: value.password });
      setCurrent("");
      setValue(EMPTY_NEW_PASSWORD);
      if (!wasConfined) {
        setDone(true);
        setBusy(false);
        return;
      }
      const next = await session.refresh();
      if (next === "full") {
        session.notify("Your password was changed.", session.home);
        navigate(session.home, { replace: true });
      } else {
        session.notify("Your password was changed. Now set up two-factor sign-in.");
      }
    } catch (e) {
      const byField = fieldErrors(e);
      const known: Errors = {
        current: byField.currentPassword && sentence(byField.currentPassword),
        password: byField.newPassword && sentence(byField.newPassword),
      };
      setErrors(known);
      if (!known.current && !known.password) setError(problemMessage(e));
      setBusy(false);
    }
  };

  return (
    <form ref={form} onSubmit={submit} aria-busy={busy} noValidate className="narrow-form">
      <h2>Change password</h2>
      {done && <Notice>Your password was changed. Your other sessions were signed out.</Notice>}
      <Field
        label="Current password"
        name="current-password"
        type="password"
        autoComplete="current-password"
        value={current}
        onChange={(e) => setCurrent(e.target.value)}
        error={errors.current}
        required
      />
      <NewPasswordFields value={value} onChange={setValue} errors={errors} />
      <ErrorAlert>{error}</ErrorAlert>
      <FormActions className="actions start" busy={busy} submitLabel="Save" />
    </form>
  );
}
