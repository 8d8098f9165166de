/**
 * What the signed-in administrator holds in each workspace, from their own effective permissions
 * (anyone may ask about themselves): the console judges a workspace row, and a per-workspace role,
 * against this instead of against the tenant level alone, which withheld from a department's
 * administrator the roles of their own department (console audit, 2026-12-06).
 */
import type { Staffgate } from "@staffgate/sdk";

export interface WorkspaceReach {
  /** Held here without restriction (an emergency elevation's are not the caller's to grant). */
  readonly keys: ReadonlySet<string>;
  /** Patient-scoped ones held here only as a collaborator: they cover only a collaborator grant. */
  readonly collaboratorKeys: ReadonlySet<string>;
}

export type Reach = ReadonlyMap<string, WorkspaceReach>;

export async function loadReach(api: Staffgate, userId: string): Promise<Reach> {
  const effective = await api.access.effectivePermissions(userId);
  return new Map(
    effective.workspaces.map((w) => {
      const emergency = new Set(w.emergencyPermissions);
      return [
        w.workspaceId,
        {
          keys: new Set(w.permissions.filter((k) => !emergency.has(k))),
          collaboratorKeys: new Set(w.collaboratorPermissions),
        },
      ];
    }),
  );
}
