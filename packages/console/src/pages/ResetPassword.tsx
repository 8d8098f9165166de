/**
 * The pages an emailed link opens (`/reset-password#token=…`, `/accept-invitation#token=…`): a new
 * password twice, the policy's reason beside the field, and on success a link to sign in (neither
 * signs in). The token sits in the fragment, which is never sent to a server; the page takes it out
 * of the address bar once read, so it stays out of history and screenshots.
 */
import { type FormEvent, type ReactNode, useEffect, useRef, useState } from "react";
import { fieldErrors, problemCode, problemMessage } from "../api.ts";
import { FormActions } from "../components/FormActions.tsx";
import { focusMainContent, useFocusFirstInvalid } from "../components/keepFocus.ts";
import { ErrorAlert, Notice } from "../components/Messages.tsx";
import { Link } from "../router.tsx";
import "../styles/auth.css";
import { useApi } from "../session.tsx";
import {
  checkNewPassword,
  EMPTY_NEW_PASSWORD,
  type NewPassword,
  type NewPasswordErrors,
  NewPasswordFields,
  newPasswordOk,
  sentence,
} from "./profile/NewPasswordFields.tsx";

function tokenFromFragment(): string | null {
  return new URLSearchParams(window.location.hash.slice(1)).get("token");
}

export interface LinkPasswordTexts {
  readonly title: string;
  readonly intro: string;
  readonly submit: string;
  readonly done: string;
  /** The link expired, was used or was replaced: what to do instead. */
  readonly invalid: ReactNode;
}

export function LinkPasswordPage(props: {
  readonly texts: LinkPasswordTexts;
  /** The API's name for the new password in field errors (`newPassword`, `password`). */
  readonly field: string;
  readonly send: (token: string, password: string) => Promise<void>;
}) {
  const { texts } = props;
  const [token, setToken] = useState(tokenFromFragment);
  const [value, setValue] = useState<NewPassword>(EMPTY_NEW_PASSWORD);
  const [errors, setErrors] = useState<NewPasswordErrors>({});
  const [error, setError] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<"form" | "done" | "invalid">("form");
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);

  useFocusFirstInvalid(form, errors, !newPasswordOk(errors));
  // The form gives way to a message: the focus (on its button) would fall to the page's body,
  // and a keyboard user would start again from the top. The heading, as after any removal.
  useEffect(() => {
    if (outcome !== "form") focusMainContent();
  }, [outcome]);

  useEffect(() => {
    const forget = () => {
      if (window.location.hash) window.history.replaceState(null, "", window.location.pathname);
    };
    forget();
    // Another link pasted into this tab changes only the fragment: no new page loads, so the page
    // starts over with its token (not the last link's "expired").
    const onHashChange = () => {
      const next = tokenFromFragment();
      if (!next) return;
      setToken(next);
      setValue(EMPTY_NEW_PASSWORD);
      setErrors({});
      setError(null);
      setOutcome("form");
      forget();
    };
    window.addEventListener("hashchange", onHashChange);
    return () => window.removeEventListener("hashchange", onHashChange);
  }, []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const local = checkNewPassword(value);
    setErrors(local);
    if (!newPasswordOk(local) || !token) return;
    setBusy(true);
    try {
      await props.send(token, value.password);
      setOutcome("done");
    } catch (e) {
      if (problemCode(e) === "INVALID_TOKEN") setOutcome("invalid");
      else {
        const reason = fieldErrors(e)[props.field];
        if (reason) setErrors({ password: sentence(reason) });
        else setError(problemMessage(e));
      }
    } finally {
      setBusy(false);
    }
  };

  let body: ReactNode;
  if (!token) {
    body = (
      <ErrorAlert>
        This link is incomplete. Open the link from your email again, or copy all of it into the address bar.
      </ErrorAlert>
    );
  } else if (outcome === "done") {
    body = <Notice>{texts.done}</Notice>;
  } else if (outcome === "invalid") {
    body = (
      <div role="alert" className="error">
        {texts.invalid}
      </div>
    );
  } else {
    body = (
      <form ref={form} onSubmit={submit} aria-busy={busy} noValidate>
        <p>{texts.intro}</p>
        <NewPasswordFields value={value} onChange={setValue} errors={errors} />
        <ErrorAlert>{error}</ErrorAlert>
        <FormActions busy={busy} submitLabel={texts.submit} />
      </form>
    );
  }
  return (
    <main className="card">
      <h1>{texts.title}</h1>
      {body}
      <p>
        <Link to="/sign-in">{outcome === "done" ? "Sign in" : "Back to sign in"}</Link>
      </p>
    </main>
  );
}

const RESET: LinkPasswordTexts = {
  title: "Reset password",
  intro: "Choose a new password for your account.",
  submit: "Reset password",
  done: "Your password was reset and every session of your account was signed out. Sign in with your new password.",
  invalid: (
    <p>
      This reset link has expired, was already used, or was replaced by a newer one.{" "}
      <Link to="/forgot-password">Ask for a new link</Link>.
    </p>
  ),
};

export function ResetPasswordPage() {
  const api = useApi();
  return (
    <LinkPasswordPage
      texts={RESET}
      field="newPassword"
      send={(token, newPassword) => api.credentials.resetPassword({ token, newPassword })}
    />
  );
}
