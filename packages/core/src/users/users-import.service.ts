/**
 * CSV import of users (PRODUCT.md §7; ProKnow: match on email, update or create) and CSV export.
 *
 * Decisions (docs/decisions.md, "CSV import and export of users"):
 * - A row whose email matches a user of the tenant (any case, any status) updates that user with
 *   the row's non-blank cells; a blank cell keeps the value. Any other row creates a user, who is
 *   invited (no passwords travel in a CSV file).
 * - All or nothing: every row runs in one transaction, each behind a savepoint so that one bad row
 *   is reported and the others still checked. A dry run, or a run with any bad row, rolls it all
 *   back, so the report is what a real run would do.
 * - Each row is first checked whole (user-csv-row.ts), so it reports every problem at once, each
 *   naming its column; a row without problems is then written through the API's own create, edit
 *   and lifecycle use cases (privilege escalation, last administrator, uniqueness, work roles),
 *   which check it all again.
 * - `status` is honoured between active and inactive through deactivate and reactivate.
 */
import {
  CreateUserBody,
  type ExportUsersQuery,
  type ImportRowResult,
  type ImportUsersBody,
  type ImportUsersResponse,
  UpdateUserBody,
} from "@staffgate/contract";
import { sql } from "kysely";
import { currentHolder } from "../access/current-holder.ts";
import type { Holder } from "../access/grants.rules.ts";
import { appendAudit, auditKeep, auditMark, discardAuditSince } from "../audit/audit-writer.ts";
import { type Caller, isOwnAccount } from "../auth/caller.ts";
import type { Ctx } from "../shared/context.ts";
import type { Deps } from "../shared/deps.ts";
import { AppError, invalid } from "../shared/errors.ts";
import { parseOrFail } from "../shared/parse.ts";
import { foldKey } from "../shared/text.rules.ts";
import { inTenantTx, inTx, type Trx } from "../shared/tx.ts";
import { createTenantStore } from "../tenants/tenants.store.ts";
import {
  type CsvRow,
  parseUserCsv,
  readWorkspacesCell,
  userCsvHeader,
  userCsvLine,
} from "./user-csv.rules.ts";
import { checkRow } from "./user-csv-row.ts";
import {
  errorsOf,
  type ImportRefusal,
  type ImportRun,
  loadImportLookups,
  type RowError,
  refusalCodeOf,
} from "./user-csv-run.ts";
import { tenantWorkRoles } from "./user-input.ts";
import { transitionUserIn } from "./user-lifecycle.service.ts";
import { createUsersService, takenError } from "./users.service.ts";
import { createUserStore } from "./users.store.ts";
import { createUserIn } from "./users-create.ts";
import { updateUserIn } from "./users-update.ts";

/** Thrown to roll the transaction back after a dry run or a run with bad rows. */
class RolledBack extends Error {
  constructor(readonly report: ImportUsersResponse) {
    super("rolled back");
  }
}

type RowOutcome = Pick<ImportRowResult, "action" | "userId" | "errors">;

