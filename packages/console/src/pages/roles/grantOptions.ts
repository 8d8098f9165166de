/** What the grants editor offers: the tenant's permission catalogue and its workspaces. */
import type { Staffgate } from "@staffgate/sdk";
import { type Loaded, useLoad } from "../../components/useLoad.ts";
import { listAll } from "../../listAll.ts";
import type { CatalogPermission, WorkspaceOption } from "./grants.ts";

export interface GrantOptions {
  readonly catalog: readonly CatalogPermission[];
  readonly workspaces: readonly WorkspaceOption[];
}

export function useGrantOptions(api: Staffgate): Loaded<GrantOptions> {
  const [state] = useLoad(async () => {
    const [catalog, workspaces] = await Promise.all([
      api.permissions.list(),
      listAll((page) => api.workspaces.list(page)),
    ]);
    return {
      catalog: catalog.items,
      workspaces: workspaces.map((w) => ({ id: w.id, name: w.name })),
    };
  }, [api]);
  return state;
}
