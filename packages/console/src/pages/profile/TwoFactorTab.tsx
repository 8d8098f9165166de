/**
 * Profile → Two-factor: TOTP enrolment (QR code and the key as text, confirmed with a code), the
 * ten recovery codes shown once, and turning it off with the password. An enrolment-only session
 * becomes a full one on confirmation: `/auth/me` is read again then (the frame stops saying
 * enrolment is due), and "Continue" goes on to the app.
 */
import { type FormEvent, useEffect, useState } from "react";
import { fieldErrors, problemCode, problemMessage } from "../../api.ts";
import { Field } from "../../components/Field.tsx";
import { FormActions } from "../../components/FormActions.tsx";
import { ErrorAlert, Notice } from "../../components/Messages.tsx";
import { useLoad } from "../../components/useLoad.ts";
import { navigate } from "../../router.tsx";
import { dueOf, useApi, useSession } from "../../session.tsx";
import { DisableMfaDialog } from "./DisableMfaDialog.tsx";
import { PasswordAgainDialog } from "./PasswordAgainDialog.tsx";
import { QrCode } from "./QrCode.tsx";
import { RenewCodesDialog } from "./RenewCodesDialog.tsx";
import { TotpKey } from "./TotpKey.tsx";

type Step =
  | { readonly kind: "idle" }
  | { readonly kind: "enrolling"; readonly secret: string; readonly otpauthUrl: string }
  | {
      readonly kind: "codes";
      readonly codes: readonly string[];
      readonly renewed?: boolean;
      /** Whether the session was confined to enrolment when it began (Continue then leads on). */
      readonly confined?: boolean;
    };

