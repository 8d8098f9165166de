/** Workspaces (not built yet). */
import { PlaceholderPage } from "./Placeholder.tsx";

export function WorkspacesPage() {
  return <PlaceholderPage title="Workspaces" />;
}
