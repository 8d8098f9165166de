/** The SDK client and the signed-in session, shared with every page through context. */
import { Staffgate, StaffgateError } from "@staffgate/sdk";
import { createContext, useContext } from "react";
import type { Me } from "./types.ts";

export const ApiContext = createContext<Staffgate | null>(null);

export function useApi(): Staffgate {
  const api = useContext(ApiContext);
  if (!api) throw new Error("useApi outside <ApiContext>");
  return api;
}

export type Purpose = "full" | "mfa_enrolment" | "password_change";

export interface Session {
  readonly me: Me;
  /** `full`, or a restricted session that may only enrol in MFA or change its password. */
  readonly purpose: Purpose;
  readonly can: (permission: string) => boolean;
  readonly signOut: () => Promise<void>;
  /**
   * Reads `/auth/me` again (after a password change, an MFA enrolment or a settings save), sets
   * the idle clock to the limit it reports, and returns the new purpose.
   */
  readonly refresh: () => Promise<Purpose>;
  /** Where a full session starts: the first page the main navigation offers this user. */
  readonly home: string;
  /** A success message shown once above the page at `path` (default: the current page). */
  readonly notify: (message: string, path?: string) => void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside a signed-in page");
  return session;
}

/** What the server still requires before it answers anything else (route.ts `confine`). */
export function dueOf(me: Me): { password: boolean; mfa: boolean } {
  return {
    password: me.user.mustChangePassword || me.session?.purpose === "password_change",
    mfa: me.session?.purpose === "mfa_enrolment",
  };
}

/**
 * The session's purpose as the console leads it. The server confines a user who must change the
 * password by the account's flag (and reports `password_change`), so the flag decides here too;
 * a session that must do both starts with the password.
 */
export function purposeOf(me: Me): Purpose {
  const due = dueOf(me);
  return due.password ? "password_change" : due.mfa ? "mfa_enrolment" : "full";
}

type Transport = Staffgate["transport"];

export interface CallObserver {
  /**
   * A call the server answered with the session standing (any status but 401, and a step-up's
   * 401 REAUTHENTICATION_REQUIRED, which touched the session): `start` and `end` are `Date.now()`
   * times.
   */
  readonly answered: (start: number, end: number) => void;
  /** A call answered 401 UNAUTHENTICATED: the session has ended (elsewhere, or it expired). */
  readonly unauthenticated: () => void;
  /**
   * Before a change is sent (any method but GET/HEAD): throws to keep it from being sent, as when
   * the browser's session is no longer this page's (sessionGuard.ts).
   */
  readonly beforeChange?: () => Promise<void>;
  /** A call refused 403 FORBIDDEN: the person's permissions may have changed since the page read them. */
  readonly forbidden?: () => void;
}

const READS = new Set(["GET", "HEAD"]);

function observed(t: Transport, observer: CallObserver): Transport {
  const report = (status: number, code: string | undefined, start: number) => {
    if (status !== 401 || code === "REAUTHENTICATION_REQUIRED") observer.answered(start, Date.now());
    else if (code === "UNAUTHENTICATED") observer.unauthenticated();
    if (status === 403 && code === "FORBIDDEN") observer.forbidden?.();
  };
  /** A call that reads its whole answer: reported once it is answered, or refused. */
  const watched = async <T,>(call: () => Promise<T>): Promise<T> => {
    const start = Date.now();
    try {
      const value = await call();
      report(200, undefined, start);
      return value;
    } catch (error) {
      if (error instanceof StaffgateError) report(error.status, error.code, start);
      throw error;
    }
  };
  const guard = async (method: string) => {
    if (!READS.has(method.toUpperCase())) await observer.beforeChange?.();
  };
  return {
    request: async <T,>(...args: Parameters<Transport["request"]>) => {
      await guard(args[0]);
      return watched(() => t.request<T>(...args));
    },
    async raw(...args: Parameters<Transport["raw"]>): Promise<Response> {
      await guard(args[0]);
      const start = Date.now();
      const response = await t.raw(...args);
      // The body is the caller's to read; a 401 from `raw` is reported without its code.
      report(response.status, response.status === 401 ? "UNAUTHENTICATED" : undefined, start);
      return response;
    },
    text: async (...args: Parameters<Transport["text"]>) => {
      await guard(args[0]);
      return watched(() => t.text(...args));
    },
    withToken: (token) => observed(t.withToken(token), observer),
    withTimeout: (ms) => observed(t.withTimeout(ms), observer),
  };
}

/** The same client, telling `observer` about every answer: the one place calls are watched. */
export function observeCalls(api: Staffgate, observer: CallObserver): Staffgate {
  return new Staffgate(observed(api.transport, observer));
}
