/** What the grants editor offers: the tenant's permission catalogue and its workspaces. */
import type { Staffgate } from "@staffgate/sdk";
import { type Loaded, useLoad } from "../../components/useLoad.ts";
import { listAll } from "../../listAll.ts";
import type { CatalogPermission, WorkspaceOption } from "./grants.ts";
import { loadReach, type Reach } from "./reach.ts";

export interface GrantOptions {
  readonly catalog: readonly CatalogPermission[];
  readonly workspaces: readonly WorkspaceOption[];
  /** What the caller holds in each workspace (null: not known). */
  readonly reach: Reach | null;
}

export function useGrantOptions(api: Staffgate, callerId: string): Loaded<GrantOptions> {
  const [state] = useLoad(async () => {
    const [catalog, workspaces, reach] = await Promise.all([
      api.permissions.list(),
      listAll((page) => api.workspaces.list(page)),
      loadReach(api, callerId).catch(() => null),
    ]);
    return {
      catalog: catalog.items,
      workspaces: workspaces.map((w) => ({ id: w.id, name: w.name })),
      reach,
    };
  }, [api, callerId]);
  return state;
}
