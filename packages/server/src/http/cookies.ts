/**
 * The console's cookies (SECURITY.md E-42): the session token in `__Host-staffgate_session`
 * (HttpOnly, Secure, SameSite=Strict, Path=/, no Domain) and its CSRF token in
 * `__Host-staffgate_csrf` (readable by the console's script, which echoes it in `X-CSRF-Token`).
 * Both are browser-session cookies (no Max-Age): the server enforces the idle and absolute limits.
 */

export const SESSION_COOKIE = "__Host-staffgate_session";
export const CSRF_COOKIE = "__Host-staffgate_csrf";
/** The MFA "remember this device" token, read at sign-in and handed to the second-factor seam. */
export const REMEMBER_COOKIE = "__Host-staffgate_remember";
export const CSRF_HEADER = "x-csrf-token";

/** Parses a Cookie header; the first occurrence of a name wins; values are not decoded. */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, "$1");
    if (!out.has(name)) out.set(name, value);
  }
  return out;
}

const ATTRS = "Path=/; Secure; SameSite=Strict";
const HTTP_ONLY = "Path=/; HttpOnly; Secure; SameSite=Strict";

/** The Set-Cookie values a successful sign-in sends. Tokens are base64url: no escaping needed. */
export function signInCookies(token: string, csrfToken: string): string[] {
  return [`${SESSION_COOKIE}=${token}; ${HTTP_ONLY}`, `${CSRF_COOKIE}=${csrfToken}; ${ATTRS}`];
}

/** The remember-device cookie: HttpOnly, until the token expires. */
export function rememberCookie(token: string, expiresAt: string): string {
  return `${REMEMBER_COOKIE}=${token}; ${HTTP_ONLY}; Expires=${new Date(expiresAt).toUTCString()}`;
}

/** The Set-Cookie values that clear both cookies (sign-out). */
export function clearedCookies(): string[] {
  return [`${SESSION_COOKIE}=; ${HTTP_ONLY}; Max-Age=0`, `${CSRF_COOKIE}=; ${ATTRS}; Max-Age=0`];
}
