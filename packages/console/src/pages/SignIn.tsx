/**
 * Sign-in: tenant, username or email, password; then a TOTP step when the API asks for one.
 * A notice says why a signed-out user is here (inactivity, a session ended elsewhere).
 */
import { type FormEvent, useState } from "react";
import { problemCode, problemMessage } from "../api.ts";
import { Field } from "../components/Field.tsx";
import { FormActions } from "../components/FormActions.tsx";
import { ErrorAlert } from "../components/Messages.tsx";
import { Link } from "../router.tsx";
import { useApi } from "../session.tsx";
import type { LoginResult } from "../types.ts";

export function SignInPage({
  onSignedIn,
  notice,
}: {
  onSignedIn: (result: LoginResult) => Promise<void>;
  /** Why the user is here again (signed out for inactivity, session ended elsewhere). */
  notice?: string | null;
}) {
  const api = useApi();
  const [tenant, setTenant] = useState("");
  const [login, setLogin] = useState("");
  const [password, setPassword] = useState("");
  const [totp, setTotp] = useState("");
  const [step, setStep] = useState<"password" | "totp">("password");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const result = await api.auth.login({
        tenant: tenant.trim(),
        login: login.trim(),
        password,
        ...(step === "totp" ? { totp: totp.replace(/\s+/g, "") } : {}),
      });
      await onSignedIn(result);
    } catch (e) {
      if (problemCode(e) === "MFA_CODE_REQUIRED" && step === "password") {
        setStep("totp");
      } else {
        setError(problemMessage(e));
      }
      setBusy(false);
    }
  };

  const back = () => {
    setStep("password");
    setTotp("");
    setError(null);
  };

  return (
    <main className="card">
      <h1>Sign in to Staffgate</h1>
      {notice && (
        <p role="status" className="notice warn">
          {notice}
        </p>
      )}
      <form onSubmit={submit} aria-busy={busy} noValidate>
        {step === "password" ? (
          <>
            <Field
              label="Tenant"
              name="tenant"
              autoComplete="organization"
              value={tenant}
              onChange={(e) => setTenant(e.target.value)}
              required
            />
            <Field
              label="Username or email"
              name="login"
              autoComplete="username"
              value={login}
              onChange={(e) => setLogin(e.target.value)}
              required
            />
            <Field
              label="Password"
              name="password"
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              required
            />
          </>
        ) : (
          <>
            <p>Enter the 6-digit code from your authenticator app, or one of your recovery codes.</p>
            <Field
              label="Authentication code"
              name="totp"
              autoComplete="one-time-code"
              inputMode="numeric"
              value={totp}
              onChange={(e) => setTotp(e.target.value)}
              required
            />
          </>
        )}
        <ErrorAlert>{error}</ErrorAlert>
        <FormActions
          busy={busy}
          onCancel={step === "totp" ? back : undefined}
          cancelLabel="Back"
          submitLabel={step === "totp" ? "Verify" : "Sign in"}
        />
      </form>
      <p>
        <Link to="/forgot-password">Forgot password?</Link>
      </p>
    </main>
  );
}
