/** Derived user fields and field rules that the contract's schemas cannot express (pure). */
import { foldText } from "../shared/text.rules.ts";

/** "Ada Lovelace" → "AL"; up to the first letters of the first two name parts. */
export function deriveInitials(firstName: string, lastName: string): string {
  const first = [...firstName.trim()][0] ?? "";
  const last = [...lastName.trim()][0] ?? "";
  return `${first}${last}`.toUpperCase();
}

export function deriveDisplayName(firstName: string, lastName: string): string {
  return `${firstName.trim()} ${lastName.trim()}`.trim();
}

export function sortName(firstName: string, lastName: string): string {
  return `${lastName} ${firstName}`.normalize("NFKC").toLowerCase();
}

/** What `q` searches: name, username, email and employee number, case-folded (foldText). */
export function searchText(fields: {
  firstName: string;
  lastName: string;
  username: string;
  email: string;
  employeeNumber: string | null;
}): string {
  return foldText(
    [fields.firstName, fields.lastName, fields.username, fields.email, fields.employeeNumber ?? ""].join(" "),
  );
}
