/**
 * CSV import and export of users (PRODUCT.md §7; ProKnow: match on email, update or create), with
 * a dry run that reports every row's errors before anything is written.
 */
import { z } from "zod";
import { ListUsersQuery } from "./users.ts";

/**
 * The columns an import reads; an export writes them first, so an export imports back as is.
 * `workspaceRoles` is `slug=role;slug=role` (a role by name, or by id when its name holds `;`);
 * `status` is honoured between `active` and `inactive` (deactivate and reactivate).
 */
export const USER_CSV_COLUMNS = [
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
export type UserCsvColumn = (typeof USER_CSV_COLUMNS)[number];

/**
 * Written by an export for reading. An import checks `id` against the user its email matches and
 * `virtual` (a file never creates a virtual user), and ignores the others.
 */
export const USER_CSV_EXPORT_ONLY = [
  "id",
  "virtual",
  "locked",
  "mfaEnrolled",
  "lastLoginAt",
  "createdAt",
] as const;

/**
 * At most this many rows in one import: an import is one transaction holding the tenant's write
 * lock (about 1 s per 1,000 rows on SQLite, several seconds on PostgreSQL); larger files are split.
 */
export const MAX_IMPORT_ROWS = 1000;

export const ImportUsersBody = z.strictObject({
  /** The CSV text: a header row naming columns, then one user per row. */
  csv: z.string().min(1).max(1_000_000),
  /** Report what would happen and write nothing. */
  dryRun: z.boolean().default(false),
});
export type ImportUsersBody = z.infer<typeof ImportUsersBody>;

export const ImportRowResult = z.strictObject({
  /** The row's line in the file (the header is line 1). */
  line: z.number().int(),
  email: z.string().nullable(),
  action: z.enum(["create", "update", "unchanged", "error"]),
  userId: z.string().nullable(),
  errors: z.array(z.strictObject({ column: z.string(), message: z.string() })),
});
export type ImportRowResult = z.infer<typeof ImportRowResult>;

export const ImportUsersResponse = z.strictObject({
  dryRun: z.boolean(),
  /** Whether the rows were written: never on a dry run, and never when any row has an error. */
  applied: z.boolean(),
  created: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  failed: z.number().int(),
  rows: z.array(ImportRowResult),
});
export type ImportUsersResponse = z.infer<typeof ImportUsersResponse>;

/** The list's filters (API.md), without paging: an export is every matching user. */
export const ExportUsersQuery = ListUsersQuery.omit({ limit: true, cursor: true });
export type ExportUsersQuery = z.infer<typeof ExportUsersQuery>;
