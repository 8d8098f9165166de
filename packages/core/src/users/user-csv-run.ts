/**
 * What the rows of one CSV import share: the tenant's roles and workspaces by name, the importer,
 * and the usernames the file has claimed so far; and core's refusals as a row's problems.
 */
import type { ErrorCode, WorkRole } from "@staffgate/contract";
import type { Holder } from "../access/grants.rules.ts";
import type { Caller } from "../auth/caller.ts";
import type { TenantsTable } from "../db/schema.ts";
import { AUTHORIZATION_REFUSALS, isAppError } from "../shared/errors.ts";
import { foldKey } from "../shared/text.rules.ts";
import type { Executor, Trx } from "../shared/tx.ts";
import { type CsvReadColumn, workspaceRoleLabel } from "./user-csv.rules.ts";

export type RowError = { column: string; message: string };

/** The API's field names, as the CSV's columns. */
export function columnOf(path: string): string {
  const head = path.split(".")[0] ?? path;
  if (head === "roleId") return "role";
  if (head === "workspaceAccess") return "workspaces";
  return head === "" ? "email" : head;
}

/** A refusal of core as the row's problems, by column; anything else is thrown on. */
export function errorsOf(error: unknown, mapped: unknown = error): RowError[] {
  if (!isAppError(mapped)) throw error;
  const fields = mapped.errors ?? [];
  if (fields.length > 0) return fields.map((f) => ({ column: columnOf(f.path), message: f.message }));
  return [{ column: "row", message: mapped.message }];
}

/** The tenant's formal roles and workspaces, by name or slug (any case) or id. */
export async function loadImportLookups(db: Executor, tenantId: string) {
  const roles = await db
    .selectFrom("roles")
    .select(["id", "name", "name_key"])
    .where("tenant_id", "=", tenantId)
    .where("private_user_id", "is", null)
    .execute();
  const workspaces = await db
    .selectFrom("workspaces")
    .select(["id", "slug"])
    .where("tenant_id", "=", tenantId)
    .execute();
  return {
    roleId: (cell: string) => roles.find((r) => r.id === cell || r.name_key === foldKey(cell))?.id,
    workspaceId: (cell: string) => workspaces.find((w) => w.id === cell || w.slug === cell.toLowerCase())?.id,
    roleName: (id: string) => roles.find((r) => r.id === id)?.name ?? "",
    workspaceSlug: (id: string) => workspaces.find((w) => w.id === id)?.slug ?? id,
    workspaceRoleName: (id: string) => {
      const role = roles.find((r) => r.id === id);
      return role ? workspaceRoleLabel(role) : id;
    },
  };
}
export type ImportLookups = Awaited<ReturnType<typeof loadImportLookups>>;

/** What every row of one import shares. */
export interface ImportRun {
  readonly trx: Trx;
  /** The tenant's row, read under the tenant lock when the import began. */
  readonly tenant: TenantsTable;
  readonly tenantId: string;
  readonly caller: Caller;
  /**
   * The importer's grants now, read once (an import cannot change its importer's own role), and
   * read again after a row edits the importer's own account (its workspaces may have narrowed).
   */
  readonly holder: () => Promise<Holder>;
  readonly forgetHolder: () => void;
  readonly look: ImportLookups;
  readonly columns: ReadonlySet<CsvReadColumn>;
  readonly now: string;
  readonly workRoles: readonly WorkRole[];
  /** Each username's (case-folded) first line in the file. */
  readonly usernames: Map<string, number>;
  /** Rows refused for what the importer may not do (AUTHORIZATION_REFUSALS): audited apart. */
  readonly refusals: ImportRefusal[];
}

/** A row refused for what the importer may not do, by the code the API would have answered. */
export interface ImportRefusal {
  readonly line: number;
  readonly code: ErrorCode;
}

/** The refusal `error` is, when it is one of what the caller may not do; else null. */
export function refusalCodeOf(error: unknown): ErrorCode | null {
  return isAppError(error) && AUTHORIZATION_REFUSALS.has(error.code) ? error.code : null;
}
