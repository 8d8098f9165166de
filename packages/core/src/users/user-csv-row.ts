/**
 * One row of a CSV import checked as a whole before anything is written, so that a row reports
 * every problem at once (each naming its column): the fields, the names it refers to, uniqueness
 * in the tenant and in the file, the status it asks for and the guards of the API (escalation,
 * own role, a target who holds more). The write itself (users-import.service.ts) goes through the
 * API's create and edit, which check all of it again.
 */
import {
  CreateUserBody,
  type ErrorCode,
  normalizePhone,
  UpdateUserBody,
  USER_CSV_COLUMNS,
  type User,
} from "@staffgate/contract";
import { foldKey } from "../shared/text.rules.ts";
import {
  type CsvReadColumn,
  type CsvRow,
  PRIVATE_ROLE_LABEL,
  readWorkspacesCell,
  type StatusChange,
  splitWorkspaceRoles,
  statusChangeOf,
} from "./user-csv.rules.ts";
import { checkGuards, workRoleProblems } from "./user-csv-guards.ts";
import type { ImportRun, RowError } from "./user-csv-run.ts";
import { sameAssignments, text } from "./user-input.ts";

const NOT_TEXT = "contains a character that is not valid text; was the file saved as UTF-8?";
const REQUIRED_FOR_NEW = ["username", "firstName", "lastName", "role"] as const;
/** The columns that are a user's own fields, checked by the API's schema (the rest name other things). */
const NOT_FIELDS = new Set<string>(["email", "role", "workspaces", "workspaceRoles", "status"]);
const TEXT_FIELDS = USER_CSV_COLUMNS.filter((c) => !NOT_FIELDS.has(c));

export interface CheckedRow {
  readonly errors: readonly RowError[];
  /** The API's body: for a new user all of it; for a matched one only what differs. */
  readonly patch: Record<string, unknown>;
  readonly statusChange: StatusChange;
}

/** Whether `value` is what the user already has (lists compared as sets). */
function sameAs(field: string, value: unknown, user: User): boolean {
  const current = (user as unknown as Record<string, unknown>)[field];
  if (field === "workspaceRoles") {
    return sameAssignments(value as User["workspaceRoles"], current as User["workspaceRoles"]);
  }
  if (Array.isArray(value) && Array.isArray(current)) {
    return value.length === current.length && value.every((v) => current.includes(v));
  }
  return value === current;
}

/**
 * Every problem of one row, and the body it gives when it has none. A row without an email
 * matches no one, yet is no new user either: the cells a new user needs are not asked of it, as
 * its email decides whether they are needed.
 */
