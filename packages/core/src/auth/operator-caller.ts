/**
 * The operator acting on one tenant's users from the command line (`staffgate user create|import`,
 * `check`). The operator stands above every tenant (it creates tenants and their first
 * administrator), so it holds every permission of the tenant's catalogue at tenant level: the
 * escalation guards weigh it like anyone else and find nothing it lacks. It is no user: it never
 * matches a target (no "own role" or "own account" case), creates rows with no `created_by`, and
 * is audited as the operator. Only code that calls this function acts as it; the HTTP API never
 * does (the operator token reaches the operator routes only).
 */

import type { PolicySnapshot } from "../access/policy-snapshot.ts";
import type { Catalog } from "../catalog/catalog.rules.ts";
import { operatorActor } from "../shared/context.ts";
import type { Caller } from "./caller.ts";

export function operatorCaller(tenantId: string, catalog: Catalog, policy?: PolicySnapshot): Caller {
  const keys = catalog.permissions.map((p) => p.key);
  return {
    kind: "operator",
    tenantId,
    actor: operatorActor,
    userId: "",
    sessionId: null,
    mustChangePassword: false,
    catalog,
    holder: {
      role: { permissions: keys, collaborator: false, workspaces: [] },
      workspaceRoles: new Map(),
      activeIn: "all",
    },
    permissions: new Set(keys),
    ...(policy ? { policy } : {}),
  };
}
