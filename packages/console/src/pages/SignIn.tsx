/**
 * Sign-in: practice (the tenant's short name), username or email, password; then a TOTP step when
 * the API asks for one.
 * A notice says why a signed-out user is here (inactivity, a session ended elsewhere).
 */
import { type FormEvent, useEffect, useRef, useState } from "react";
import { problemCode, problemMessage, secondFactorRequired } from "../api.ts";
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
  const [remember, setRemember] = useState(false);
  const [step, setStep] = useState<"password" | "totp">("password");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const codeInput = useRef<HTMLInputElement>(null);
  const tenantInput = useRef<HTMLInputElement>(null);
  const loginInput = useRef<HTMLInputElement>(null);
  const passwordInput = useRef<HTMLInputElement>(null);

  // The page starts in its first field, and the code step in its field, so a keyboard user types
  // straight away.
  useEffect(() => {
    tenantInput.current?.focus();
  }, []);
  useEffect(() => {
    if (step === "totp") codeInput.current?.focus();
  }, [step]);

  /** After a refusal the focus goes where the fix is typed: the first field said to be wrong. */
  const focusFirst = (wrong: Record<string, string>) => {
    const order = [
      ["tenant", tenantInput],
      ["login", loginInput],
      ["password", passwordInput],
      ["totp", codeInput],
    ] as const;
    const first = order.find(([name]) => name in wrong)?.[1].current;
    first?.focus();
    first?.select();
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const code = totp.replace(/\s+/g, "");
    const missing = step === "totp" ? missingCode(code) : missingCredentials(tenant, login, password);
    setErrors(missing);
    if (Object.keys(missing).length > 0) return focusFirst(missing);
    setBusy(true);
    try {
      const result = await api.auth.login({
        tenant: tenant.trim(),
        login: login.trim(),
        password,
        ...(step === "totp" ? { totp: code, rememberDevice: remember } : {}),
      });
      await onSignedIn(result);
    } catch (e) {
      if (secondFactorRequired(e) && step === "password") {
        setStep("totp");
      } else if (step === "totp" && problemCode(e) === "INVALID_CREDENTIALS") {
        // The password was right a moment ago (the API asked for a code): the code is what failed.
        setErrors({ totp: WRONG_CODE });
        focusFirst({ totp: WRONG_CODE });
      } else {
        // One text for every wrong credential (nothing tells which was wrong, or that the account
        // is locked), and what repeated attempts lead to and how to get out of it.
        setError(
          problemCode(e) === "INVALID_CREDENTIALS"
            ? `${problemMessage(e)} ${AFTER_WRONG_ATTEMPTS}`
            : problemMessage(e),
        );
        // A refused password is not kept (practice and username stay); the alert is read out and
        // the focus goes to the password, the likeliest thing to retype.
        if (step === "password") setPassword("");
        focusFirst(step === "totp" ? { totp: "" } : { password: "" });
      }
      setBusy(false);
    }
  };

  const back = () => {
    setStep("password");
    setTotp("");
    setError(null);
    setErrors({});
  };

  return (
    <main className="card">
      <h1>Sign in to Staffgate</h1>
      {!window.isSecureContext && (
        // The session cookie is Secure (`__Host-`): over plain http:// anywhere but this machine the
        // browser drops it, and every sign-in would end at once as "Your session has ended".
        <p role="alert" className="notice warn">
          This page is not served over HTTPS, so your browser will not keep the sign-in. Open the console at
          its https:// address (or, on this machine, at http://localhost).
        </p>
      )}
      {notice && (
        <p role="status" className="notice warn">
          {notice}
        </p>
      )}
      <form onSubmit={submit} aria-busy={busy} noValidate>
        {step === "password" ? (
          <>
            <Field
              ref={tenantInput}
              label="Tenant/Practice Name"
              name="tenant"
              hint={PRACTICE_HINT}
              autoComplete="organization"
              value={tenant}
              onChange={(e) => setTenant(e.target.value)}
              error={errors.tenant}
              required
            />
            <Field
              ref={loginInput}
              label="Username or email"
              name="login"
              autoComplete="username"
              value={login}
              onChange={(e) => setLogin(e.target.value)}
              error={errors.login}
              required
            />
            <Field
              ref={passwordInput}
              label="Password"
              name="password"
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              error={errors.password}
              required
            />
          </>
        ) : (
          <>
            <p>Enter the 6-digit code from your authenticator app, or one of your recovery codes.</p>
            <Field
              ref={codeInput}
              label="Authentication code"
              name="totp"
              autoComplete="one-time-code"
              value={totp}
              onChange={(e) => setTotp(e.target.value)}
              error={errors.totp}
              required
            />
            <label className="check">
              <input
                type="checkbox"
                checked={remember}
                onChange={(e) => setRemember(e.target.checked)}
                aria-describedby="remember-hint"
              />
              Remember this device
            </label>
            <p id="remember-hint" className="hint">
              This browser will not ask for a code again for up to 30 days (your practice may set fewer).
              Leave it off on a shared computer.
            </p>
          </>
        )}
        <ErrorAlert>{error}</ErrorAlert>
        <FormActions
          busy={busy}
          onCancel={step === "totp" ? back : undefined}
          cancelLabel="Back"
          submitLabel="Sign in"
        />
      </form>
      <p>
        {/* The practice typed here carries over, so it is not typed twice. */}
        <Link
          to={
            tenant.trim()
              ? `/forgot-password?${new URLSearchParams({ practice: tenant.trim() })}`
              : "/forgot-password"
          }
        >
          Forgot Password
        </Link>
      </p>
    </main>
  );
}

/** The sign-in name of a tenant, in the words of the invitation email ("practice …"). */
export const PRACTICE_HINT = "Your practice’s short name, as in your invitation email";

const AFTER_WRONG_ATTEMPTS =
  "After several wrong attempts an account is locked for a while; Forgot Password sets a new password and unlocks it.";

/**
 * The code step's refusal. It is also what a person whose account locked meanwhile reads (a lock
 * answers as a wrong code does), so it says how a lock ends, as the password step does.
 */
const WRONG_CODE = `That code is not right or was already used. Enter the code your app shows now, or a recovery code you have not used. ${AFTER_WRONG_ATTEMPTS}`;

function missingCredentials(tenant: string, login: string, password: string): Record<string, string> {
  const missing: Record<string, string> = {};
  if (!tenant.trim()) missing.tenant = "Enter your practice.";
  if (!login.trim()) missing.login = "Enter your username or email.";
  if (!password) missing.password = "Enter your password.";
  return missing;
}

function missingCode(code: string): Record<string, string> {
  return code ? {} : { totp: "Enter the code from your authenticator app, or a recovery code." };
}
