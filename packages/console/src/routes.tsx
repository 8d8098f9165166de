/**
 * Every signed-in page: its path pattern (`:name` segments become params), its title, whether the
 * main navigation lists it, under which group, and which tenant-level permissions show it there
 * (any of them). The navigation lists them in this order, which also makes a person's first page.
 * Pages live in pages/, one file each; App renders the first route that matches.
 */
import type { ReactNode } from "react";
import { ApiTokensPage } from "./pages/ApiTokens.tsx";
import { AuditLogPage } from "./pages/AuditLog.tsx";
import { EffectivePermissionsPage } from "./pages/EffectivePermissions.tsx";
import { EmergencyAccessPage } from "./pages/EmergencyAccess.tsx";
import { OutboxPage } from "./pages/Outbox.tsx";
import { PatientAccessPage } from "./pages/PatientAccess.tsx";
import { ProfilePage } from "./pages/Profile.tsx";
import { RolesPage } from "./pages/Roles.tsx";
import { SettingsPage } from "./pages/Settings.tsx";
import { UserPermissionsPage } from "./pages/UserPermissions.tsx";
import { UsersPage } from "./pages/Users.tsx";
import { WorkspacesPage } from "./pages/Workspaces.tsx";

export type Params = Readonly<Record<string, string>>;

export interface RouteDef {
  readonly pattern: string;
  readonly title: string;
  readonly render: (params: Params) => ReactNode;
  /** Listed in the main navigation, for holders of any of these (an empty list: everyone). */
  readonly nav?: readonly string[];
  /** Listed beneath this entry of the navigation (Prevounce's "Administration" tab). */
  readonly group?: "Administration";
}

export const ROUTES: readonly RouteDef[] = [
  {
    pattern: "/users",
    title: "Users",
    nav: ["users.view"],
    group: "Administration",
    render: () => <UsersPage />,
  },
  {
    pattern: "/users/:id/permissions",
    title: "Edit Permissions",
    render: (p) => <UserPermissionsPage userId={p.id ?? ""} />,
  },
  {
    pattern: "/users/:id/effective-permissions",
    title: "Effective permissions",
    render: (p) => <EffectivePermissionsPage userId={p.id ?? ""} />,
  },
  {
    pattern: "/roles",
    title: "Roles",
    nav: ["users.view"],
    group: "Administration",
    render: () => <RolesPage />,
  },
  {
    pattern: "/workspaces",
    title: "Workspaces",
    nav: [],
    group: "Administration",
    render: () => <WorkspacesPage />,
  },
  {
    pattern: "/audit",
    title: "Audit Logs",
    nav: ["audit.view"],
    group: "Administration",
    render: () => <AuditLogPage />,
  },
  {
    pattern: "/settings",
    title: "Settings",
    nav: ["settings.manage"],
    group: "Administration",
    render: () => <SettingsPage />,
  },
  {
    pattern: "/outbox",
    title: "Outbox",
    nav: ["settings.manage"],
    group: "Administration",
    render: () => <OutboxPage />,
  },
  {
    pattern: "/api-tokens",
    title: "API tokens",
    nav: ["api_tokens.manage"],
    group: "Administration",
    render: () => <ApiTokensPage />,
  },
  {
    pattern: "/patient-access",
    title: "Manage Patient Access",
    nav: ["patient_access.manage"],
    render: () => <PatientAccessPage />,
  },
  {
    pattern: "/emergency-access",
    title: "Emergency access",
    nav: ["emergency_access.use", "users.manage", "audit.view"],
    render: () => <EmergencyAccessPage />,
  },
  { pattern: "/profile", title: "Profile", nav: [], render: () => <ProfilePage /> },
];

/** The route a path opens and its params, or null (page not found). */
export function matchRoute(path: string): { route: RouteDef; params: Params } | null {
  const parts = path.split("/").filter(Boolean);
  for (const route of ROUTES) {
    const want = route.pattern.split("/").filter(Boolean);
    if (want.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < want.length; i++) {
      const w = want[i] ?? "";
      const p = parts[i] ?? "";
      if (w.startsWith(":")) {
        try {
          params[w.slice(1)] = decodeURIComponent(p);
        } catch {
          ok = false;
        }
      } else if (w !== p) ok = false;
      if (!ok) break;
    }
    if (ok) return { route, params };
  }
  return null;
}