export function createUserCsvService(deps: Deps) {
  const users = createUsersService(deps);

  /**
   * Checks the row whole, then writes it through the API's own create, edit and lifecycle. A row
   * whose email is missing or repeated (`refused`) is checked all the same and never written: the
   * dry run reports every problem of every row at once (PRODUCT.md §7), not one per attempt.
   */
  async function applyRow(
    run: ImportRun,
    ctx: Ctx,
    row: CsvRow,
    refused: RowError | null,
  ): Promise<RowOutcome> {
    const trx: Trx = run.trx;
    const email = row.cells.email;
    const found =
      email === undefined
        ? undefined
        : await trx
            .selectFrom("users")
            .select("id")
            .where("tenant_id", "=", ctx.tenantId)
            .where("email_key", "=", foldKey(email))
            .executeTakeFirst();
    const store = createUserStore(trx, ctx.tenantId);
    const existing = found
      ? (await store.toUsers([(await store.findUserRowById(found.id))!], deps.clock.now().toISOString()))[0]!
      : null;
    const checked = await checkRow(run, row, existing);
    const errors = [...(refused ? [refused] : []), ...checked.errors];
    if (errors.length > 0) return { action: "error", userId: null, errors };
    if (existing === null) {
      const body = parseOrFail(CreateUserBody, checked.patch, "row");
      const created = await createUserIn(deps, trx, ctx, run.caller, body, null, {
        holder: await run.holder(),
        tenant: run.tenant,
      });
      // As SCIM does for `active: false`: created, then switched off (its invitation link dies).
      if (checked.statusChange === "deactivate") {
        await transitionUserIn(deps, trx, run.caller, ctx, created.id, "deactivate");
      }
      return { action: "create", userId: created.id, errors: [] };
    }
    // A row that changes nothing is reported as such without the edit's guards, so an export
    // imports back as is: archived users and users who hold more than the importer included.
    const body = parseOrFail(UpdateUserBody, checked.patch, "row");
    let changed = false;
    if (Object.keys(body).length > 0) {
      const after = await updateUserIn(deps, trx, ctx, run.caller, existing.id, body, undefined);
      changed = after.version !== existing.version;
    }
    if (checked.statusChange !== null) {
      await transitionUserIn(deps, trx, run.caller, ctx, existing.id, checked.statusChange);
      changed = true;
    }
    if (changed && isOwnAccount(run.caller, existing.id)) run.forgetHolder();
    return { action: changed ? "update" : "unchanged", userId: existing.id, errors: [] };
  }

  return {
    /**
     * A role by name (any case) or id, and workspaces as `all`, `none` or slugs (or ids) separated by `;`,
     * as an import reads them: for the CLI's `user create`. An unknown name is a field error.
     */
    async resolveNames(
      ctx: Ctx,
      cells: { readonly role?: string | undefined; readonly workspaces?: string | undefined },
    ): Promise<{ roleId?: string; workspaceAccess?: "all" | string[] }> {
      const look = await loadImportLookups(deps.db.kysely, ctx.tenantId);
      const out: { roleId?: string; workspaceAccess?: "all" | string[] } = {};
      if (cells.role !== undefined) {
        out.roleId = look.roleId(cells.role);
        if (out.roleId === undefined) throw invalid("roleId", `no role named "${cells.role}"`);
      }
      if (cells.workspaces !== undefined) {
        const read = readWorkspacesCell(cells.workspaces, look.workspaceId);
        if ("problems" in read) {
          throw new AppError("VALIDATION_FAILED", read.problems.join("; "), {
            errors: read.problems.map((message) => ({ path: "workspaceAccess", message })),
          });
        }
        out.workspaceAccess = read.access;
      }
      return out;
    },

    /**
     * `onRefused`: the rows refused for what the importer may not do, told once the import is
     * over (rolled back or dry), so that the caller audits and logs them as the API's refusals
     * are: every row's refusal is otherwise only in a report that no record keeps (the insider
     * pentest, 2026-12-07: an importer could probe escalations without a trace).
     */
    async importUsers(
      ctx: Ctx,
      caller: Caller,
      input: ImportUsersBody,
      onRefused?: (refusals: readonly ImportRefusal[]) => Promise<void>,
    ): Promise<ImportUsersResponse> {
      const { columns, rows } = parseUserCsv(input.csv);
      const seen = new Map<string, number>();
      const refusals: ImportRefusal[] = [];
      try {
        return await importAll();
      } finally {
        if (refusals.length > 0) await onRefused?.(refusals);
      }

      async function importAll(): Promise<ImportUsersResponse> {
        try {
          return await inTenantTx(deps, ctx.tenantId, async (trx) => {
            const tenant = await createTenantStore(trx).findTenantById(ctx.tenantId);
            if (!tenant) throw new AppError("TENANT_NOT_FOUND");
            let holder: Promise<Holder> | undefined;
            const run: ImportRun = {
              trx,
              tenant,
              tenantId: ctx.tenantId,
              caller,
              holder: () => {
                holder ??= currentHolder(trx, caller);
                return holder;
              },
              forgetHolder: () => {
                holder = undefined;
              },
              look: await loadImportLookups(trx, ctx.tenantId),
              columns,
              now: deps.clock.now().toISOString(),
              workRoles: tenantWorkRoles(tenant.work_roles),
              usernames: new Map(),
              refusals,
            };
            const results: ImportRowResult[] = [];
            for (const row of rows) {
              const email = row.cells.email ?? null;
              const base = { line: row.line, email };
              const first = email === null ? undefined : seen.get(foldKey(email));
              const refused: RowError | null =
                email === null
                  ? { column: "email", message: "is required: rows are matched on email" }
                  : first !== undefined
                    ? { column: "email", message: `repeats line ${first}` }
                    : null;
              if (email !== null && first === undefined) seen.set(foldKey(email), row.line);
              // Let the event loop serve other requests between rows (SQLite runs on this thread; its
              // reads no longer wait for this transaction, so each row is all a /check waits for:
              // every 50 rows, that was up to 570 ms on a tenant of 10,000 users).
              await new Promise((resolve) => setImmediate(resolve));
              await sql`savepoint staffgate_import_row`.execute(trx);
              const audited = auditMark(trx);
              try {
                const done = await applyRow(run, ctx, row, refused);
                await sql`release savepoint staffgate_import_row`.execute(trx);
                auditKeep(trx);
                results.push({ ...base, ...done });
              } catch (error) {
                const code = refusalCodeOf(error);
                if (code) refusals.push({ line: row.line, code });
                const errors = [
                  ...(refused ? [refused] : []),
                  ...errorsOf(error, takenError(error) ?? error),
                ];
                await sql`rollback to savepoint staffgate_import_row`.execute(trx);
                discardAuditSince(trx, audited);
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
        return loadImportLookups(trx, ctx.tenantId);
      });
      return (async function* () {
        yield userCsvHeader();
        let cursor: string | undefined;
        do {
          const page = await users.listUsers(ctx, { ...query, limit: 200, ...(cursor ? { cursor } : {}) });
          for (const user of page.items)
            yield userCsvLine(user, look.roleName, look.workspaceSlug, look.workspaceRoleName);
          cursor = page.nextCursor ?? undefined;
          // A turn of the event loop between pages, as the audit export takes (audit.store.ts).
          if (cursor) await new Promise((resolve) => setImmediate(resolve));
        } while (cursor);
      })();
    },
  };
}

export type UserCsvService = ReturnType<typeof createUserCsvService>;
