/** Sign-in, sign-out and the current user. */
import type { User } from "@staffgate/contract";
import { enc, type Transport } from "./http.ts";

export interface LoginResult {
  readonly token: string;
  readonly expiresAt: string;
  readonly mustChangePassword: boolean;
  /** `mfa_enrolment`: the session may only enrol in MFA (and see /auth/me, sign out). */
  readonly purpose: "full" | "mfa_enrolment" | "password_change";
  /** For cookie-authenticated calls (the console): send as `X-CSRF-Token` on unsafe methods. */
  readonly csrfToken: string;
  readonly user: User;
}

export interface SessionInfo {
  readonly id: string;
  readonly createdAt: string;
  readonly lastUsedAt: string;
  readonly expiresAt: string;
  readonly ip: string | null;
  readonly userAgent: string | null;
  readonly purpose: "full" | "mfa_enrolment" | "password_change";
  /** The session this call was made with. */
  readonly current: boolean;
}

export interface Me {
  readonly user: User;
  readonly tenant: { id: string; slug: string; name: string };
  readonly permissions: string[];
  /** Whether the tenant requires two-factor sign-in of this user (so it cannot be turned off). */
  readonly mfaRequired: boolean;
  /** The practice's rules the console states to everyone who meets them. */
  readonly practice: {
    readonly adminTypedPasswordsAllowed: boolean;
    readonly emergencyAccessHours: number;
    readonly rememberDeviceDays: number;
  };
  /** The signed-in session; null when the caller is an API token. */
  readonly session: {
    readonly id: string;
    readonly purpose: "full" | "mfa_enrolment" | "password_change";
    /** The tenant's idle limit: the console warns before it signs the user out. */
    readonly idleTimeoutSeconds: number;
    readonly expiresAt: string;
  } | null;
}

export function authApi(t: Transport) {
  return {
    /** `rememberDevice` (with a code) is kept in a cookie, so it spares only a browser the next code. */
    login: (body: {
      tenant: string;
      login: string;
      password: string;
      totp?: string;
      rememberDevice?: boolean;
    }) => t.request<LoginResult>("POST", "/api/v1/auth/login", { body }),
    logout: () => t.request<void>("POST", "/api/v1/auth/logout"),
    me: () => t.request<Me>("GET", "/api/v1/auth/me"),
    /** The caller's own sessions. */
    sessions: (query: { limit?: number; cursor?: string } = {}) =>
      t.request<{ items: SessionInfo[]; nextCursor: string | null }>("GET", "/api/v1/auth/sessions", {
        query,
      }),
    /**
     * Ends one of the caller's own sessions (another user's id is 404). Another than this one needs
     * `password` more than 10 minutes after signing in (REAUTHENTICATION_REQUIRED).
     */
    endSession: (id: string, options: { ifMatch?: number; password?: string } = {}) => {
      const { password, ...rest } = options;
      return t.request<void>("DELETE", `/api/v1/auth/sessions/${enc(id)}`, {
        ...rest,
        ...(password === undefined ? {} : { body: { password } }),
      });
    },
  };
}
