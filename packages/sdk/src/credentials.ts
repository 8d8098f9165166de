/** Password flows: change one's own, forgot / reset, accept an invitation, administrator actions. */
import type { ForgotPasswordResponse } from "@staffgate/contract";
import { enc, type Transport } from "./http.ts";

/** `POST /users/{id}/password`: exactly one of these. */
export type SetUserPasswordInput =
  | { password: string; mustChangePassword?: boolean }
  | { random: true; mustChangePassword?: boolean }
  | { sendResetLink: true }
  /** The current password is compromised: it stops working, sessions end, a reset link is emailed. */
  | { compromised: true };

export function credentialsApi(t: Transport) {
  return {
    /** The signed-in user's own password; ends the user's other sessions (this one stays). */
    changePassword: (body: { currentPassword: string; newPassword: string }) =>
      t.request<void>("POST", "/api/v1/auth/password", { body }),
    /** Always the same 202 answer, whether or not the account exists. */
    forgotPassword: (body: { tenant: string; email: string }) =>
      t.request<ForgotPasswordResponse>("POST", "/api/v1/auth/forgot-password", { body }),
    /** With the token from the emailed link; single use; does not sign in. */
    resetPassword: (body: { token: string; newPassword: string }) =>
      t.request<void>("POST", "/api/v1/auth/reset-password", { body }),
    /** With the token from the invitation link; the user becomes active; single use. */
    acceptInvitation: (body: { token: string; password: string }) =>
      t.request<void>("POST", "/api/v1/auth/invitations/accept", { body }),
    /**
     * Administrator (users.credentials): a random password comes back as `{ password }`, shown
     * once; a typed one, a reset link or `{ compromised: true }` give `undefined`.
     */
    setUserPassword: (id: string, body: SetUserPasswordInput, options: { ifMatch?: number } = {}) =>
      t.request<{ password: string } | undefined>("POST", `/api/v1/users/${enc(id)}/password`, {
        body,
        ...options,
      }),
    /** Administrator (users.manage): a new invitation link for an invited user. */
    resendInvitation: (id: string) => t.request<void>("POST", `/api/v1/users/${enc(id)}/invitation`),
  };
}
