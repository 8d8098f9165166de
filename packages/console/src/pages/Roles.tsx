/** Roles (not built yet). */
import { PlaceholderPage } from "./Placeholder.tsx";

export function RolesPage() {
  return <PlaceholderPage title="Roles" />;
}
