/** The signed-in frame: header with the tenant and user, the main navigation, the page. */
import { type ReactNode, useState } from "react";
import { problemMessage } from "./api.ts";
import { Link, usePath } from "./router.tsx";
import { ROUTES } from "./routes.tsx";
import { useSession } from "./session.tsx";

export function Layout({ children }: { children: ReactNode }) {
  const { me, purpose, signOut, can } = useSession();
  const nav = ROUTES.filter((r) => r.nav && (r.nav.length === 0 || r.nav.some(can)));
  const path = usePath();
  const [error, setError] = useState<string | null>(null);
  const onSignOut = () => {
    setError(null);
    signOut().catch((e: unknown) => setError(problemMessage(e)));
  };
  return (
    <div className="shell">
      <header className="topbar">
        <span className="brand">Staffgate</span>
        <span className="who">
          {me.tenant.name} / {me.user.displayName}
        </span>
        <button type="button" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <nav className="sidenav" aria-label="Main">
        <ul>
          {nav.map((item) => (
            <li key={item.pattern}>
              <Link to={item.pattern} aria-current={path === item.pattern ? "page" : undefined}>
                {item.title}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <main className="content">
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        {purpose !== "full" && (
          <p role="status" className="notice">
            {purpose === "mfa_enrolment"
              ? "Set up two-factor sign-in on your Profile before anything else."
              : "Change your password on your Profile before anything else."}
          </p>
        )}
        {children}
      </main>
    </div>
  );
}
