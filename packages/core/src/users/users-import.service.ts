/**
 * CSV import of users (PRODUCT.md §7; ProKnow: match on email, update or create) and CSV export.
 *
 * Decisions (docs/decisions.md, "CSV import and export of users"):
 * - A row whose email matches a user of the tenant (any case, any status) updates that user with
 *   the row's non-blank cells; a blank cell keeps the value. Any other row creates a user, who is
 *   invited (no passwords travel in a CSV file).
 * - All or nothing: every row runs in one transaction, each behind a savepoint so that one bad row
 *   is reported and the others still checked. A dry run, or a run with any bad row, rolls it all
 *   back, so the report is what a real run would do, with the same checks as the API (privilege
 *   escalation, last administrator, uniqueness, work roles), not a separate validator.
 */
import {
  CreateUserBody,
  type ExportUsersQuery,
  type ImportRowResult,
  type ImportUsersBody,
  type ImportUsersResponse,
  UpdateUserBody,
  type User,
} from "@staffgate/contract";
import { sql } from "kysely";
import { appendAudit } from "../audit/audit-writer.ts";
import type { Caller } from "../auth/caller.ts";
import type { Ctx } from "../shared/context.ts";
import type { Deps } from "../shared/deps.ts";
import { AppError, isAppError } from "../shared/errors.ts";
import { parseOrFail } from "../shared/parse.ts";
import { foldKey } from "../shared/text.rules.ts";
import { type Executor, inTenantTx, inTx, type Trx } from "../shared/tx.ts";
import {
  type CsvRow,
  PRIVATE_ROLE_LABEL,
  parseUserCsv,
  userCsvHeader,
  userCsvLine,
} from "./user-csv.rules.ts";
import { createUsersService, takenError } from "./users.service.ts";
import { createUserStore } from "./users.store.ts";
import { createUserIn } from "./users-create.ts";
import { updateUserIn } from "./users-update.ts";

type RowError = { column: string; message: string };

/** Thrown to roll the transaction back after a dry run or a run with bad rows. */
class RolledBack extends Error {
  constructor(readonly report: ImportUsersResponse) {
    super("rolled back");
  }
}

/** The API's field names, as the CSV's columns. */
function columnOf(path: string): string {
  const head = path.split(".")[0] ?? path;
  if (head === "roleId") return "role";
  if (head === "workspaceAccess") return "workspaces";
  return head === "" ? "email" : head;
}

function rowErrors(error: unknown): RowError[] {
  const mapped = takenError(error) ?? error;
  if (!isAppError(mapped)) throw error;
  const fields = mapped.errors ?? [];
  if (fields.length > 0) return fields.map((f) => ({ column: columnOf(f.path), message: f.message }));
  return [{ column: "row", message: mapped.message }];
}

async function lookups(trx: Executor, tenantId: string) {
  const roles = await trx
    .selectFrom("roles")
    .select(["id", "name", "name_key"])
    .where("tenant_id", "=", tenantId)
    .where("private_user_id", "is", null)
    .execute();
  const workspaces = await trx
    .selectFrom("workspaces")
    .select(["id", "slug"])
    .where("tenant_id", "=", tenantId)
    .execute();
  return {
    role(cell: string): string {
      const found = roles.find((r) => r.id === cell || r.name_key === foldKey(cell));
      if (!found)
        throw new AppError("VALIDATION_FAILED", undefined, {
          errors: [{ path: "roleId", message: `no role named "${cell}"` }],
        });
      return found.id;
    },
    workspaces(cell: string): "all" | string[] {
      if (cell.toLowerCase() === "all") return "all";
      return cell
        .split(";")
        .map((s) => s.trim())
        .filter(Boolean)
        .map((s) => {
          const found = workspaces.find((w) => w.id === s || w.slug === s.toLowerCase());
          if (!found) {
            throw new AppError("VALIDATION_FAILED", undefined, {
              errors: [{ path: "workspaceAccess", message: `no workspace "${s}"` }],
            });
          }
          return found.id;
        });
    },
    roleName: (id: string) => roles.find((r) => r.id === id)?.name ?? "",
    workspaceSlug: (id: string) => workspaces.find((w) => w.id === id)?.slug ?? id,
  };
}

