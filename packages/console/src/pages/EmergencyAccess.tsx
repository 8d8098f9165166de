/** Emergency access (not built yet). */
import { PlaceholderPage } from "./Placeholder.tsx";

export function EmergencyAccessPage() {
  return <PlaceholderPage title="Emergency access" />;
}
