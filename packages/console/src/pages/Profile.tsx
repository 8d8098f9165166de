/** Profile (not built yet). */
import { PlaceholderPage } from "./Placeholder.tsx";

export function ProfilePage() {
  return <PlaceholderPage title="Profile" />;
}
