/**
 * A CSV import of users in words: what each row of the check will do, the check's summary, the
 * outcome of the import, and a refused file or import (nothing is written either way).
 */
import type { Staffgate } from "@staffgate/sdk";
import { StaffgateError } from "@staffgate/sdk";
import { fieldErrors, problemCode, problemMessage } from "../../api.ts";

export type ImportReport = Awaited<ReturnType<Staffgate["users"]["import"]>>;
export type ImportRow = ImportReport["rows"][number];

/** The API's body limit is 1 MB; a larger file is refused here, before it is sent. */
export const MAX_FILE_BYTES = 1_000_000;

/**
 * The API's row limit of one import (contract MAX_IMPORT_ROWS, kept in step by a test): the hint
 * said 5,000 while the server refused more than 1,000.
 */
export const MAX_IMPORT_ROWS = 1000;

/** The columns a file may have, in the order an export writes them. */
export const IMPORT_COLUMNS = [
  "username",
  "email",
  "firstName",
  "lastName",
  "initials",
  "phone",
  "workRole",
  "professionalId",
  "prescriberId",
  "qualifications",
  "areasOfExpertise",
  "employeeNumber",
  "title",
  "role",
  "workspaces",
  "workspaceRoles",
  "expiresAt",
  "status",
] as const;

const ACTION_WORDS: Readonly<Record<Exclude<ImportRow["action"], "error">, string>> = {
  create: "Create",
  update: "Update",
  unchanged: "No change",
};

/** What a row will do: "Create", "Update", "No change" or "Error: role: no role named …". */
export function rowOutcome(row: ImportRow): string {
  if (row.action !== "error") return ACTION_WORDS[row.action];
  const problems = row.errors.map((e) => `${e.column}: ${e.message}`).join("; ");
  return `Error: ${problems || "this row cannot be imported"}`;
}

/** "2 to create, 1 to update, 0 unchanged, 1 with errors". */
export function summaryWords(report: ImportReport): string {
  return `${report.created} to create, ${report.updated} to update, ${report.unchanged} unchanged, ${report.failed} with errors`;
}

/** Whether a checked file can be imported: it has rows, and none has an error. */
export function importable(report: ImportReport): boolean {
  return report.rows.length > 0 && report.failed === 0;
}

/** "Imported: 2 created (invited), 1 updated." */
export function importedWords(report: ImportReport): string {
  const unchanged = report.unchanged > 0 ? `, ${report.unchanged} unchanged` : "";
  return `Imported: ${report.created} created (invited), ${report.updated} updated${unchanged}.`;
}

/** The report a refused import carries (422 USER_IMPORT_INVALID), to show its rows' errors. */
export function refusedReport(error: unknown): ImportReport | null {
  if (!(error instanceof StaffgateError) || error.code !== "USER_IMPORT_INVALID") return null;
  const report = (error.problem as { report?: unknown }).report;
  return report && typeof report === "object" && Array.isArray((report as ImportReport).rows)
    ? (report as ImportReport)
    : null;
}

/** A file the API would not read (400 naming `csv`: not CSV, an unknown column, no email), in words. */
export function fileRefusal(error: unknown): string {
  const csv = fieldErrors(error).csv;
  if (problemCode(error) === "VALIDATION_FAILED" && csv) {
    // The API says what is wrong with the file as a predicate: "has an unknown column …".
    const said = /^[a-z]/.test(csv) ? `it ${csv}` : csv;
    return `This file cannot be imported: ${said.replace(/\.?$/, ".")} Nothing was written.`;
  }
  if (problemCode(error) === "USER_IMPORT_INVALID") {
    return "Nothing was imported: some rows can no longer be imported (users changed since the check). The rows with errors are shown below; correct the file and choose it again.";
  }
  return problemMessage(error);
}
