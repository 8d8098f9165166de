/** What the grants editor offers: the tenant's permission catalogue and its workspaces. */
import type { Staffgate } from "@staffgate/sdk";
import { type Loaded, useLoad } from "../../components/useLoad.ts";
import type { CatalogPermission, WorkspaceOption } from "./grants.ts";

export interface GrantOptions {
  readonly catalog: readonly CatalogPermission[];
  readonly workspaces: readonly WorkspaceOption[];
}

/** Every item of a cursor-paged list (a tenant's roles and workspaces are few: hundreds at most). */
export async function listAll<T>(
  page: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>,
): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  do {
    const p = await page(cursor);
    out.push(...p.items);
    cursor = p.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

export function useGrantOptions(api: Staffgate): Loaded<GrantOptions> {
  const [state] = useLoad(async () => {
    const [catalog, workspaces] = await Promise.all([
      api.permissions.list(),
      listAll((cursor) => api.workspaces.list({ limit: 200, ...(cursor ? { cursor } : {}) })),
    ]);
    return {
      catalog: catalog.items,
      workspaces: workspaces.map((w) => ({ id: w.id, name: w.name })),
    };
  }, [api]);
  return state;
}