type Lookups = Awaited<ReturnType<typeof lookups>>;

/**
 * The row's fields as the API's body (role and workspaces resolved); throws field errors.
 * `holdsPrivateRole` is null for a new user. `[Private role]` (what the export writes for one)
 * keeps a private role as it is; it cannot give one (that is "Edit permissions").
 */
function bodyOf(row: CsvRow, look: Lookups, holdsPrivateRole: boolean | null): Record<string, unknown> {
  const { role, workspaces, ...plain } = row.cells;
  const body: Record<string, unknown> = { ...plain };
  if (role !== undefined && foldKey(role) === foldKey(PRIVATE_ROLE_LABEL)) {
    if (holdsPrivateRole !== true) {
      throw new AppError("VALIDATION_FAILED", undefined, {
        errors: [
          {
            path: "roleId",
            message: `${PRIVATE_ROLE_LABEL} only keeps a user's private role; name a role (private roles are made with Edit permissions)`,
          },
        ],
      });
    }
  } else if (role !== undefined) body.roleId = look.role(role);
  if (workspaces !== undefined) body.workspaceAccess = look.workspaces(workspaces);
  if (holdsPrivateRole !== null) delete body.email;
  return body;
}

/** Whether every field the row sets already has that value (arrays compared as sets). */
function changesNothing(body: UpdateUserBody, user: User): boolean {
  return Object.entries(body).every(([field, value]) => {
    const current = (user as unknown as Record<string, unknown>)[field];
    if (Array.isArray(value) && Array.isArray(current)) {
      return value.length === current.length && value.every((v) => current.includes(v));
    }
    return value === current;
  });
}

