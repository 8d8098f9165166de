/**
 * "A tenant always keeps at least one active, non-virtual user holding users.manage and
 * roles.manage", one whose account does not expire. Checked inside the use case's tenant transaction after the change is applied:
 * the transaction holds the tenant lock (see shared/tx.ts), so two administrators demoting each
 * other at the same moment are serialised and the second one is refused.
 */
import type { Catalog } from "../catalog/catalog.rules.ts";
import { loadTenantRoles } from "../roles/roles.table.ts";
import { AppError } from "../shared/errors.ts";
import type { Trx } from "../shared/tx.ts";
import { isAdministratorRole } from "./grants.rules.ts";

/** The tenant's roles that make their holder an administrator. */
async function administratorRoleIds(trx: Trx, tenantId: string, catalog: Catalog): Promise<string[]> {
  const roles = await loadTenantRoles(trx, tenantId);
  return [...roles.values()].filter((r) => isAdministratorRole(catalog, r)).map((r) => r.id);
}

/**
 * Active, non-virtual users whose own role is one of `adminRoleIds`: those unexpired at `at`, or
 * with `at` null those whose account never expires.
 */
function administrators(trx: Trx, tenantId: string, adminRoleIds: readonly string[], at: string | null) {
  return trx
    .selectFrom("users")
    .where("tenant_id", "=", tenantId)
    .where("status", "=", "active")
    .where("virtual", "=", 0)
    .where("role_id", "in", adminRoleIds)
    .where((eb) =>
      at === null
        ? eb("expires_at", "is", null)
        : eb.or([eb("expires_at", "is", null), eb("expires_at", ">", at)]),
    );
}

/** How many administrators there are (see `administrators`). */
export async function countAdministrators(
  trx: Trx,
  tenantId: string,
  catalog: Catalog,
  at: string | null,
): Promise<number> {
  const adminRoleIds = await administratorRoleIds(trx, tenantId, catalog);
  if (adminRoleIds.length === 0) return 0;
  const row = await administrators(trx, tenantId, adminRoleIds, at)
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/**
 * Throws LAST_ADMINISTRATOR (rolling the transaction back) when the change left no administrator
 * whose account never expires. An expiring one does not count: on its date the tenant would lose
 * its last administrator (an expired account can neither sign in nor be allowed anything; the
 * expiry job only spares its row). So an expiry date on the last lasting administrator is refused,
 * and so is demoting, deactivating, archiving or purging the last lasting one while others expire
 * (found by the product and concurrency audits).
 */
export async function ensureAdministratorRemains(
  trx: Trx,
  tenantId: string,
  catalog: Catalog,
): Promise<void> {
  if ((await countAdministrators(trx, tenantId, catalog, null)) === 0) {
    throw new AppError(
      "LAST_ADMINISTRATOR",
      "This would leave the tenant without an active administrator (users.manage and roles.manage) whose account does not expire",
    );
  }
}

/**
 * Refuses an administrator's change to their own standing (deactivating or archiving themselves,
 * a role or permissions that `staysAdministrator` says do not make an administrator) with
 * LAST_ADMINISTRATOR when they are the tenant's only lasting administrator: the deeper of the two
 * reasons (the other being that nobody does these to themselves), and the one API.md names.
 */
export async function ensureNotLastAdministratorSelf(
  trx: Trx,
  tenantId: string,
  catalog: Catalog,
  userId: string,
  staysAdministrator = false,
): Promise<void> {
  if (staysAdministrator) return;
  const adminRoleIds = await administratorRoleIds(trx, tenantId, catalog);
  if (adminRoleIds.length === 0) return;
  const lasting = await administrators(trx, tenantId, adminRoleIds, null).select("id").limit(2).execute();
  if (lasting.length === 1 && lasting[0]!.id === userId) {
    throw new AppError(
      "LAST_ADMINISTRATOR",
      "You are the tenant's only administrator: make another administrator first, and ask them to make this change (nobody changes their own standing)",
    );
  }
}
