/** The signed-in frame: header with the tenant and user, the main navigation, the page. */
import { type ReactNode, useState } from "react";
import { problemMessage } from "./api.ts";
import { Link, usePath } from "./router.tsx";
import { useSession } from "./session.tsx";

export const NAV: readonly { path: string; label: string }[] = [
  { path: "/users", label: "Users" },
  { path: "/roles", label: "Roles" },
  { path: "/workspaces", label: "Workspaces" },
  { path: "/patient-access", label: "Patient access" },
  { path: "/emergency-access", label: "Emergency access" },
  { path: "/audit", label: "Audit log" },
  { path: "/settings", label: "Settings" },
  { path: "/api-tokens", label: "API tokens" },
  { path: "/profile", label: "Profile" },
];

export function Layout({ children }: { children: ReactNode }) {
  const { me, purpose, signOut } = useSession();
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
          {NAV.map((item) => (
            <li key={item.path}>
              <Link to={item.path} aria-current={path === item.path ? "page" : undefined}>
                {item.label}
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
