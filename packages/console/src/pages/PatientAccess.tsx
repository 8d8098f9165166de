/** Patient access (not built yet). */
import { PlaceholderPage } from "./Placeholder.tsx";

export function PatientAccessPage() {
  return <PlaceholderPage title="Patient access" />;
}
