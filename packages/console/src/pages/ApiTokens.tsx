/** API tokens (not built yet). */
import { PlaceholderPage } from "./Placeholder.tsx";

export function ApiTokensPage() {
  return <PlaceholderPage title="API tokens" />;
}
