/** Writing CSV (RFC 4180) that is safe to open in a spreadsheet: audit and user exports. */

/**
 * One CSV cell (RFC 4180). A cell a spreadsheet would run as a formula (OWASP CSV injection:
 * leading = + - @, tab or CR) gets a leading apostrophe; usernames and labels are user-chosen.
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return "";
  let s = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(cells: readonly (string | number | null)[]): string {
  return `${cells.map(csvCell).join(",")}\r\n`;
}
