/**
 * A query that reads or writes a tenant's rows without naming the tenant cannot be run by accident:
 * this Kysely plugin refuses, before it reaches the database, every SELECT, UPDATE or DELETE over a
 * tenant-owned table whose conditions never compare `tenant_id`, and every INSERT into one that
 * sets no `tenant_id`. A query meant to span tenants (the metrics, the background jobs, the
 * outbox's delivery, the lookup of an emailed link's token, migrations) says so by running on
 * `db.allTenants`, the same connection without this plugin, which review can find by name.
 *
 * "Compares `tenant_id`" is a presence check, not a proof: a comparison with the wrong tenant
 * passes, and so does a join on `tenant_id` columns (the bearer-token lookup joins its user on the
 * session's tenant). It catches the mistake that happens, a forgotten condition; the isolation
 * model test (server/test/isolation.model.test.ts) catches the rest through the API. Raw SQL
 * (`sql\`…\``) is not parsed and not checked.
 */
import type {
  AliasNode,
  KyselyPlugin,
  OperationNode,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from "kysely";

/** Every table with a `tenant_id` column (db/tenant-guard.test.ts compares this with the schema). */
export const TENANT_OWNED_TABLES: ReadonlySet<string> = new Set([
  "workspaces",
  "roles",
  "role_workspaces",
  "users",
  "user_workspaces",
  "user_workspace_roles",
  "sessions",
  "api_tokens",
  "patient_grants",
  "audit_heads",
  "audit_events",
  "emergency_access",
  "outbox",
  "password_history",
  "compromised_passwords",
  "credential_tokens",
  "mfa_totp",
  "mfa_recovery_codes",
  "mfa_remembered_devices",
  "scim_external_ids",
  "idempotency_keys",
]);

const TENANT_COLUMN = "tenant_id";

export class TenantGuardError extends Error {
  override readonly name = "TenantGuardError";
}

type AnyNode = OperationNode & Record<string, unknown>;

/** The table a FROM, JOIN, UPDATE or INSERT names (through an alias), or undefined for a subquery. */
function tableName(node: OperationNode | undefined): string | undefined {
  if (!node) return undefined;
  if (node.kind === "AliasNode") return tableName((node as AliasNode).node);
  if (node.kind === "TableNode") {
    return (node as unknown as { table: { identifier: { name: string } } }).table.identifier.name;
  }
  return undefined;
}

/** The column a reference or column node names. */
function columnName(node: OperationNode | undefined): string | undefined {
  if (!node) return undefined;
  if (node.kind === "ColumnNode") return (node as unknown as { column: { name: string } }).column.name;
  if (node.kind === "ReferenceNode") return columnName((node as unknown as { column: OperationNode }).column);
  return undefined;
}

/** Parameters hold values, never queries: not walked (an `in` list may hold thousands). */
const LEAVES = new Set(["ValueNode", "PrimitiveValueListNode", "IdentifierNode", "OperatorNode"]);

/** Whether a condition tree holds a comparison with `tenant_id` on either side. */
function comparesTenant(node: unknown): boolean {
  if (node === null || typeof node !== "object") return false;
  if (Array.isArray(node)) {
    for (const n of node) if (comparesTenant(n)) return true;
    return false;
  }
  const n = node as AnyNode;
  // Subqueries are checked on their own (walk() reaches them); their conditions do not
  // bind the outer query's tables.
  if (n.kind === "SelectQueryNode" || LEAVES.has(n.kind)) return false;
  if (n.kind === "BinaryOperationNode") {
    const left = columnName(n.leftOperand as OperationNode);
    const right = columnName(n.rightOperand as OperationNode);
    if (left === TENANT_COLUMN || right === TENANT_COLUMN) return true;
  }
  for (const key in n) if (comparesTenant(n[key])) return true;
  return false;
}

/** The tenant-owned tables a query reads or changes, and whether its conditions name the tenant. */
function check(kind: string, tables: (OperationNode | undefined)[], conditions: unknown[]): void {
  const owned = tables
    .map(tableName)
    .filter((t): t is string => t !== undefined && TENANT_OWNED_TABLES.has(t));
  if (owned.length === 0) return;
  if (conditions.some(comparesTenant)) return;
  throw new TenantGuardError(
    `A ${kind} over ${[...new Set(owned)].join(", ")} names no tenant: add a tenant_id condition, or run it on db.allTenants if it is meant to span tenants`,
  );
}

interface QueryParts {
  readonly from?: { readonly froms: readonly OperationNode[] };
  readonly table?: OperationNode;
  readonly into?: OperationNode;
  readonly joins?: readonly { readonly table: OperationNode; readonly on?: OperationNode }[];
  readonly where?: OperationNode;
  readonly columns?: readonly { readonly column: { readonly name: string } }[];
}

function checkQuery(node: OperationNode): void {
  const q = node as unknown as QueryParts;
  const joins = q.joins ?? [];
  const on = joins.map((j) => j.on);
  switch (node.kind) {
    case "SelectQueryNode":
      check("SELECT", [...(q.from?.froms ?? []), ...joins.map((j) => j.table)], [q.where, ...on]);
      return;
    case "UpdateQueryNode":
      // UPDATE … FROM: the tables it reads from are bound by its WHERE as the updated one is.
      check("UPDATE", [q.table, ...(q.from?.froms ?? []), ...joins.map((j) => j.table)], [q.where, ...on]);
      return;
    case "DeleteQueryNode":
      check("DELETE", [...(q.from?.froms ?? [])], [q.where, ...on]);
      return;
    case "InsertQueryNode": {
      const table = tableName(q.into);
      if (table === undefined || !TENANT_OWNED_TABLES.has(table)) return;
      if (!(q.columns ?? []).some((c) => c.column.name === TENANT_COLUMN)) {
        throw new TenantGuardError(`An INSERT into ${table} sets no tenant_id`);
      }
    }
  }
}

/** Checks the query and every query inside it (subqueries, CTEs, set operations), reading only. */
function walk(node: unknown): void {
  if (node === null || typeof node !== "object") return;
  if (Array.isArray(node)) {
    for (const n of node) walk(n);
    return;
  }
  const kind = (node as OperationNode).kind;
  if (typeof kind === "string") {
    if (LEAVES.has(kind)) return;
    checkQuery(node as OperationNode);
  }
  const n = node as Record<string, unknown>;
  for (const key in n) walk(n[key]);
}

/**
 * The guard's check on its own, for queries compiled once and reused (db/prepared.ts): their
 * template is shared by every connection of a dialect, `db.allTenants` included, so the plugin
 * alone would not see a template first compiled there.
 */
export function assertNamesTenant(node: RootOperationNode): void {
  walk(node);
}

export class TenantGuardPlugin implements KyselyPlugin {
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    assertNamesTenant(args.node);
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}
