/**
 * What deleting a workspace would do, said in its confirmation before anyone presses Delete: how
 * many role rows, access entries, workspace roles and patient grants go with it, and who would be
 * left active in no workspace (the walk-throughs: the dialog said "every role row … is removed"
 * and named nobody, though a user active there alone keeps only their tenant-level permissions).
 */
import { LoadState } from "../../components/LoadState.tsx";
import { useLoad } from "../../components/useLoad.ts";
import { useApi } from "../../session.tsx";

const counted = (n: number, one: string, many: string) =>
  `${n.toLocaleString("en-GB")} ${n === 1 ? one : many}`;

export function DeleteImpact(props: { readonly workspaceId: string }) {
  const api = useApi();
  const [usage] = useLoad(() => api.workspaces.usage(props.workspaceId), [api, props.workspaceId]);
  return (
    <LoadState state={usage} loading="Reading what the workspace holds…">
      {(u) => {
        const parts = [
          u.roleRows > 0 && counted(u.roleRows, "role row", "role rows"),
          u.accessEntries > 0 && counted(u.accessEntries, "user access entry", "user access entries"),
          u.workspaceRoles > 0 && counted(u.workspaceRoles, "workspace role", "workspace roles"),
          u.patientGrants > 0 && counted(u.patientGrants, "patient access grant", "patient access grants"),
        ].filter((p): p is string => typeof p === "string");
        const { count, users } = u.usersOnlyHere;
        const more = count - users.length;
        // Named to someone who may see staff accounts; counted to anyone who may delete.
        const names =
          users.length === 0
            ? ""
            : `: ${users.map((x) => `${x.displayName} (${x.username})`).join(", ")}${more > 0 ? `, and ${counted(more, "other", "others")}` : ""}`;
        return (
          <>
            <p>
              {parts.length === 0
                ? "Nothing names it: no role row, user access entry or patient access grant."
                : `It removes ${parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(", ")} and ${parts.at(-1)}`}.`}
            </p>
            {u.openEmergencyAccess > 0 && (
              <p className="warning">
                It ends {counted(u.openEmergencyAccess, "open emergency access", "open emergency accesses")}{" "}
                for this workspace: whoever opened{" "}
                {u.openEmergencyAccess === 1 ? "it loses it" : "them lose them"} at once.
              </p>
            )}
            {count > 0 && (
              <p className="warning">
                {count === 1
                  ? "1 user is active in this workspace alone and will be active in no workspace"
                  : `${count.toLocaleString("en-GB")} users are active in this workspace alone and will be active in no workspace`}
                {names}. Give them another workspace first if they should keep working.
              </p>
            )}
          </>
        );
      }}
    </LoadState>
  );
}
