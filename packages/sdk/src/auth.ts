/** Sign-in, sign-out and the current user. */
import type { User } from "@staffgate/contract";
import type { Transport } from "./http.ts";

export interface LoginResult {
  readonly token: string;
  readonly expiresAt: string;
  readonly mustChangePassword: boolean;
  readonly user: User;
}

export interface Me {
  readonly user: User;
  readonly tenant: { id: string; slug: string; name: string };
  readonly permissions: string[];
}

export function authApi(t: Transport) {
  return {
    login: (body: { tenant: string; login: string; password: string; totp?: string }) =>
      t.request<LoginResult>("POST", "/api/v1/auth/login", { body }),
    logout: () => t.request<void>("POST", "/api/v1/auth/logout"),
    me: () => t.request<Me>("GET", "/api/v1/auth/me"),
  };
}
