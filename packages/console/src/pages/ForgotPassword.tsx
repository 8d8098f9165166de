/**
 * Forgot password: practice (tenant) and email. The confirmation is one fixed text whatever the account
 * (the API answers the same either way), so the page never tells whether an address is known.
 */
import { type FormEvent, useState } from "react";
import { fieldErrors, problemCode, problemMessage } from "../api.ts";
import { Field } from "../components/Field.tsx";
import { FormActions } from "../components/FormActions.tsx";
import { ErrorAlert } from "../components/Messages.tsx";
import { type Refusal, useSubmit } from "../components/useSubmit.ts";
import { looksLikeEmail, NOT_AN_EMAIL } from "../emailShape.ts";
import { Link } from "../router.tsx";
import { useApi } from "../session.tsx";
import { PRACTICE_HINT } from "./SignIn.tsx";

/** The link's lifetime is the server's RESET_LINK_MINUTES (core/src/auth/credential-emails.ts). */
export const FORGOT_CONFIRMATION =
  "If an account with that email exists in that practice, we have sent it a link to reset the password. The link works once and must be used within 60 minutes. If you were invited and have not set a password yet, we have sent you a new invitation instead.";

export function ForgotPasswordPage() {
  const api = useApi();
  // The practice typed on the sign-in page comes along in the address (`?practice=`).
  const [tenant, setTenant] = useState(
    () => new URLSearchParams(window.location.search).get("practice") ?? "",
  );
  const [email, setEmail] = useState("");
  const [sent, setSent] = useState(false);
  const { busy, error, errors, submit } = useSubmit();

  const send = async () => {
    await api.credentials.forgotPassword({ tenant: tenant.trim(), email: email.trim() });
    setSent(true);
  };
  // The form's own words for what is missing; the API's validation texts are not meant for people.
  const check = () => {
    const missing: Record<string, string> = {};
    if (!tenant.trim()) missing.tenant = "Enter your practice.";
    if (!looksLikeEmail(email)) missing.email = email.trim() ? NOT_AN_EMAIL : "Enter your email address.";
    return missing;
  };
  const refused = (e: unknown): Refusal =>
    problemCode(e) === "VALIDATION_FAILED"
      ? { fields: fieldErrors(e), message: null }
      : { fields: {}, message: problemMessage(e) };

  return (
    <main className="card">
      <h1>Forgot Password</h1>
      {sent ? (
        <p role="status">{FORGOT_CONFIRMATION}</p>
      ) : (
        <form
          onSubmit={(event: FormEvent) => submit(event, { check, send, refused })}
          aria-busy={busy}
          noValidate
        >
          <Field
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
            label="Email Address"
            name="email"
            type="email"
            autoComplete="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            error={errors.email}
            required
          />
          <ErrorAlert>{error}</ErrorAlert>
          <FormActions busy={busy} submitLabel="Send reset link" />
        </form>
      )}
      <p>
        <Link to="/sign-in">Back to sign in</Link>
      </p>
    </main>
  );
}
