/** TOTP MFA of the signed-in user, and the administrator's reset of another user's MFA. */
import type { MfaStatus, RecoveryCodes, TotpEnrolment, User } from "@staffgate/contract";
import { enc, type Transport } from "./http.ts";

export function mfaApi(t: Transport) {
  return {
    /**
     * Starts (or restarts) enrolment: show `otpauthUrl` as a QR code, or `secret` to type. The
     * password is needed more than 10 minutes after signing in (REAUTHENTICATION_REQUIRED).
     */
    startTotp: (password?: string) =>
      t.request<TotpEnrolment>(
        "POST",
        "/api/v1/auth/mfa/totp",
        password === undefined ? {} : { body: { password } },
      ),
    /** Confirms with the authenticator's current code; the recovery codes are shown this once. */
    confirmTotp: (code: string) =>
      t.request<RecoveryCodes>("POST", "/api/v1/auth/mfa/totp/confirm", { body: { code } }),
    /** Whether one's own MFA is on, and how many recovery codes are unused. */
    status: () => t.request<MfaStatus>("GET", "/api/v1/auth/mfa"),
    /** 10 new recovery codes, shown this once; every earlier code stops working. Asks the password again. */
    renewRecoveryCodes: (password: string) =>
      t.request<RecoveryCodes>("POST", "/api/v1/auth/mfa/recovery-codes", { body: { password } }),
    /** Turns one's own MFA off; asks the password again. */
    disable: (password: string, options: { ifMatch?: number } = {}) =>
      t.request<void>("DELETE", "/api/v1/auth/mfa", { body: { password }, ...options }),
    /** `users.credentials`: clears a user's MFA and ends their sessions. */
    reset: (userId: string, options: { ifMatch?: number } = {}) =>
      t.request<User>("POST", `/api/v1/users/${enc(userId)}/mfa/reset`, options),
  };
}
