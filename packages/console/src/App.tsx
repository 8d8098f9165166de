/** The console: session bootstrap (`GET /auth/me` with the cookie), public and signed-in routes. */
import type { Staffgate } from "@staffgate/sdk";
import { type ReactNode, useCallback, useEffect, useMemo, useState } from "react";
import { problemCode } from "./api.ts";
import { Layout } from "./Layout.tsx";
import { ForgotPasswordPage } from "./pages/ForgotPassword.tsx";
import { PlaceholderPage } from "./pages/Placeholder.tsx";
import { SignInPage } from "./pages/SignIn.tsx";
import { navigate, usePath } from "./router.tsx";
import { matchRoute } from "./routes.tsx";
import { ApiContext, type Session, SessionContext } from "./session.tsx";
import type { LoginResult, Me } from "./types.ts";

type State =
  | { kind: "loading" }
  | { kind: "signed-out" }
  | { kind: "signed-in"; me: Me; purpose: Session["purpose"] };

const PUBLIC_PATHS = new Set(["/sign-in", "/forgot-password", "/reset-password", "/accept-invitation"]);

export function App({ api }: { api: Staffgate }) {
  const [state, setState] = useState<State>({ kind: "loading" });
  const path = usePath();

  useEffect(() => {
    let live = true;
    api.auth.me().then(
      (me) => {
        if (live) setState({ kind: "signed-in", me, purpose: me.session?.purpose ?? "full" });
      },
      () => {
        if (live) setState({ kind: "signed-out" });
      },
    );
    return () => {
      live = false;
    };
  }, [api]);

  const onSignedIn = useCallback(
    async (result: LoginResult) => {
      // The session lives in HttpOnly cookies set by the login answer; the token is not kept.
      const me = await api.auth.me();
      setState({ kind: "signed-in", me, purpose: result.purpose });
      if (PUBLIC_PATHS.has(window.location.pathname) || window.location.pathname === "/") {
        navigate(result.purpose === "full" ? "/users" : "/profile", { replace: true });
      }
    },
    [api],
  );

  const signOut = useCallback(async () => {
    try {
      await api.auth.logout();
    } catch (error) {
      // An already-ended session is signed out all the same.
      if (problemCode(error) !== "UNAUTHENTICATED") throw error;
    }
    setState({ kind: "signed-out" });
    navigate("/sign-in", { replace: true });
  }, [api]);

  const session = useMemo<Session | null>(() => {
    if (state.kind !== "signed-in") return null;
    const granted = new Set(state.me.permissions);
    return { me: state.me, purpose: state.purpose, can: (p) => granted.has(p), signOut };
  }, [state, signOut]);

  useEffect(() => {
    if (state.kind === "signed-in" && (path === "/" || PUBLIC_PATHS.has(path))) {
      navigate("/users", { replace: true });
    }
  }, [state.kind, path]);

  let content: ReactNode;
  if (state.kind === "loading") {
    content = (
      <p className="centered" aria-busy="true">
        Loading…
      </p>
    );
  } else if (path === "/forgot-password") {
    content = <ForgotPasswordPage />;
  } else if (path === "/reset-password" || path === "/accept-invitation") {
    content = (
      <PlaceholderPage
        title={path === "/reset-password" ? "Reset password" : "Accept invitation"}
        standalone
      />
    );
  } else if (!session) {
    content = <SignInPage onSignedIn={onSignedIn} />;
  } else {
    const match = matchRoute(path);
    content = (
      <SessionContext.Provider value={session}>
        <Layout>
          {match ? match.route.render(match.params) : <PlaceholderPage title="Page not found" notFound />}
        </Layout>
      </SessionContext.Provider>
    );
  }
  return <ApiContext.Provider value={api}>{content}</ApiContext.Provider>;
}