export async function checkRow(run: ImportRun, row: CsvRow, existing: User | null): Promise<CheckedRow> {
  const errors: RowError[] = [];
  const add = (column: string, message: string) => {
    if (!errors.some((e) => e.column === column && e.message === message)) errors.push({ column, message });
  };
  const failed = (column: string) => errors.some((e) => e.column === column);
  const deny = (code: ErrorCode) => run.refusals.push({ line: row.line, code });
  const cells: Partial<Record<CsvReadColumn, string>> = {};
  for (const [column, value] of Object.entries(row.cells) as [CsvReadColumn, string][]) {
    // A file read with the wrong encoding (Latin-1 as UTF-8) arrives with U+FFFD in place of letters.
    if (value.includes("\uFFFD")) add(column, NOT_TEXT);
    else cells[column] = value;
  }
  // A file without usernames (ProKnow's has none) signs new users in with their email address.
  if (existing === null && !run.columns.has("username") && cells.email !== undefined) {
    cells.username = cells.email;
  }
  if (existing === null && row.cells.email !== undefined) {
    for (const column of REQUIRED_FOR_NEW) {
      if (cells[column] !== undefined || failed(column)) continue;
      add(
        column,
        run.columns.has(column)
          ? "is required for a new user"
          : `is required for a new user: the file has no "${column}" column`,
      );
    }
  }

  const schema = existing === null ? CreateUserBody.shape : UpdateUserBody.shape;
  const body: Record<string, unknown> = {};
  const fields: string[] = existing === null ? ["email", ...TEXT_FIELDS] : [...TEXT_FIELDS];
  for (const field of fields) {
    const value = cells[field as CsvReadColumn];
    if (value === undefined) continue;
    const parsed = schema[field as keyof typeof schema].safeParse(value);
    if (parsed.success) body[field] = parsed.data;
    else for (const issue of parsed.error.issues) add(field, issue.message);
  }
  // Compared and stored as the API stores them, so "+44 20…" or a time without milliseconds
  // restating what the user has is no edit.
  // The schema refused a phone that is not E.164; one that passed it normalizes.
  if (typeof body.phone === "string") body.phone = normalizePhone(body.phone) ?? body.phone;
  if (typeof body.expiresAt === "string") {
    const expiresAt = new Date(body.expiresAt).toISOString();
    body.expiresAt = expiresAt;
    // An expiry already past is refused, unless the row only restates it (an export imports back).
    if (expiresAt <= run.now && expiresAt !== existing?.expiresAt) {
      add("expiresAt", "must be in the future (archive the user to end access now)");
    }
  }

  if (cells.role !== undefined) {
    if (foldKey(cells.role) === foldKey(PRIVATE_ROLE_LABEL)) {
      if (existing?.privateRole !== true) {
        add(
          "role",
          `${PRIVATE_ROLE_LABEL} only keeps a user's private role; name a role (private roles are made with Edit permissions)`,
        );
      }
    } else {
      const id = run.look.roleId(cells.role);
      if (id === undefined) add("role", `no role named "${cells.role}"`);
      else body.roleId = id;
    }
  }
  if (cells.workspaces !== undefined) {
    const read = readWorkspacesCell(cells.workspaces, run.look.workspaceId);
    if ("access" in read) body.workspaceAccess = read.access;
    else for (const problem of read.problems) add("workspaces", problem);
  }
  if (cells.workspaceRoles !== undefined) {
    const { pairs, problems } = splitWorkspaceRoles(cells.workspaceRoles);
    for (const problem of problems) add("workspaceRoles", problem);
    const assignments: { workspaceId: string; roleId: string }[] = [];
    for (const pair of pairs) {
      const workspaceId = run.look.workspaceId(pair.workspace);
      const roleId = run.look.roleId(pair.role);
      if (workspaceId === undefined) add("workspaceRoles", `no workspace "${pair.workspace}"`);
      if (roleId === undefined) add("workspaceRoles", `no role named "${pair.role}"`);
      if (workspaceId === undefined || roleId === undefined) continue;
      if (assignments.some((a) => a.workspaceId === workspaceId)) {
        add("workspaceRoles", `names workspace "${pair.workspace}" twice: one role per workspace`);
      } else assignments.push({ workspaceId, roleId });
    }
    if (!failed("workspaceRoles")) body.workspaceRoles = assignments;
  }

  // For a matched user only what differs is an edit: a row that restates the user changes nothing.
  const patch =
    existing === null
      ? body
      : Object.fromEntries(Object.entries(body).filter(([field, value]) => !sameAs(field, value, existing)));

  if (!failed("workRole") && !failed("professionalId")) {
    if (existing === null) {
      const workRole = text(body.workRole as string | undefined);
      for (const e of workRoleProblems(
        run.workRoles,
        workRole,
        text(body.professionalId as string | undefined),
      )) {
        add(e.column, e.message);
      }
    } else if ("workRole" in patch || "professionalId" in patch) {
      const workRole = "workRole" in patch ? text(patch.workRole as string) : existing.workRole;
      const professionalId =
        "professionalId" in patch ? text(patch.professionalId as string) : existing.professionalId;
      // A work role the tenant has since dropped stays on its users (users-update.ts).
      const kept =
        workRole === existing.workRole &&
        workRole !== null &&
        !run.workRoles.some((w) => w.name === workRole);
      const known = kept ? [...run.workRoles, { name: workRole, professionalIdLabel: null }] : run.workRoles;
      for (const e of workRoleProblems(known, workRole, professionalId)) add(e.column, e.message);
    }
  }

  const username = patch.username as string | undefined;
  if (username !== undefined) {
    const key = foldKey(username);
    const first = run.usernames.get(key);
    if (first === undefined) run.usernames.set(key, row.line);
    if (first !== undefined && first !== row.line) {
      add("username", `"${username}" is also on line ${first} of this file`);
    } else {
      let taken = run.trx
        .selectFrom("users")
        .select("id")
        .where("tenant_id", "=", run.tenantId)
        .where("username_key", "=", key);
      if (existing) taken = taken.where("id", "!=", existing.id);
      if (await taken.executeTakeFirst()) {
        add("username", `"${username}" is already used by another user (archived users included)`);
      }
    }
  } else if (existing !== null && !run.usernames.has(foldKey(existing.username))) {
    run.usernames.set(foldKey(existing.username), row.line);
  }

  // Ids are the tenant's own: one from another tenant's export (or a purged user) means nothing
  // here and is ignored; this tenant's id of someone else is a row error, not a silent edit.
  if (cells.id !== undefined && cells.id !== existing?.id) {
    const other = await run.trx
      .selectFrom("users")
      .select(["username", "email"])
      .where("tenant_id", "=", run.tenantId)
      .where("id", "=", cells.id)
      .executeTakeFirst();
    if (other && existing) {
      add(
        "id",
        `is ${other.username} (${other.email}), but the email is ${existing.username}'s: rows are matched on email, and neither changes`,
      );
    } else if (other) {
      add(
        "id",
        `is ${other.username} (${other.email}), not a new user: change an email in the console or the API`,
      );
    }
  }
  if (cells.virtual !== undefined) {
    const virtual = cells.virtual.toLowerCase();
    if (virtual !== "true" && virtual !== "false")
      add("virtual", "is true or false (an import never changes it)");
    else if (virtual === "true" && existing === null) {
      add(
        "virtual",
        "a file does not create virtual users (it would invite one): create it in the console or the API",
      );
    }
  }
  let statusChange: StatusChange = null;
  if (cells.status !== undefined) {
    const decided = statusChangeOf(
      cells.status,
      existing,
      existing !== null && existing.id === run.caller.userId,
    );
    if ("problem" in decided) {
      add("status", decided.problem);
      if (decided.refusal) deny(decided.refusal);
    } else statusChange = decided.change;
  }

  await checkGuards(run, existing, patch, statusChange, add, deny);
  return { errors, patch, statusChange };
}
