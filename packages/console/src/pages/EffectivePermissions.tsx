/** Effective permissions of one user (not built yet). */
import { PlaceholderPage } from "./Placeholder.tsx";

export function EffectivePermissionsPage(_props: { userId: string }) {
  return <PlaceholderPage title="Effective permissions" />;
}
