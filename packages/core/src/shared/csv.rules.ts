/** Writing CSV (RFC 4180) that is safe to open in a spreadsheet: audit and user exports. */

/** What a spreadsheet would run as a formula (OWASP CSV injection): leading = + - @, tab or CR. */
const FORMULA_START = /^[=+\-@\t\r]/;
/** A protected cell as written: the apostrophe, then a formula character or another apostrophe. */
const PROTECTED = /^'[=+\-@\t\r']/;

export interface CsvCellOptions {
  /**
   * Also protect a value that already looks protected ("'=x", "''x"), so that `unprotectCsvCell`
   * gives back exactly what was written (the user export, which imports back). Any other
   * apostrophe ("'t Hart") is written as it is. The audit export is only read: it leaves them.
   */
  readonly reversible?: boolean;
}

/**
 * One CSV cell (RFC 4180). A cell a spreadsheet would run as a formula gets a leading apostrophe;
 * usernames and labels are user-chosen.
 */
export function csvCell(value: string | number | null, options: CsvCellOptions = {}): string {
  if (value === null) return "";
  let s = String(value);
  if (typeof value === "string" && (FORMULA_START.test(s) || (options.reversible && PROTECTED.test(s)))) {
    s = `'${s}`;
  }
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(cells: readonly (string | number | null)[], options: CsvCellOptions = {}): string {
  return `${cells.map((c) => csvCell(c, options)).join(",")}\r\n`;
}

/**
 * The inverse of a reversible `csvCell` on a parsed cell: exactly one apostrophe is taken off, and
 * only where the export puts one (before a formula character or another apostrophe), so a name
 * such as "'t Hart" stays as it is. For every value v, unprotect(cell(v)) = v: a value is
 * prefixed exactly when it starts with a formula character or matches PROTECTED, and either way
 * the prefixed text matches PROTECTED.
 */
export function unprotectCsvCell(raw: string): string {
  return PROTECTED.test(raw) ? raw.slice(1) : raw;
}
