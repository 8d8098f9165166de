/**
 * The console's one SDK client, for a same-origin cookie session: fetch sends cookies
 * (`credentials: "same-origin"`), no bearer token is ever held by script, and unsafe methods
 * carry `X-CSRF-Token` read from the `__Host-staffgate_csrf` cookie at each call.
 * No DOM here: main.tsx hands in the browser's origin, cookies and fetch.
 */
import { type FetchLike, Staffgate, StaffgateError, StaffgateTimeoutError } from "@staffgate/sdk";
import { SessionChangedError } from "./sessionPin.ts";

export const CSRF_COOKIE = "__Host-staffgate_csrf";

/** One cookie's value from a `document.cookie` string; the first occurrence wins. */
export function readCookie(cookies: string, name: string): string | undefined {
  for (const part of cookies.split(";")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}

/**
 * Whether the browser may hold a session: the CSRF cookie is set with the session cookie at
 * sign-in and cleared with it at sign-out, and (unlike the HttpOnly session cookie) script can
 * read it. Without it `GET /auth/me` could only answer 401, so the console does not ask.
 */
export function mayHaveSession(cookies: string): boolean {
  return readCookie(cookies, CSRF_COOKIE) !== undefined;
}

export interface BrowserEnv {
  /** `window.location.origin`: the API is served by the same server as the console. */
  readonly origin: string;
  /** `() => document.cookie` */
  readonly cookies: () => string;
  readonly fetch: FetchLike;
}

export function createApi(env: BrowserEnv): Staffgate {
  return new Staffgate({
    baseUrl: env.origin,
    fetch: (url, init) => env.fetch(url, { ...init, credentials: "same-origin" }),
    csrfToken: () => readCookie(env.cookies(), CSRF_COOKIE),
  });
}

/** The code of a failed call, or undefined for anything that is not an API problem. */
export function problemCode(error: unknown): string | undefined {
  return error instanceof StaffgateError ? error.code : undefined;
}

/** A sign-in refused only for want of a TOTP or recovery code (the password was right). */
export function secondFactorRequired(error: unknown): boolean {
  return (
    error instanceof StaffgateError &&
    error.code === "INVALID_CREDENTIALS" &&
    (error.problem as { secondFactor?: unknown }).secondFactor === "required"
  );
}

const WORDS: Readonly<Record<string, string>> = {
  INVALID_CREDENTIALS: "The tenant, username or password is not right.",
  MFA_CODE_INVALID: "That code is not valid. Try the current code from your app, or a recovery code.",
  SERVICE_BUSY: "The service is busy. Try again in a moment.",
  DATABASE_UNAVAILABLE: "The service cannot reach its database. Try again in a moment.",
  UNAUTHENTICATED: "Your session has ended. Sign in again.",
  FORBIDDEN: "You do not have permission to do that.",
  CSRF_TOKEN_INVALID: "Your session could not be verified. Reload the page and try again.",
  PRECONDITION_FAILED:
    "Someone else changed this since it was shown here, so nothing was saved. Close this to see their change, then try again.",
  IDEMPOTENT_RESPONSE_NOT_KEPT:
    "This was done when the service stopped answering, but what it showed only once (a token, a password or codes) cannot be shown again. Close this and find it in the list: revoke or renew it there.",
  IDEMPOTENCY_KEY_REUSED:
    "This differs from what you sent before the service stopped answering, which may have been done. Reload the page to check before trying again.",
};

/**
 * How long a throttled person waits, from the answer's `retryAfter` (seconds, as `Retry-After`):
 * the sign-in throttle's windows are 15 minutes long, so "a minute" sent people back to be refused
 * again, each refusal counting.
 */
function throttledMessage(retryAfter: unknown): string {
  const seconds = Math.ceil(Number(retryAfter));
  if (!Number.isFinite(seconds) || seconds <= 0) return "Too many attempts. Wait a while and try again.";
  const [n, unit] = seconds < 60 ? [seconds, "second"] : [Math.ceil(seconds / 60), "minute"];
  return `Too many attempts. Try again in ${n} ${unit}${n === 1 ? "" : "s"}.`;
}

/** A failed call in words a person can act on. */
export function problemMessage(error: unknown): string {
  if (error instanceof StaffgateError) {
    if (error.code === "THROTTLED") return throttledMessage(error.retryAfter);
    if (notFromStaffgate(error)) {
      return `Something between this browser and the service answered instead of it (${error.problem.title}): what you asked may or may not have been done. Reload the page to check before trying again.`;
    }
    // A refusal for a permission names it: "You do not have permission to do that." alone left
    // someone whose role had just changed guessing (the conflict review).
    const detail = error.problem.detail;
    if (error.code === "FORBIDDEN" && detail && detail !== error.problem.title) {
      return `${WORDS.FORBIDDEN} ${detail}${/[.!?]$/.test(detail) ? "" : "."}`;
    }
    return WORDS[error.code] ?? error.problem.detail ?? error.problem.title;
  }
  if (error instanceof SessionChangedError) return error.message;
  if (error instanceof StaffgateTimeoutError) return TIMED_OUT;
  return "The service could not be reached. Check your connection and try again.";
}

export const TIMED_OUT =
  "The service did not answer in time, so what you asked may have been done. Reload the page to check before trying again.";

/** An answer whose body was a proxy's or a gateway's page, not a problem of Staffgate's (the SDK's `notOurs`). */
function notFromStaffgate(error: StaffgateError): boolean {
  return (
    error.problem.type === "about:blank" &&
    (error.problem.detail ?? "").startsWith("not an answer of Staffgate")
  );
}

/** Conflicts that name one field without an `errors[]` entry. */
const FIELD_OF_CODE: Readonly<Record<string, string>> = {
  USER_USERNAME_TAKEN: "username",
  USER_EMAIL_TAKEN: "email",
};

/** The problem's `errors[]` as path → message (first message per path), for errors beside fields. */
export function fieldErrors(error: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(error instanceof StaffgateError)) return out;
  for (const e of error.errors) {
    if (!(e.path in out)) out[e.path] = e.message;
  }
  const field = FIELD_OF_CODE[error.code];
  if (field && !(field in out)) out[field] = error.problem.detail ?? error.problem.title;
  return out;
}
