/**
 * A page the caller may not open, said alike on every page: its heading, and the permission it
 * needs by the label an administrator ticks and the key the API names (a bare "You do not have
 * permission" left the person nothing to ask for).
 */
import { ErrorAlert } from "./Messages.tsx";

/** Labels of the administration permissions pages need: fixed, the same in every catalogue. */
const LABELS = {
  "users.view": "View users",
  "users.manage": "Manage users",
  "patient_access.manage": "Manage patient access",
  "audit.view": "View audit log",
  "settings.manage": "Manage security settings",
  "api_tokens.manage": "Manage API tokens",
  "emergency_access.use": "Use emergency access",
} as const;

export type PagePermission = keyof typeof LABELS;

/** "the “View users” permission (users.view)", or "one of the permissions … or …". */
export function neededWords(needs: readonly [PagePermission, ...PagePermission[]]): string {
  const each = needs.map((key) => `“${LABELS[key]}”${needs.length === 1 ? " permission" : ""} (${key})`);
  if (each.length === 1) return `the ${each[0]}`;
  return `one of the permissions ${each.slice(0, -1).join(", ")} or ${each.at(-1)}`;
}

export function NoAccess(props: {
  readonly title: string;
  /** What the page is, as the subject of "… needs": "the list of users". */
  readonly what: string;
  /** Any one of these opens the page. */
  readonly needs: readonly [PagePermission, ...PagePermission[]];
}) {
  return (
    <>
      <h1>{props.title}</h1>
      <ErrorAlert>
        Access denied: {props.what} needs {neededWords(props.needs)}.
      </ErrorAlert>
    </>
  );
}
