/**
 * Forgot password: tenant and email. The confirmation is one fixed text whatever the account
 * (the API answers the same either way), so the page never tells whether an address is known.
 */
import { type FormEvent, useState } from "react";
import { fieldErrors, problemCode, problemMessage } from "../api.ts";
import { Field } from "../components/Field.tsx";
import { Link } from "../router.tsx";
import { useApi } from "../session.tsx";

export const FORGOT_CONFIRMATION =
  "If an account with that email exists in that tenant, we have sent it a link to reset the password. The link works once and expires soon.";

export function ForgotPasswordPage() {
  const api = useApi();
  const [tenant, setTenant] = useState("");
  const [email, setEmail] = useState("");
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setErrors({});
    try {
      await api.credentials.forgotPassword({ tenant: tenant.trim(), email: email.trim() });
      setSent(true);
    } catch (e) {
      if (problemCode(e) === "VALIDATION_FAILED") setErrors(fieldErrors(e));
      else setError(problemMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="card">
      <h1>Forgot password</h1>
      {sent ? (
        <p role="status">{FORGOT_CONFIRMATION}</p>
      ) : (
        <form onSubmit={submit} aria-busy={busy} noValidate>
          <Field
            label="Tenant"
            name="tenant"
            autoComplete="organization"
            value={tenant}
            onChange={(e) => setTenant(e.target.value)}
            error={errors.tenant}
            required
          />
          <Field
            label="Email"
            name="email"
            type="email"
            autoComplete="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            error={errors.email}
            required
          />
          {error && (
            <p role="alert" className="error">
              {error}
            </p>
          )}
          <div className="actions">
            <button type="submit" className="primary" disabled={busy}>
              Send reset link
            </button>
          </div>
        </form>
      )}
      <p>
        <Link to="/sign-in">Back to sign in</Link>
      </p>
    </main>
  );
}
