/**
 * Every workspace of the tenant (any signed-in user may list them), for the pages that name
 * workspaces by id (grants, elevations) or offer one to choose.
 */
import type { Staffgate } from "@staffgate/sdk";
import { useLoad } from "../../components/useLoad.ts";
import { listAll } from "../../listAll.ts";
import { useApi } from "../../session.tsx";

export type Workspace = Awaited<ReturnType<Staffgate["workspaces"]["get"]>>;

/** A tenant has tens of workspaces, not thousands: all of them, in pages of 200. */
export function listAllWorkspaces(api: Staffgate): Promise<Workspace[]> {
  return listAll((page) => api.workspaces.list(page));
}

/** The workspaces (or null while loading or when they could not be read) and a name lookup. */
export function useWorkspaces(): { workspaces: Workspace[] | null; nameOf: (id: string) => string } {
  const api = useApi();
  const [state] = useLoad(() => listAllWorkspaces(api), [api]);
  const workspaces = state.kind === "ready" ? state.value : null;
  const nameOf = (id: string) =>
    workspaces === null ? "…" : (workspaces.find((w) => w.id === id)?.name ?? "a workspace no longer listed");
  return { workspaces, nameOf };
}
