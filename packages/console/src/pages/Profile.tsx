/**
 * Profile: who is signed in, and tabs "Password", "Two-factor (MFA)", "Sessions". A session the server
 * confines (must change the password, must enrol in MFA) sees only the tab it must use.
 */
import { useState } from "react";
import { type TabDef, Tabs } from "../components/Tabs.tsx";
import { Link } from "../router.tsx";
import { dueOf, useSession } from "../session.tsx";
import "../styles/auth.css";
import { PasswordTab } from "./profile/PasswordTab.tsx";
import { SessionsTab } from "./profile/SessionsTab.tsx";
import { TwoFactorTab } from "./profile/TwoFactorTab.tsx";

type TabId = "password" | "two-factor" | "sessions";

export function ProfilePage() {
  const { me, purpose } = useSession();
  const due = dueOf(me);
  const allowed: TabId[] =
    purpose === "full"
      ? ["password", "two-factor", "sessions"]
      : [...(due.password ? (["password"] as const) : []), ...(due.mfa ? (["two-factor"] as const) : [])];
  const [selected, setSelected] = useState<TabId>(allowed[0] ?? "password");
  // A finished password change or enrolment changes which tabs there are.
  const tab = allowed.includes(selected) ? selected : (allowed[0] ?? "password");

  const all: TabDef<TabId>[] = [
    { id: "password", label: "Password", panel: <PasswordTab /> },
    // Kept while another tab is open: recovery codes on show are never shown again.
    { id: "two-factor", label: "Two-factor (MFA)", panel: <TwoFactorTab />, keepMounted: true },
    // Mounted when opened (as every tab not kept), so the list is fresh each time.
    { id: "sessions", label: "Sessions", panel: <SessionsTab /> },
  ];

  return (
    <>
      <h1>Profile</h1>
      <dl className="profile-facts">
        <dt>Name</dt>
        <dd>{me.user.displayName}</dd>
        <dt>Username</dt>
        <dd>{me.user.username}</dd>
        <dt>Email</dt>
        <dd>{me.user.email}</dd>
        <dt>Practice</dt>
        <dd>{me.tenant.name}</dd>
      </dl>
      {purpose === "full" && (
        <p>
          <Link to={`/users/${me.user.id}/effective-permissions`}>Your effective permissions</Link>
        </p>
      )}
      <Tabs
        label="Profile"
        tabs={all.filter((t) => allowed.includes(t.id))}
        selected={tab}
        onSelect={setSelected}
      />
    </>
  );
}
