/** The operator acting on a tenant's users: its context (audit) and its caller (guards). */
import { type Core, operatorCaller } from "@staffgate/core";
import { CommandError, operatorCtx, tenantBySlug } from "../open-core.ts";

export async function actAsOperator(core: Core, slug: string | undefined) {
  const tenant = await tenantBySlug(core, slug);
  const catalog = core.deps.catalogs.get(tenant.catalog);
  if (!catalog) throw new CommandError(`Tenant ${tenant.slug} uses an unknown catalogue "${tenant.catalog}"`);
  return { tenant, ctx: operatorCtx(tenant.id), caller: operatorCaller(tenant.id, catalog) };
}
