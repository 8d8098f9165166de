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
import { csvLine, unprotectCsvCell } from "../shared/csv.rules.ts";
import { invalid } from "../shared/errors.ts";

/** The columns an import reads: its own, and `id` and `virtual`, which it checks. */
export type CsvReadColumn = UserCsvColumn | "id" | "virtual";

export interface CsvRow {
  /** The row's line in the file (the header is line 1). */
  readonly line: number;
  /** Non-empty cells by column, trimmed; a column left blank is absent (an update keeps the value). */
  readonly cells: Partial<Record<CsvReadColumn, string>>;
}

export interface ParsedUserCsv {
  /** The columns the header names (read-only ones an import ignores left out). */
  readonly columns: ReadonlySet<CsvReadColumn>;
  readonly rows: readonly CsvRow[];
}

const CHECKED: ReadonlySet<string> = new Set(["id", "virtual"]);

const KNOWN = new Map<string, CsvReadColumn | null>([
  ...USER_CSV_COLUMNS.map((c) => [c.toLowerCase(), c] as const),
  // Written by an export for reading; an import ignores them (but checks `id` and `virtual`) so
  // that an export imports back.
  ...USER_CSV_EXPORT_ONLY.map(
    (c) => [c.toLowerCase(), CHECKED.has(c) ? (c as CsvReadColumn) : null] as const,
  ),
]);

/**
 * ProKnow's user file (DOMAIN.md §3.11: "e-mail, name, role and active status") read as Staffgate's
 * columns: `e-mail` is `email`; `name` is split into `firstName` and `lastName` at its last space;
 * `active` (true/false, yes/no, 1/0) is `status` active or inactive. Staffgate's own names win
 * where both are given (a file naming `name` and `firstName` is refused as naming a column twice).
 */
const ALIASES = new Map<string, CsvReadColumn>([
  ["e-mail", "email"],
  ["email address", "email"],
  ["e-mail address", "email"],
  // Prevounce's User Information tab: "User Role" (also "user type") is the work role
  // (physician, nurse, …), not the security role of its Roles tab (DOMAIN.md §2).
  ["user role", "workRole"],
  ["user type", "workRole"],
  // The console's own labels, as a spreadsheet made by hand from them would head its columns.
  ["first name", "firstName"],
  ["last name", "lastName"],
  ["work role", "workRole"],
  ["employee number", "employeeNumber"],
]);
const NAME = "name";
const ACTIVE = "active";
const ACTIVE_VALUES = new Map([
  ["true", "active"],
  ["yes", "active"],
  ["y", "active"],
  ["1", "active"],
  ["false", "inactive"],
  ["no", "inactive"],
  ["n", "inactive"],
  ["0", "inactive"],
]);

/** What a header cell reads as: a column, an ignored export-only one (null), or a ProKnow one. */
type HeaderColumn = CsvReadColumn | null | typeof NAME | typeof ACTIVE;

function headerColumn(name: string): HeaderColumn | undefined {
  const key = name.toLowerCase();
  if (key === NAME || key === "full name") return NAME;
  if (key === ACTIVE) return ACTIVE;
  // KNOWN holds null for the export's read-only columns: `??` would pass them over.
  return KNOWN.has(key) ? KNOWN.get(key) : ALIASES.get(key);
}

/** Given and family name of a `name` cell: the last word is the family name. */
function splitName(value: string): { firstName?: string; lastName: string } {
  const at = value.lastIndexOf(" ");
  if (at < 0) return { lastName: value };
  return { firstName: value.slice(0, at).trim(), lastName: value.slice(at + 1) };
}

