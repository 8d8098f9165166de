/**
 * The CSV form of users: reading an import's header and rows, and writing an export's. Pure rules;
 * what a row means for the database is users-import.service.ts.
 */
import {
  MAX_IMPORT_ROWS,
  USER_CSV_COLUMNS,
  USER_CSV_EXPORT_ONLY,
  type User,
  type UserCsvColumn,
} from "@staffgate/contract";
import { parse } from "csv-parse/sync";
import { csvLine } from "../shared/csv.rules.ts";
import { invalid } from "../shared/errors.ts";

export interface CsvRow {
  /** The row's line in the file (the header is line 1). */
  readonly line: number;
  /** Non-empty cells by column, trimmed; a column left blank is absent (an update keeps the value). */
  readonly cells: Partial<Record<UserCsvColumn, string>>;
}

const KNOWN = new Map<string, UserCsvColumn | null>([
  ...USER_CSV_COLUMNS.map((c) => [c.toLowerCase(), c] as const),
  // Written by an export for reading; an import ignores them so that an export imports back.
  ...USER_CSV_EXPORT_ONLY.map((c) => [c.toLowerCase(), null] as const),
]);

/** Parses the text; a malformed file, an unknown or repeated column, or too many rows is a 400 naming `csv`. */
export function parseUserCsv(text: string): CsvRow[] {
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, trim: true, relax_column_count: false });
  } catch (error) {
    throw invalid("csv", `is not valid CSV: ${(error as Error).message}`);
  }
  const [header, ...rows] = records;
  if (!header) throw invalid("csv", "has no header row");
  const columns = header.map((name) => {
    const column = KNOWN.get(name.toLowerCase());
    if (column === undefined) {
      throw invalid("csv", `has an unknown column "${name}" (columns: ${USER_CSV_COLUMNS.join(", ")})`);
    }
    return column;
  });
  const named = columns.filter((c): c is UserCsvColumn => c !== null);
  const repeated = named.find((c, i) => named.indexOf(c) !== i);
  if (repeated) throw invalid("csv", `names the column "${repeated}" twice`);
  if (!named.includes("email")) throw invalid("csv", 'needs an "email" column: rows are matched on email');
  if (rows.length > MAX_IMPORT_ROWS) throw invalid("csv", `has more than ${MAX_IMPORT_ROWS} rows`);
  return rows.map((record, i) => {
    const cells: Partial<Record<UserCsvColumn, string>> = {};
    columns.forEach((column, j) => {
      // An export protects cells a spreadsheet would run as formulas with a leading apostrophe
      // (shared/csv.rules.ts): taken off again, so an exported phone (+44…) imports back.
      const raw = record[j] ?? "";
      const value = /^'[=+\-@\t\r]/.test(raw) ? raw.slice(1) : raw;
      if (column !== null && value !== "") cells[column] = value;
    });
    return { line: i + 2, cells };
  });
}

export function userCsvHeader(): string {
  return csvLine([...USER_CSV_COLUMNS, ...USER_CSV_EXPORT_ONLY]);
}

/** What exports show for a user's private role (PRODUCT.md §2). */
export const PRIVATE_ROLE_LABEL = "[Private role]";

/** One user as a CSV line; `role` and `workspaces` by name and slug, as an import reads them. */
export function userCsvLine(
  user: User,
  roleName: (id: string) => string,
  workspaceSlug: (id: string) => string,
): string {
  return csvLine([
    user.username,
    user.email,
    user.firstName,
    user.lastName,
    user.initials,
    user.phone,
    user.workRole,
    user.professionalId,
    user.prescriberId,
    user.qualifications,
    user.areasOfExpertise,
    user.employeeNumber,
    user.title,
    // PRODUCT.md §2: exports show a private role as such; an import keeps it.
    user.privateRole ? PRIVATE_ROLE_LABEL : roleName(user.roleId),
    user.workspaceAccess === "all" ? "all" : user.workspaceAccess.map(workspaceSlug).join(";"),
    user.expiresAt,
    user.id,
    user.status,
    String(user.locked),
    String(user.mfaEnrolled),
    user.lastLoginAt,
    user.createdAt,
  ]);
}