export function createUserCsvService(deps: Deps) {
  const users = createUsersService(deps);
  async function applyRow(
    trx: Trx,
    ctx: Ctx,
    caller: Caller,
    row: CsvRow,
    look: Lookups,
  ): Promise<Pick<ImportRowResult, "action" | "userId">> {
    const emailKey = foldKey(row.cells.email ?? "");
    const existing = await trx
      .selectFrom("users")
      .select(["id", "version"])
      .where("tenant_id", "=", ctx.tenantId)
      .where("email_key", "=", emailKey)
      .executeTakeFirst();
    if (!existing) {
      const body = parseOrFail(CreateUserBody, bodyOf(row, look, null), "row");
      const created = await createUserIn(deps, trx, ctx, caller, body, null);
      return { action: "create", userId: created.id };
    }
    const store = createUserStore(trx, ctx.tenantId);
    const [current] = await store.toUsers([(await store.findUserRowById(existing.id))!]);
    const body = parseOrFail(UpdateUserBody, bodyOf(row, look, current!.privateRole), "row");
    // A row that changes nothing is reported as such without the edit's guards, so an export
    // imports back as is: archived users and users who hold more than the importer included.
    if (changesNothing(body, current!)) return { action: "unchanged", userId: existing.id };
    const after = await updateUserIn(deps, trx, ctx, caller, existing.id, body, undefined);
    return { action: after.version === existing.version ? "unchanged" : "update", userId: existing.id };
  }

  return {
    /**
     * A role by name (any case) or id, and workspaces as `all` or slugs (or ids) separated by `;`,
     * as an import reads them: for the CLI's `user create`. An unknown name is a field error.
     */
    async resolveNames(
      ctx: Ctx,
      cells: { readonly role?: string | undefined; readonly workspaces?: string | undefined },
    ): Promise<{ roleId?: string; workspaceAccess?: "all" | string[] }> {
      const look = await lookups(deps.db.kysely, ctx.tenantId);
      return {
        ...(cells.role !== undefined ? { roleId: look.role(cells.role) } : {}),
        ...(cells.workspaces !== undefined ? { workspaceAccess: look.workspaces(cells.workspaces) } : {}),
      };
    },

    async importUsers(ctx: Ctx, caller: Caller, input: ImportUsersBody): Promise<ImportUsersResponse> {
      const rows = parseUserCsv(input.csv);
      const seen = new Map<string, number>();
      try {
        return await inTenantTx(deps, ctx.tenantId, async (trx) => {
          const look = await lookups(trx, ctx.tenantId);
          const results: ImportRowResult[] = [];
          for (const row of rows) {
            const email = row.cells.email ?? null;
            const base = { line: row.line, email };
            const first = email === null ? undefined : seen.get(foldKey(email));
            if (email === null || first !== undefined) {
              const message =
                email === null ? "is required: rows are matched on email" : `repeats line ${first}`;
              results.push({
                ...base,
                action: "error",
                userId: null,
                errors: [{ column: "email", message }],
              });
              continue;
            }
            seen.set(foldKey(email), row.line);
            // Let the event loop serve other requests between rows (SQLite runs on this thread).
            if (row.line % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
            await sql`savepoint staffgate_import_row`.execute(trx);
            try {
              const done = await applyRow(trx, ctx, caller, row, look);
              await sql`release savepoint staffgate_import_row`.execute(trx);
              results.push({ ...base, ...done, errors: [] });
            } catch (error) {
              const errors = rowErrors(error);
              await sql`rollback to savepoint staffgate_import_row`.execute(trx);
              await sql`release savepoint staffgate_import_row`.execute(trx);
              results.push({ ...base, action: "error", userId: null, errors });
            }
          }
          const count = (a: ImportRowResult["action"]) => results.filter((r) => r.action === a).length;
          const failed = count("error");
          const report: ImportUsersResponse = {
            dryRun: input.dryRun,
            applied: !input.dryRun && failed === 0,
            created: count("create"),
            updated: count("update"),
            unchanged: count("unchanged"),
            failed,
            // A report of what did not happen names no user ids that were rolled back.
            rows:
              input.dryRun || failed > 0
                ? results.map((r) => (r.action === "create" ? { ...r, userId: null } : r))
                : results,
          };
          if (!report.applied) throw new RolledBack(report);
          await appendAudit(deps, trx, ctx, {
            action: "users.imported",
            target: { type: "users", id: null, label: null },
            changes: {
              created: { after: report.created },
              updated: { after: report.updated },
              unchanged: { after: report.unchanged },
            },
          });
          return report;
        });
      } catch (error) {
        if (!(error instanceof RolledBack)) throw error;
        if (input.dryRun) return error.report;
        throw new AppError(
          "USER_IMPORT_INVALID",
          `${error.report.failed} of ${rows.length} rows cannot be imported; nothing was written`,
          {
            errors: error.report.rows.flatMap((r) =>
              r.errors.map((e) => ({ path: `csv.${r.line}.${e.column}`, message: e.message })),
            ),
            extensions: { report: error.report },
          },
        );
      }
    },

    /**
     * Every matching user as CSV lines (header first), read a page at a time. Audited like the
     * audit export (`users.exported`, committed before the first line) because it copies staff
     * records out of the system.
     */
    async exportUsers(ctx: Ctx, query: ExportUsersQuery): Promise<AsyncIterable<string>> {
      const look = await inTx(deps, async (trx) => {
        const filters = Object.entries(query).filter(([, v]) => v !== undefined);
        await appendAudit(deps, trx, ctx, {
          action: "users.exported",
          target: { type: "users", id: null, label: null },
          changes: Object.fromEntries(filters.map(([k, v]) => [k, { after: v }])),
        });
        return lookups(trx, ctx.tenantId);
      });
      return (async function* () {
        yield userCsvHeader();
        let cursor: string | undefined;
        do {
          const page = await users.listUsers(ctx, { ...query, limit: 200, ...(cursor ? { cursor } : {}) });
          for (const user of page.items) yield userCsvLine(user, look.roleName, look.workspaceSlug);
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
      })();
    },
  };
}

export type UserCsvService = ReturnType<typeof createUserCsvService>;
