/** Audit log (not built yet). */
import { PlaceholderPage } from "./Placeholder.tsx";

export function AuditLogPage() {
  return <PlaceholderPage title="Audit log" />;
}
