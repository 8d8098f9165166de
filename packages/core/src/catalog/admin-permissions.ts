/** Staffgate's own administration permissions, present in every catalogue (PRODUCT.md §2). */
import type { Permission } from "@staffgate/contract";

const admin = (key: string, label: string, description: string, implies: string[] = []): Permission => ({
  key,
  label,
  description,
  category: "Administration",
  scope: "tenant",
  patientScoped: false,
  collaborator: "unaffected",
  implies,
});

export const ADMIN_PERMISSIONS: readonly Permission[] = [
  admin("users.view", "View users", "See staff accounts, their roles and effective permissions."),
  admin("users.manage", "Manage users", "Create, edit, deactivate, archive, restore and purge users.", [
    "users.view",
  ]),
  admin(
    "users.credentials",
    "Manage user credentials",
    "Unlock, set or randomise passwords, send reset links, reset MFA, end sessions.",
    ["users.view"],
  ),
  admin("roles.manage", "Manage roles", "Create, edit, copy and delete roles.", ["users.view"]),
  admin("workspaces.manage", "Manage workspaces", "Create, edit and delete workspaces."),
  admin("patient_access.manage", "Manage patient access", "Grant and revoke collaborators' patient access."),
  admin("audit.view", "View audit log", "Read, export and verify the audit trail."),
  admin("settings.manage", "Manage security settings", "Change the tenant security policy."),
  admin("api_tokens.manage", "Manage API tokens", "Create and revoke integration tokens."),
  admin(
    "emergency_access.use",
    "Use emergency access",
    "Open a time-boxed break-glass elevation with a reason (HIPAA 164.312(a)(2)(ii)).",
  ),
];

export const ADMIN_PERMISSION_KEYS: readonly string[] = ADMIN_PERMISSIONS.map((p) => p.key);