export function TwoFactorTab() {
  const api = useApi();
  const session = useSession();
  const [step, setStep] = useState<Step>({ kind: "idle" });
  const [code, setCode] = useState("");
  const [codeError, setCodeError] = useState<string | undefined>();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [copied, setCopied] = useState<string | null>(null);
  const [disabling, setDisabling] = useState(false);
  const [renewing, setRenewing] = useState(false);
  const [askingPassword, setAskingPassword] = useState(false);
  // Each step replaces the button that led to it: the focus goes into the new step (its code field,
  // the recovery codes' heading), not back to the page's heading (console audit, keyboard use).
  useEffect(() => {
    const target =
      step.kind === "enrolling" ? "totp-code" : step.kind === "codes" ? "recovery-codes-title" : null;
    if (target) document.getElementById(target)?.focus();
  }, [step.kind]);
  // A refused code puts the focus in the code field, once it is marked invalid with its error (read
  // through aria-describedby), as the sign-in's code step does; it stayed on Confirm, unannounced.
  const [refusals, setRefusals] = useState(0);
  useEffect(() => {
    if (refusals === 0) return;
    const field = document.getElementById("totp-code");
    if (field instanceof HTMLInputElement) {
      field.focus();
      field.select();
    }
  }, [refusals]);
  const refuseCode = (message: string | undefined) => {
    setCodeError(message);
    setRefusals((n) => n + 1);
  };
  const confined = session.purpose !== "full";
  const enrolled = session.me.user.mfaEnrolled;
  const [status, reloadStatus] = useLoad(
    () => (enrolled ? api.mfa.status() : Promise.resolve(null)),
    [enrolled, step.kind],
  );

  const enrolWith = (enrolment: { secret: string; otpauthUrl: string }) => {
    setCode("");
    setCodeError(undefined);
    setCopied(null);
    setStep({ kind: "enrolling", ...enrolment });
  };
  const start = async () => {
    setBusy(true);
    setError(null);
    try {
      enrolWith(await api.mfa.startTotp());
    } catch (e) {
      // Longer than a few minutes after signing in, the server asks for the password first.
      if (problemCode(e) === "REAUTHENTICATION_REQUIRED") setAskingPassword(true);
      else setError(problemMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const confirm = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const entered = code.replace(/\s+/g, "");
    if (!/^\d{6}$/.test(entered)) {
      refuseCode("Enter the 6-digit code your app shows now.");
      return;
    }
    setCodeError(undefined);
    setBusy(true);
    try {
      const { recoveryCodes } = await api.mfa.confirmTotp(entered);
      setCopied(null);
      setStep({ kind: "codes", codes: recoveryCodes, confined });
      // Enrolled now: the frame stops saying enrolment is due above the codes that say it is on
      // (Continue asks again, so a failure here changes nothing). Not while the password is due
      // too: the fresh session would leave Profile only its Password tab, taking the codes away
      // before they are saved.
      if (!dueOf(session.me).password) session.refresh().catch(() => {});
    } catch (e) {
      if (problemCode(e) === "MFA_CODE_INVALID") {
        refuseCode("That code is not right. Enter the code your app shows now (check the device's clock).");
      } else if (fieldErrors(e).code) refuseCode(fieldErrors(e).code);
      else setError(problemMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const copy = (codes: readonly string[]) => {
    navigator.clipboard.writeText(codes.join("\n")).then(
      () => setCopied("Copied the recovery codes."),
      () => setCopied("Could not copy: select the codes and copy them yourself."),
    );
  };

  const finish = async () => {
    setBusy(true);
    setError(null);
    try {
      const next = await session.refresh();
      setStep({ kind: "idle" });
      setBusy(false);
      if (step.kind === "codes" && step.confined && next === "full") {
        session.notify("Two-factor sign-in is on.", session.home);
        navigate(session.home, { replace: true });
      } else {
        session.notify(
          next === "full"
            ? "Two-factor sign-in is on."
            : "Two-factor sign-in is on. Now change your password.",
        );
      }
    } catch (e) {
      setError(problemMessage(e));
      setBusy(false);
    }
  };

  const failure = <ErrorAlert>{error}</ErrorAlert>;

  if (step.kind === "enrolling") {
    return (
      <form onSubmit={confirm} aria-busy={busy} noValidate className="totp-setup">
        <h2>Set up two-factor sign-in</h2>
        <p>1. Scan this QR code with an authenticator app on your phone.</p>
        <QrCode value={step.otpauthUrl} label="QR image for your authenticator app" />
        <TotpKey secret={step.secret} />
        <p>2. Enter the 6-digit code the app shows for Staffgate.</p>
        <Field
          id="totp-code"
          label="Code from your app"
          name="totp"
          autoComplete="one-time-code"
          inputMode="numeric"
          value={code}
          onChange={(e) => setCode(e.target.value)}
          error={codeError}
          required
        />
        {failure}
        <FormActions
          className="actions start"
          busy={busy}
          onCancel={() => setStep({ kind: "idle" })}
          submitLabel="Confirm"
        />
      </form>
    );
  }

  if (step.kind === "codes") {
    return (
      <section aria-labelledby="recovery-codes-title">
        <h2 id="recovery-codes-title" tabIndex={-1}>
          Save your recovery codes
        </h2>
        <Notice>
          {step.renewed
            ? "New recovery codes: the earlier ones no longer work."
            : "Two-factor sign-in is on."}
        </Notice>
        <p>
          If you lose your phone, each of these codes signs you in once instead of a code from the app. They
          are shown only now: copy them or write them down, and keep them somewhere safe.
        </p>
        <ul className="recovery-codes" aria-label="Recovery codes">
          {step.codes.map((c) => (
            <li key={c}>
              <code>{c}</code>
            </li>
          ))}
        </ul>
        {copied && <p role="status">{copied}</p>}
        {failure}
        <div className="actions start">
          <button type="button" onClick={() => copy(step.codes)}>
            Copy
          </button>
          <button
            type="button"
            className="primary"
            onClick={step.renewed ? () => setStep({ kind: "idle" }) : finish}
            disabled={busy}
          >
            {step.confined ? "Continue" : "Done"}
          </button>
        </div>
      </section>
    );
  }

  return (
    <section aria-labelledby="two-factor-title">
      <h2 id="two-factor-title">Two-factor sign-in</h2>
      {enrolled ? (
        <>
          <p>
            Two-factor sign-in is on: you sign in with your password and a code from your authenticator app.
          </p>
          {status.kind === "ready" && status.value && (
            <p className={status.value.recoveryCodesLeft <= 3 ? "hint warning" : "hint"}>
              {status.value.recoveryCodesLeft === 1
                ? "1 recovery code left."
                : `${status.value.recoveryCodesLeft} recovery codes left.`}
              {status.value.recoveryCodesLeft <= 3 && " Make new ones before you run out."}
            </p>
          )}
          {status.kind === "error" && <ErrorAlert>{status.message}</ErrorAlert>}
        </>
      ) : (
        <p>
          Two-factor sign-in is off. Turn it on to sign in with your password and a code from an authenticator
          app, so a stolen password alone cannot open your account.
        </p>
      )}
      {failure}
      {enrolled && session.me.mfaRequired && (
        <p className="hint">
          Your practice requires two-factor sign-in for your account, so it cannot be turned off.
        </p>
      )}
      <div className="actions start">
        {enrolled ? (
          <>
            <button type="button" onClick={() => setRenewing(true)}>
              New recovery codes…
            </button>
            {!session.me.mfaRequired && (
              <button type="button" className="danger" onClick={() => setDisabling(true)}>
                Turn off two-factor sign-in
              </button>
            )}
          </>
        ) : (
          <button type="button" className="primary" onClick={start} disabled={busy}>
            Set up two-factor sign-in
          </button>
        )}
      </div>
      {askingPassword && (
        <PasswordAgainDialog
          title="Set up two-factor sign-in"
          submitLabel="Continue"
          submit={async (password) => {
            const enrolment = await api.mfa.startTotp(password);
            setAskingPassword(false);
            enrolWith(enrolment);
          }}
          onClose={() => setAskingPassword(false)}
        >
          <p>
            You signed in a while ago. Enter your password to confirm it is you before adding an authenticator
            app to your account.
          </p>
        </PasswordAgainDialog>
      )}
      {renewing && (
        <RenewCodesDialog
          onClose={() => setRenewing(false)}
          onDone={(codes) => {
            setRenewing(false);
            setCopied(null);
            setStep({ kind: "codes", codes, renewed: true });
            reloadStatus();
          }}
        />
      )}
      {disabling && (
        <DisableMfaDialog
          onClose={() => setDisabling(false)}
          onDone={() => {
            setDisabling(false);
            session.refresh().then(
              () => session.notify("Two-factor sign-in is off."),
              (e: unknown) => setError(problemMessage(e)),
            );
          }}
        />
      )}
    </section>
  );
}