/** Parses the text; a malformed file, an unknown or repeated column, or too many rows is a 400 naming `csv`. */
export function parseUserCsv(text: string): ParsedUserCsv {
  let parsed: { record: string[]; info: { bytes: number } }[];
  try {
    // With `info`, each record comes with where it ended (csv-parse's types do not follow the option).
    parsed = parse(text, {
      bom: true,
      skip_empty_lines: true,
      trim: true,
      relax_column_count: false,
      info: true,
    }) as unknown as typeof parsed;
  } catch (error) {
    throw invalid("csv", `is not valid CSV: ${(error as Error).message}`);
  }
  const lines = startLines(
    text,
    parsed.map((p) => p.info.bytes),
  );
  const [header, ...rows] = parsed.map((p) => p.record);
  if (!header) throw invalid("csv", "has no header row");
  const columns = header.map((name) => {
    const column = headerColumn(name);
    if (column === undefined) {
      throw invalid("csv", `has an unknown column "${name}" (columns: ${USER_CSV_COLUMNS.join(", ")})`);
    }
    return column;
  });
  // Each heading with the columns it reads as; two headings that read as one column are named as
  // the file spells them ("Work Role" and "User Role" are both workRole).
  const headed = columns.flatMap((c, i): { column: CsvReadColumn; heading: string }[] =>
    (c === null
      ? []
      : c === NAME
        ? (["firstName", "lastName"] as const)
        : c === ACTIVE
          ? (["status"] as const)
          : [c]
    ).map((column) => ({ column, heading: header[i]! })),
  );
  const repeated = headed.find((n, i) => headed.findIndex((m) => m.column === n.column) !== i);
  if (repeated) {
    const headings = headed.filter((n) => n.column === repeated.column).map((n) => `"${n.heading}"`);
    const spelled = headings.every((h) => h === `"${repeated.column}"`)
      ? ""
      : ` (as ${[...new Set(headings)].join(" and ")})`;
    throw invalid("csv", `names the column "${repeated.column}" twice${spelled}`);
  }
  const named = headed.map((n) => n.column);
  if (!named.includes("email")) throw invalid("csv", 'needs an "email" column: rows are matched on email');
  if (rows.length > MAX_IMPORT_ROWS) throw invalid("csv", `has more than ${MAX_IMPORT_ROWS} rows`);
  return {
    columns: new Set(named),
    rows: rows.map((record, i) => {
      const cells: Partial<Record<CsvReadColumn, string>> = {};
      columns.forEach((column, j) => {
        // The export's formula apostrophe (shared/csv.rules.ts) comes off again, exactly one.
        const value = unprotectCsvCell(record[j] ?? "");
        if (column === null || value === "") return;
        if (column === NAME) Object.assign(cells, splitName(value));
        else if (column === ACTIVE) cells.status = ACTIVE_VALUES.get(value.toLowerCase()) ?? value;
        else cells[column] = value;
      });
      return { line: lines[i + 1]!, cells };
    }),
  };
}

/**
 * The line of the file each record begins on, from the byte offsets where records end: a row after
 * blank lines or after a cell spanning lines was reported by its record number, so the dry run
 * sent the administrator to the wrong line (input audit, 2026-12-06). CRLF, LF and CR each end a line.
 */
function startLines(text: string, recordEnds: readonly number[]): number[] {
  const bytes = Buffer.from(text);
  const isBreak = (at: number) => bytes[at] === 0x0a || (bytes[at] === 0x0d && bytes[at + 1] !== 0x0a);
  const starts: number[] = [];
  let line = 1;
  let at = 0;
  for (const end of recordEnds) {
    // Blank lines before a record (empty, or spaces and tabs only) are skipped by the parser and
    // counted here; a space or tab adds no line.
    while (at < end && [0x0a, 0x0d, 0x20, 0x09].includes(bytes[at]!)) line += isBreak(at++) ? 1 : 0;
    starts.push(line);
    while (at < end) line += isBreak(at++) ? 1 : 0;
  }
  return starts;
}

export function userCsvHeader(): string {
  return csvLine([...USER_CSV_COLUMNS, ...USER_CSV_EXPORT_ONLY]);
}

/** What exports show for a user's private role (PRODUCT.md §2). */
export const PRIVATE_ROLE_LABEL = "[Private role]";

/** A `workspaceRoles` cell that removes every per-workspace role (a blank cell keeps them). */
export const NO_WORKSPACE_ROLES = "none";

/**
 * A role as the `workspaceRoles` cell names it: by name, or by id when the name holds the cell's
 * separator `;` (a workspace slug never holds `=` or `;`, so nothing needs escaping).
 */
export function workspaceRoleLabel(role: { readonly id: string; readonly name: string }): string {
  return role.name.includes(";") || role.name !== role.name.trim() ? role.id : role.name;
}

/**
 * The `workspaces` cell's two words: every workspace (including those made later) and none. A
 * workspace slugged like one of them is written by its id, which the import reads too.
 */
const EVERY_WORKSPACE = "all";
const NO_WORKSPACE = "none";

/** A user's workspace access as the `workspaces` cell: `all`, `none`, or slugs separated by `;`. */
export function workspacesCell(
  access: "all" | readonly string[],
  workspaceSlug: (id: string) => string,
): string {
  if (access === "all") return EVERY_WORKSPACE;
  if (access.length === 0) return NO_WORKSPACE;
  return access
    .map((id) => {
      const slug = workspaceSlug(id);
      return slug === EVERY_WORKSPACE || slug === NO_WORKSPACE ? id : slug;
    })
    .join(";");
}

/**
 * A written `workspaces` cell (the CSV import, the CLI's `--workspaces`) as workspace access, or
 * every problem it has. `;` alone names nothing: none is written `none` (an export writes it so,
 * and a blank cell means every workspace for a new user, found by the CLI audit: a user with none
 * came back from an export with all of them).
 */
