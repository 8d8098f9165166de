/** The write steps SCIM Users and Groups share: the transaction around a change, and externalId. */
import { appendAudit } from "../audit/audit-writer.ts";
import type { Ctx } from "../shared/context.ts";
import type { Deps } from "../shared/deps.ts";
import { AppError } from "../shared/errors.ts";
import { inTenantTx, type Trx } from "../shared/tx.ts";
import { expectVersion } from "../shared/versions.ts";
import { createScimStore, type ScimResourceType, type ScimStore } from "./scim.store.ts";
import { ensureExternalIdText } from "./scim-user.rules.ts";

/**
 * One tenant transaction around a change to an existing resource: loaded (404 when missing),
 * its If-Match checked, then `work`; a failure goes through `refused` (which rethrows it in SCIM's
 * terms).
 */
export async function changeExisting<R extends { version: number }, T>(
  deps: Deps,
  ctx: Ctx,
  ifMatch: number | undefined,
  load: (store: ScimStore) => Promise<R>,
  work: (trx: Trx, row: R, store: ScimStore) => Promise<T>,
  refused: (error: unknown) => never,
  /** The version If-Match names (a group's includes its members'). */
  versionOf: (row: R) => number = (row) => row.version,
): Promise<T> {
  try {
    return await inTenantTx(deps, ctx.tenantId, async (trx) => {
      const store = createScimStore(trx, ctx.tenantId);
      const row = await load(store);
      expectVersion(versionOf(row), ifMatch);
      return work(trx, row, store);
    });
  } catch (error) {
    return refused(error);
  }
}

/**
 * Stores the client's externalId when it changed, audited as a change of the user or role, whose
 * version moves with it: the ETag names a version of the whole resource (RFC 7644 §3.14), so a
 * client's If-None-Match must not be told "unchanged" nor an old If-Match let through.
 *
 * `created`: the resource was made in this transaction. Its externalId is audited beside its
 * creation (whose own event comes from the user or role use case, which knows nothing of SCIM),
 * and its version does not move: the first version already includes it.
 */
export async function keepExternalId(
  deps: Deps,
  trx: Trx,
  ctx: Ctx,
  type: ScimResourceType,
  target: { readonly id: string; readonly label: string },
  externalId: string | null,
  created = false,
  /**
   * Whether the caller may change this resource, run only when the id changes: the identity
   * provider's join key re-pointed at an account or group the caller may not touch would land its
   * later updates there (pentest audit, 2026-12-06: a limited administrator re-pointed an
   * administrator's and the locked Administrator group's).
   */
  mayChange?: () => Promise<void>,
): Promise<void> {
  const store = createScimStore(trx, ctx.tenantId);
  const before = created ? null : ((await store.externalIds(type, [target.id])).get(target.id) ?? null);
  if (before === externalId) return;
  if (externalId !== null) ensureExternalIdText(externalId);
  await mayChange?.();
  // The identity provider's join key names one resource: given to a second one, the provider's
  // updates of the first would land there (a limited administrator giving their own account a
  // senior administrator's id). An archived user's is free again (the provider re-creates it).
  if (externalId !== null) {
    const others = (await store.idsWithExternalId(type, externalId)).filter((id) => id !== target.id);
    if (await store.anyLive(type, others)) {
      throw new AppError(
        "SCIM_EXTERNAL_ID_TAKEN",
        `Another ${type === "User" ? "user" : "group"} has this externalId`,
        {
          errors: [{ path: "externalId", message: "is another resource's" }],
        },
      );
    }
  }
  await store.setExternalId(type, target.id, externalId);
  if (!created) {
    await trx
      .updateTable(type === "User" ? "users" : "roles")
      .set((eb) => ({ version: eb("version", "+", 1), updated_at: deps.clock.now().toISOString() }))
      .where("tenant_id", "=", ctx.tenantId)
      .where("id", "=", target.id)
      .execute();
  }
  await appendAudit(deps, trx, ctx, {
    action: type === "User" ? "user.updated" : "role.updated",
    target: { type: type === "User" ? "user" : "role", ...target },
    changes: { externalId: { before, after: externalId } },
  });
}

/**
 * A user given the tenant's default role (a new user without a group, or a member removed from
 * its group): when the token may not give it, the refusal names that setting, not `groups`, which
 * the request did not name (found by the SCIM audits: a token holding users.manage alone could
 * provision nobody, and a member's removal blamed the group it left).
 */
export function defaultRoleRefusal(error: unknown): void {
  if (!(error instanceof AppError) || error.code !== "PRIVILEGE_ESCALATION") return;
  const onRole = error.errors?.find((e) => e.path === "roleId");
  if (!onRole) return;
  throw new AppError(
    "PRIVILEGE_ESCALATION",
    `The tenant's default role for provisioned users (scimDefaultRoleId, on Settings) ${onRole.message}; the token's role must hold at least what the roles it gives hold`,
  );
}
