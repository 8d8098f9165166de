/** Settings (not built yet). */
import { PlaceholderPage } from "./Placeholder.tsx";

export function SettingsPage() {
  return <PlaceholderPage title="Settings" />;
}