export function readWorkspacesCell(
  cell: string,
  workspaceId: (slugOrId: string) => string | undefined,
): { readonly access: "all" | string[] } | { readonly problems: string[] } {
  const word = cell.trim().toLowerCase();
  if (word === EVERY_WORKSPACE) return { access: "all" };
  if (word === NO_WORKSPACE) return { access: [] };
  const names = cell
    .split(";")
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.length === 0) {
    return {
      problems: [
        `names no workspace: write "${EVERY_WORKSPACE}", "${NO_WORKSPACE}" or slugs separated by ";"`,
      ],
    };
  }
  const ids = names.map(workspaceId);
  const problems = names.filter((_, i) => ids[i] === undefined).map((s) => `no workspace "${s}"`);
  return problems.length > 0 ? { problems } : { access: ids as string[] };
}

/** The `workspaceRoles` cell: `slug=role` pairs separated by `;`, in slug order, as `workspaces`. */
export function workspaceRolesCell(
  assignments: readonly { readonly workspaceId: string; readonly roleId: string }[],
  workspaceSlug: (id: string) => string,
  roleLabel: (id: string) => string,
): string {
  return assignments
    .map((a) => `${workspaceSlug(a.workspaceId)}=${roleLabel(a.roleId)}`)
    .sort()
    .join(";");
}

/** A `workspaceRoles` cell as written pairs (`none` is no pairs); a part that is no pair is a problem. */
export function splitWorkspaceRoles(cell: string): {
  pairs: { workspace: string; role: string }[];
  problems: string[];
} {
  const pairs: { workspace: string; role: string }[] = [];
  const problems: string[] = [];
  if (cell.trim().toLowerCase() === NO_WORKSPACE_ROLES) return { pairs, problems };
  for (const part of cell.split(";").map((p) => p.trim())) {
    if (part === "") continue;
    // The first "=" separates: a slug never holds one, a role name may.
    const at = part.indexOf("=");
    const workspace = at < 0 ? "" : part.slice(0, at).trim();
    const role = at < 0 ? "" : part.slice(at + 1).trim();
    if (workspace === "" || role === "") {
      problems.push(`"${part}" is not workspace=role (e.g. ward-a=Physicist;ward-b=Dosimetrist)`);
    } else pairs.push({ workspace, role });
  }
  return { pairs, problems };
}

/** What a row asks of a user's status: a lifecycle action, if any. */
export type StatusChange = "deactivate" | "reactivate" | null;

/** The status a row asks for, as a lifecycle action; a status it cannot set is a problem. */
export function statusChangeOf(
  cell: string,
  existing: { readonly status: User["status"] } | null,
  own: boolean,
): { change: StatusChange } | { problem: string; refusal?: "SELF_ACTION_FORBIDDEN" } {
  const wanted = cell.toLowerCase();
  if (!["active", "inactive", "invited", "archived"].includes(wanted)) {
    return { problem: `"${cell}" is not a status a file can set: active or inactive` };
  }
  if (existing === null) {
    // No password travels in a file: a new user is invited, and active once it sets one.
    if (wanted === "archived") {
      return { problem: "a new user cannot be created archived; leave it out of the file" };
    }
    return { change: wanted === "inactive" ? "deactivate" : null };
  }
  if (wanted === existing.status) return { change: null };
  if (existing.status === "archived") {
    return { problem: "the user is archived: restore it in the console or the API first" };
  }
  if (wanted === "archived") {
    return { problem: "is not set by a file: archive the user in the console or the API" };
  }
  if (wanted === "invited") return { problem: "cannot be set: a user is invited only when created" };
  if (wanted === "active" && existing.status === "invited") {
    return { problem: "cannot be set: an invited user becomes active by setting a password" };
  }
  if (own) {
    return {
      problem: "is your own account's status: ask another administrator to change it",
      refusal: "SELF_ACTION_FORBIDDEN",
    };
  }
  return { change: wanted === "inactive" ? "deactivate" : "reactivate" };
}

/** One user as a CSV line; roles and workspaces by name and slug, as an import reads them. */
export function userCsvLine(
  user: User,
  roleName: (id: string) => string,
  workspaceSlug: (id: string) => string,
  workspaceRoleName: (id: string) => string,
): string {
  return csvLine(
    [
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
      workspacesCell(user.workspaceAccess, workspaceSlug),
      workspaceRolesCell(user.workspaceRoles, workspaceSlug, workspaceRoleName),
      user.expiresAt,
      user.status,
      user.id,
      String(user.virtual),
      String(user.locked),
      String(user.mfaEnrolled),
      user.lastLoginAt,
      user.createdAt,
    ],
    // Imported back, a value must come back exactly: "'=x" is not "=x" (csv.rules.ts).
    { reversible: true },
  );
}
