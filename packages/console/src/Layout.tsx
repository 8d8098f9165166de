/**
 * The signed-in frame: header with the tenant and user, the main navigation (MainNav.tsx), the page. On a narrow
 * screen (styles.css, below 720 px) the header is a compact bar whose "Menu" button opens a panel
 * with the navigation, the user and "Sign out"; following a link or Escape closes it. The first
 * Tab stop is "Skip to content" (WCAG 2.4.1), out of sight until focused, past all of that.
 */
import { type ReactNode, useEffect, useId, useRef, useState } from "react";
import { problemMessage } from "./api.ts";
import { focusMainContent, useFocusKeeper } from "./components/keepFocus.ts";
import { ErrorAlert, Notice } from "./components/Messages.tsx";
import { MainNavList } from "./MainNav.tsx";
import { Link, usePath } from "./router.tsx";
import { ROUTES } from "./routes.tsx";
import { dueOf, useSession } from "./session.tsx";
import "./styles/auth.css";

/** Why a confined session sees only its Profile (the server refuses everything else). */
function confinedReason(due: { password: boolean; mfa: boolean }): string {
  if (due.password && due.mfa) {
    return "Change your password and set up two-factor sign-in on your Profile before anything else.";
  }
  if (due.password) return "You must change your password before anything else: do it on your Profile.";
  return "Your practice requires two-factor sign-in: set it up on your Profile before anything else.";
}

export function Layout({ children, flash }: { children: ReactNode; flash?: string | null }) {
  const { me, purpose, signOut, can } = useSession();
  const confined = purpose !== "full";
  const nav = ROUTES.filter(
    (r) => r.nav && (confined ? r.pattern === "/profile" : r.nav.length === 0 || r.nav.some(can)),
  );
  const path = usePath();
  const [error, setError] = useState<string | null>(null);
  const [menuOpen, setMenuOpen] = useState(false);
  const menuButton = useRef<HTMLButtonElement>(null);
  const navId = useId();
  const userId = useId();
  useFocusKeeper();
  // Escape closes the open menu and gives the focus back to its button; an Escape in a dialog is
  // the dialog's own.
  useEffect(() => {
    if (!menuOpen) return;
    const onKey = (event: globalThis.KeyboardEvent) => {
      if (event.key !== "Escape" || (event.target instanceof Element && event.target.closest("dialog")))
        return;
      setMenuOpen(false);
      menuButton.current?.focus();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [menuOpen]);
  // A page opened from the menu (or by Back) is what the person wanted to see: the menu steps aside.
  const [menuPath, setMenuPath] = useState(path);
  if (menuPath !== path) {
    setMenuPath(path);
    setMenuOpen(false);
  }
  const onSignOut = () => {
    setError(null);
    signOut().catch((e: unknown) => setError(problemMessage(e)));
  };
  return (
    <div className={menuOpen ? "shell menu-open" : "shell"}>
      {/* biome-ignore lint/a11y/useValidAnchor: a real in-page link; the script lands it on the page's heading and leaves the address alone. */}
      <a
        href="#main-content"
        className="skip-link"
        onClick={(event) => {
          event.preventDefault();
          focusMainContent();
        }}
      >
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">Staffgate</span>
        <button
          ref={menuButton}
          type="button"
          className="menu-button"
          aria-expanded={menuOpen}
          aria-controls={`${navId} ${userId}`}
          onClick={() => setMenuOpen((open) => !open)}
        >
          Menu
        </button>
        <div className="topbar-user" id={userId}>
          <Link to="/profile" className="who" onClick={() => setMenuOpen(false)}>
            {me.tenant.name} / {me.user.displayName}
          </Link>
          <button type="button" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </header>
      <nav className="sidenav" id={navId} aria-label="Main">
        <MainNavList pages={nav} path={path} onFollow={() => setMenuOpen(false)} />
      </nav>
      <main className="content" id="main-content">
        <ErrorAlert>{error}</ErrorAlert>
        {confined && (
          <p role="status" className="notice warn">
            {confinedReason(dueOf(me))}
          </p>
        )}
        <Notice>{flash}</Notice>
        {children}
      </main>
    </div>
  );
}

/** A page a confined session cannot open yet: says why and leads to the Profile. */
export function ConfinedPage({ title }: { title: string }) {
  const { purpose } = useSession();
  return (
    <>
      <h1>{title}</h1>
      <p>
        {purpose === "password_change"
          ? "This page opens once you have changed your password."
          : "This page opens once two-factor sign-in is set up."}
      </p>
      <p>
        <Link to="/profile">Go to your Profile</Link>
      </p>
    </>
  );
}
