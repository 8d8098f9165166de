/** SQL for the tenants table: the one table that is not owned by a tenant. */
import type { TenantsTable } from "../db/schema.ts";
import type { Executor } from "../shared/tx.ts";

export function createTenantStore(db: Executor) {
  return {
    findTenantById(id: string): Promise<TenantsTable | undefined> {
      return db.selectFrom("tenants").selectAll().where("id", "=", id).executeTakeFirst();
    },
    findTenantBySlug(slugKey: string): Promise<TenantsTable | undefined> {
      return db.selectFrom("tenants").selectAll().where("slug_key", "=", slugKey).executeTakeFirst();
    },
    async insertTenant(row: TenantsTable): Promise<void> {
      await db.insertInto("tenants").values(row).execute();
    },
    listTenants(limit: number, after: string | null): Promise<TenantsTable[]> {
      let q = db.selectFrom("tenants").selectAll().orderBy("id").limit(limit);
      if (after) q = q.where("id", ">", after);
      return q.execute();
    },
    async countTenants(): Promise<number> {
      const r = await db
        .selectFrom("tenants")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirst();
      return Number(r?.n ?? 0);
    },
  };
}
