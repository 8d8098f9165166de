/** The users list query of one tenant: filters, search and keyset pagination over any sort. */
import { type Expression, type ExpressionBuilder, type SqlBool, sql } from "kysely";
import type { Database, UsersTable } from "../db/schema.ts";
import { escapeLike, foldSql } from "../shared/text.rules.ts";
import type { Executor } from "../shared/tx.ts";
import { lockedAtSql } from "./users.table.ts";

export type UserSortKey = "name" | "username" | "email" | "createdAt" | "lastLoginAt";

export interface UserListFilter {
  /** `all`, or the statuses listed. */
  readonly status: "all" | readonly ("active" | "inactive" | "invited" | "archived")[];
  /** Already case-folded like `search_text`. */
  readonly q?: string | undefined;
  /** Which index answers `q` (see migration 2026-11-23T01-00_user_search). */
  readonly dialect: "sqlite" | "postgres";
  readonly virtual?: boolean | undefined;
  /** Locked at `now` (a lock whose time has run out is over). */
  readonly locked?: boolean | undefined;
  readonly now: string;
  readonly roleId?: string | undefined;
  readonly workspaceId?: string | undefined;
  readonly workRole?: string | undefined;
  readonly lastLoginBefore?: string | undefined;
}

export interface UserListPage {
  readonly sort: UserSortKey;
  readonly descending: boolean;
  readonly limit: number;
  /** The sort value and id of the last row already returned. */
  readonly after: readonly [string, string] | null;
}

type Eb = ExpressionBuilder<Database, "users">;

/**
 * The expression a sort orders by. lastLoginAt is nullable; NULL ("never signed in") becomes ''
 * so it sorts first ascending on both databases and the keyset comparison never meets NULL.
 */
function sortExpression(eb: Eb, sort: UserSortKey, searchFirst = false): Expression<string> {
  const key = plainSortExpression(eb, sort);
  // With an indexed search on PostgreSQL, the planner may walk the sort index and filter row by row,
  // which is slow when the matches cluster late in sort order (a search for a surname sorts by
  // surname). An expression the sort index cannot serve makes it take the trigram index and sort
  // only the matches. The order is the same.
  return searchFirst ? sql<string>`(${key} || '')` : key;
}

function plainSortExpression(eb: Eb, sort: UserSortKey): Expression<string> {
  switch (sort) {
    case "name":
      return eb.ref("users.sort_name");
    case "username":
      return eb.ref("users.username_key");
    case "email":
      return eb.ref("users.email_key");
    case "createdAt":
      return eb.ref("users.created_at");
    case "lastLoginAt":
      return eb.fn.coalesce("users.last_login_at", sql.lit("")) as Expression<string>;
  }
}

/** The value of the sort expression for a row, for the next cursor. */
export function sortValueOf(row: UsersTable, sort: UserSortKey): string {
  switch (sort) {
    case "name":
      return row.sort_name;
    case "username":
      return row.username_key;
    case "email":
      return row.email_key;
    case "createdAt":
      return row.created_at;
    case "lastLoginAt":
      return row.last_login_at ?? "";
  }
}

function filters(eb: Eb, tenantId: string, f: UserListFilter): Expression<SqlBool>[] {
  const out: Expression<SqlBool>[] = [];
  if (f.status !== "all") {
    out.push(
      f.status.length === 1 ? eb("users.status", "=", f.status[0]!) : eb("users.status", "in", f.status),
    );
  }
  if (f.q) {
    const pattern = `%${escapeLike(f.q)}%`;
    // SQLite has no default LIKE escape character, so it is named on both databases.
    out.push(sql<SqlBool>`${eb.ref("users.search_text")} like ${pattern} escape '\\'`);
    // On SQLite the FTS5 trigram index narrows the rows first (3+ characters); the LIKE above keeps
    // the answer exact. On PostgreSQL the trigram GIN index serves the LIKE itself.
    if (f.dialect === "sqlite" && [...f.q].length >= 3) {
      const phrase = `"${f.q.replaceAll('"', '""')}"`;
      out.push(
        sql<SqlBool>`users.rowid in (select rowid from users_search where users_search match ${phrase})`,
      );
    }
  }
  if (f.virtual !== undefined) out.push(eb("users.virtual", "=", f.virtual ? 1 : 0));
  if (f.locked !== undefined) out.push(f.locked ? lockedAtSql(eb, f.now) : eb.not(lockedAtSql(eb, f.now)));
  // In any case, as the tenant's work roles are matched when a user is given one (the filter of a
  // work role typed "nurse" found nobody; issue 3 re-walk). sg_fold() folds alike on both databases.
  if (f.workRole !== undefined) out.push(sql<SqlBool>`sg_fold(users.work_role) = ${foldSql(f.workRole)}`);
  if (f.lastLoginBefore !== undefined) {
    // "Not signed in since X" includes users who never signed in.
    out.push(
      eb.or([eb("users.last_login_at", "is", null), eb("users.last_login_at", "<", f.lastLoginBefore)]),
    );
  }
  if (f.roleId !== undefined) {
    const roleId = f.roleId;
    out.push(
      eb.or([
        eb("users.role_id", "=", roleId),
        eb.exists(
          eb
            .selectFrom("user_workspace_roles as uwr")
            .select("uwr.user_id")
            .where("uwr.tenant_id", "=", tenantId)
            .whereRef("uwr.user_id", "=", "users.id")
            .where("uwr.role_id", "=", roleId),
        ),
      ]),
    );
  }
  if (f.workspaceId !== undefined) {
    const workspaceId = f.workspaceId;
    // "All workspaces" covers only this tenant's workspaces: a missing or foreign id matches nobody.
    out.push(
      eb.exists(
        eb
          .selectFrom("workspaces as w")
          .select("w.id")
          .where("w.tenant_id", "=", tenantId)
          .where("w.id", "=", workspaceId),
      ),
      eb.or([
        eb("users.workspace_access_all", "=", 1),
        eb.exists(
          eb
            .selectFrom("user_workspaces as uw")
            .select("uw.user_id")
            .where("uw.tenant_id", "=", tenantId)
            .whereRef("uw.user_id", "=", "users.id")
            .where("uw.workspace_id", "=", workspaceId),
        ),
      ]),
    );
  }
  return out;
}

export function listUserRows(
  db: Executor,
  tenantId: string,
  filter: UserListFilter,
  page: UserListPage,
): Promise<UsersTable[]> {
  const dir = page.descending ? "desc" : "asc";
  const searchFirst = filter.dialect === "postgres" && filter.q !== undefined && [...filter.q].length >= 3;
  return db
    .selectFrom("users")
    .selectAll("users")
    .where("users.tenant_id", "=", tenantId)
    .where((eb) => {
      const conds = filters(eb, tenantId, filter);
      if (page.after) {
        const [value, id] = page.after;
        const key = sortExpression(eb, page.sort, searchFirst);
        // A row-value comparison lets both databases seek the index instead of scanning to the page.
        const after = page.descending
          ? sql<SqlBool>`(${key}, ${eb.ref("users.id")}) < (${value}, ${id})`
          : sql<SqlBool>`(${key}, ${eb.ref("users.id")}) > (${value}, ${id})`;
        conds.push(after);
      }
      return eb.and(conds);
    })
    .orderBy((eb) => sortExpression(eb, page.sort, searchFirst), dir)
    .orderBy("users.id", dir)
    .limit(page.limit)
    .execute();
}
