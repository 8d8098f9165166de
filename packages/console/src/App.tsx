/**
 * The console: session bootstrap (`GET /auth/me` with the cookie, only when the CSRF cookie says
 * there may be a session), public and signed-in routes,
 * confinement of a session that must change its password or enrol in MFA, the idle timeout, and
 * the return to sign-in when the server answers that the session has ended.
 */
import type { Staffgate } from "@staffgate/sdk";
import { type ReactNode, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { CSRF_COOKIE, mayHaveSession, problemCode, readCookie } from "./api.ts";
import { IdleWarning } from "./components/IdleWarning.tsx";
import { ServerIdleClock } from "./components/idleClock.ts";
import { focusMainContent } from "./components/keepFocus.ts";
import { useDocumentTitle } from "./documentTitle.ts";
import { ConfinedPage, Layout } from "./Layout.tsx";
import { AcceptInvitationPage } from "./pages/AcceptInvitation.tsx";
import { ForgotPasswordPage } from "./pages/ForgotPassword.tsx";
import { PlaceholderPage } from "./pages/Placeholder.tsx";
import { ResetPasswordPage } from "./pages/ResetPassword.tsx";
import { SignInPage } from "./pages/SignIn.tsx";
import { navigate, releaseLeaveGuards, usePath } from "./router.tsx";
import { matchRoute, ROUTES } from "./routes.tsx";
import { ApiContext, observeCalls, purposeOf, type Session, SessionContext } from "./session.tsx";
import { SessionChangedError, SessionPin } from "./sessionPin.ts";
import type { Me } from "./types.ts";

type State =
  | { kind: "loading" }
  | { kind: "signed-out"; notice: string | null }
  | { kind: "signed-in"; me: Me };

/** Pages for the signed-out; a signed-in session is taken on from them. */
const SIGNED_OUT_PATHS = new Set(["/", "/sign-in", "/forgot-password"]);

const SESSION_ENDED = "Your session has ended (it was signed out elsewhere or expired). Sign in again.";
const SIGNED_OUT_ELSEWHERE =
  "This browser was signed out in another tab. What this page was about to send was not sent. Sign in again.";
/** Kept across the reload that shows another person's session (sessionStorage: this tab only). */
const SWITCHED_KEY = "staffgate.switched";

function idleNotice(seconds: number): string {
  const minutes = Math.max(1, Math.round(seconds / 60));
  return `You were signed out after ${minutes} ${minutes === 1 ? "minute" : "minutes"} without activity.`;
}

export function App({
  api: client,
  cookies = () => document.cookie,
}: {
  api: Staffgate;
  /** `document.cookie`: without the CSRF cookie there is no session to ask `/auth/me` about. */
  cookies?: () => string;
}) {
  // Read once, at the first render: a browser with no session cookie opens the sign-in page at once.
  const [hadSession] = useState(() => mayHaveSession(cookies()));
  const [state, setState] = useState<State>(
    hadSession ? { kind: "loading" } : { kind: "signed-out", notice: null },
  );
  const [flash, setFlash] = useState<{ message: string; path: string } | null>(null);
  const path = usePath();
  const clock = useMemo(() => new ServerIdleClock(), []);
  // Read by the call observer, which lives outside React's render.
  const signedIn = useRef(false);
  const [pin] = useState(() => new SessionPin(() => readCookie(cookies(), CSRF_COOKIE)));

  const signedOut = useCallback(
    (notice: string | null) => {
      signedIn.current = false;
      pin.clear();
      setFlash(null);
      setState({ kind: "signed-out", notice });
      navigate("/sign-in", { replace: true });
    },
    [pin],
  );

  /**
   * The browser's session is no longer this page's (sessionPin.ts): signed out, or someone else
   * signed in, in another tab. Another person's session is shown by reloading the page, so nothing
   * read as the first person stays on screen, with a word on why.
   */
  const moved = useCallback(
    (me: Me | null) => {
      if (!signedIn.current) return;
      if (!me) return signedOut(SIGNED_OUT_ELSEWHERE);
      signedIn.current = false;
      // Nothing more goes from this page, even if the reload were stopped; and no unsaved-work
      // question stops it: that work was for the first person, and cannot be sent as theirs.
      pin.retire();
      releaseLeaveGuards();
      const name = me.user.displayName || me.user.username;
      sessionStorage.setItem(
        SWITCHED_KEY,
        `This browser is now signed in as ${name} (signed in in another tab). What this page was about to send was not sent.`,
      );
      window.location.reload();
    },
    [pin, signedOut],
  );

  const api = useMemo(
    () =>
      observeCalls(client, {
        answered: (start, end) => {
          if (signedIn.current) clock.answered(start, end);
        },
        unauthenticated: () => {
          if (signedIn.current) signedOut(SESSION_ENDED);
        },
        // The navigation and the menus follow what the person may do now (a role changed while
        // a page was open kept offering what it no longer allowed: the conflict review).
        forbidden: () => {
          if (signedIn.current) void refreshRef.current?.().catch(() => undefined);
        },
        beforeChange: async () => {
          const whose = await pin.check(() => client.auth.me());
          if (whose.kind === "same") return;
          moved(whose.me);
          throw new SessionChangedError();
        },
      }),
    [client, clock, signedOut, pin, moved],
  );

  // Back to a tab after using another: a changed session is noticed before anything is typed.
  useEffect(() => {
    const look = () => {
      pin
        .check(() => client.auth.me())
        .then(
          (whose) => {
            if (whose.kind === "changed") moved(whose.me);
          },
          // Not answered: the next change asks again before it is sent.
          () => undefined,
        );
    };
    window.addEventListener("focus", look);
    return () => window.removeEventListener("focus", look);
  }, [client, pin, moved]);

  const enter = useCallback(
    (me: Me, fresh: boolean, start: number) => {
      if (me.session) clock.begin(me.session.idleTimeoutSeconds, fresh, start);
      signedIn.current = true;
      pin.pin(me);
      setState({ kind: "signed-in", me });
      const switched = sessionStorage.getItem(SWITCHED_KEY);
      if (switched) {
        sessionStorage.removeItem(SWITCHED_KEY);
        setFlash({ message: switched, path: window.location.pathname });
      }
    },
    [clock, pin],
  );

  // The session is asked about once per page load (React's development double effects reuse the
  // one request), and only when the browser may hold one.
  const boot = useRef<{ start: number; me: Promise<Me> } | null>(null);
  useEffect(() => {
    if (!hadSession) return;
    let live = true;
    boot.current ??= { start: Date.now(), me: api.auth.me() };
    const { start, me: asked } = boot.current;
    asked.then(
      (me) => {
        if (live) enter(me, false, start);
      },
      () => {
        if (live) setState({ kind: "signed-out", notice: null });
      },
    );
    return () => {
      live = false;
    };
  }, [api, enter, hadSession]);

  /** Set by a sign-in: the first signed-in page takes the focus on its heading (not the body). */
  const arrived = useRef(false);
  const onSignedIn = useCallback(async () => {
    // The session lives in HttpOnly cookies set by the login answer; the token is not kept.
    const at = Date.now();
    const me = await api.auth.me();
    arrived.current = true;
    enter(me, true, at);
    if (purposeOf(me) !== "full") navigate("/profile", { replace: true });
  }, [api, enter]);

  const signOut = useCallback(async () => {
    signedIn.current = false;
    try {
      await api.auth.logout();
    } catch (error) {
      // An already-ended session is signed out all the same.
      if (problemCode(error) !== "UNAUTHENTICATED") {
        signedIn.current = true;
        throw error;
      }
    }
    signedOut(null);
  }, [api, signedOut]);

  /** Signs out whatever the answer (the session may be over already), then says why. */
  const leave = useCallback(
    (notice: string | null) => {
      signedIn.current = false;
      const done = () => signedOut(notice);
      api.auth.logout().then(done, done);
    },
    [api, signedOut],
  );

  const refresh = useCallback(async () => {
    const start = Date.now();
    const me = await api.auth.me();
    // The page moved to another person's session meanwhile (moved): it stays retired.
    if (!signedIn.current) return purposeOf(me);
    // The practice may have changed the idle limit (Settings): the clock takes it from this
    // answer, or it kept counting to the old one while the server ended the session at the new.
    if (me.session) clock.follow(me.session.idleTimeoutSeconds, start, Date.now());
    pin.pin(me);
    setState({ kind: "signed-in", me });
    return purposeOf(me);
  }, [api, clock, pin]);

  const refreshRef = useRef(refresh);
  refreshRef.current = refresh;

  const notify = useCallback((message: string, at?: string) => {
    setFlash({ message, path: at ?? window.location.pathname });
  }, []);

  const session = useMemo<Session | null>(() => {
    if (state.kind !== "signed-in") return null;
    const granted = new Set(state.me.permissions);
    const can = (p: string) => granted.has(p);
    const first = ROUTES.find(
      (r) => r.pattern !== "/profile" && r.nav && (r.nav.length === 0 || r.nav.some(can)),
    );
    const home = first?.pattern ?? "/profile";
    return { me: state.me, purpose: purposeOf(state.me), can, signOut, refresh, home, notify };
  }, [state, signOut, refresh, notify]);

  const takeOnTo =
    session && SIGNED_OUT_PATHS.has(path) ? (session.purpose === "full" ? session.home : "/profile") : null;
  useEffect(() => {
    if (takeOnTo) navigate(takeOnTo, { replace: true });
  }, [takeOnTo]);
  // After a sign-in the sign-in form is gone and the focus with it: a screen-reader user starts
  // on the page's main heading, as after any navigation.
  useEffect(() => {
    if (!arrived.current || !session || takeOnTo) return;
    arrived.current = false;
    focusMainContent();
  }, [session, takeOnTo]);

  useEffect(() => {
    if (flash && flash.path !== path) setFlash(null);
  }, [flash, path]);

  const idleSeconds = state.kind === "signed-in" ? (state.me.session?.idleTimeoutSeconds ?? null) : null;
  const renew = useCallback(() => api.auth.me(), [api]);
  const onIdle = useCallback(() => leave(idleNotice(idleSeconds ?? 0)), [leave, idleSeconds]);
  const onIdleSignOut = useCallback(() => leave(null), [leave]);

  let content: ReactNode;
  let title: string | null = null;
  if (state.kind === "loading" || takeOnTo) {
    content = (
      <p className="centered" aria-busy="true">
        Loading…
      </p>
    );
  } else if (path === "/reset-password") {
    title = "Reset password";
    content = <ResetPasswordPage />;
  } else if (path === "/accept-invitation") {
    title = "Accept invitation";
    content = <AcceptInvitationPage />;
  } else if (!session) {
    title = path === "/forgot-password" ? "Forgot Password" : "Sign in";
    content =
      path === "/forgot-password" ? (
        <ForgotPasswordPage />
      ) : (
        <SignInPage onSignedIn={onSignedIn} notice={state.kind === "signed-out" ? state.notice : null} />
      );
  } else {
    const match = matchRoute(path);
    title = match ? match.route.title : "Not found";
    let page: ReactNode;
    if (!match) page = <PlaceholderPage title="Page not found" notFound />;
    else if (session.purpose !== "full" && match.route.pattern !== "/profile")
      page = <ConfinedPage title={match.route.title} />;
    else page = match.route.render(match.params);
    content = (
      <SessionContext.Provider value={session}>
        <Layout flash={flash?.path === path ? flash.message : null}>{page}</Layout>
        {idleSeconds !== null && (
          <IdleWarning
            clock={clock}
            idleSeconds={idleSeconds}
            renew={renew}
            onSignOut={onIdleSignOut}
            onTimeout={onIdle}
          />
        )}
      </SessionContext.Provider>
    );
  }
  useDocumentTitle(title);
  return <ApiContext.Provider value={api}>{content}</ApiContext.Provider>;
}
