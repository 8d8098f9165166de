/**
 * Whose session a page acts in. A browser keeps one session for all its tabs, so a sign-out, or
 * another person's sign-in, in one tab changes it under the others: a tab still showing the first
 * person sent its next change as the second, and the audit trail named the second person for the
 * first one's typing (the conflict review, 2026-12-07). The session's CSRF cookie changes with the
 * session, so a page pins it when it learns whose session it is, and before sending a change
 * compares: when the cookie moved, it asks the server whose session it is now, and the change goes
 * only if it is still the same person's (a password change that renews the cookie, say).
 */
import { StaffgateError } from "@staffgate/sdk";
import type { Me } from "./types.ts";

/** A change not sent because the browser's session is no longer this page's. */
export class SessionChangedError extends Error {
  constructor() {
    super("Not sent: this browser's session changed in another tab.");
    this.name = "SessionChangedError";
  }
}

export type Whose = { readonly kind: "same" } | { readonly kind: "changed"; readonly me: Me | null };

export class SessionPin {
  private cookie: string | undefined;
  private userId: string | null = null;
  /** Set once the session was found to be someone else's: nothing more is sent from this page. */
  private retired = false;

  /** `readCsrf`: the CSRF cookie's value now (undefined when there is none). */
  constructor(private readonly readCsrf: () => string | undefined) {}

  pin(me: Me): void {
    this.cookie = this.readCsrf();
    this.userId = me.user.id;
    this.retired = false;
  }

  /** Signed out: nobody's session to guard until the next sign-in pins one. */
  clear(): void {
    this.cookie = undefined;
    this.userId = null;
    this.retired = false;
  }

  /**
   * The page shows someone else's session from now on: every change is refused until the page is
   * loaded again (a "Leave site?" answered Stay must not let the next Save go as the other person:
   * the second review).
   */
  retire(): void {
    this.retired = true;
  }

  /**
   * Whether the browser's session is still the pinned person's; the server is asked only when the
   * cookie moved. Throws what the asking threw, but for a 401 (signed out).
   */
  async check(askMe: () => Promise<Me>): Promise<Whose> {
    if (this.retired) throw new SessionChangedError();
    if (this.userId === null) return { kind: "same" };
    const now = this.readCsrf();
    if (now === this.cookie) return { kind: "same" };
    let me: Me | null = null;
    if (now !== undefined) {
      try {
        me = await askMe();
      } catch (error) {
        // Only a 401 says the browser is signed out. Any other failure (a 503, a proxy's page, a
        // timeout) says nothing about whose session it is: the change is not sent, the page stays,
        // and the next one asks again (the diff review: a 503 signed the page out).
        if (!(error instanceof StaffgateError && error.status === 401)) throw error;
      }
    }
    if (me && me.user.id === this.userId) {
      this.cookie = now;
      return { kind: "same" };
    }
    return { kind: "changed", me };
  }
}
