/** Edit Permissions of one user (not built yet). */
import { PlaceholderPage } from "./Placeholder.tsx";

export function UserPermissionsPage(_props: { userId: string }) {
  return <PlaceholderPage title="Edit Permissions" />;
}
