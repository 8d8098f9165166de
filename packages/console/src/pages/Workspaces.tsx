/**
 * Workspaces (W16): every signed-in user may read the list; holders of `workspaces.manage`
 * create, edit and delete. A protected workspace is refused deletion by the API until its
 * protection is removed; its confirmation says so and its Delete is disabled.
 */
import { useState } from "react";
import { ConfirmDialog } from "../components/ConfirmDialog.tsx";
import { ListTable } from "../components/ListTable.tsx";
import { LoadState } from "../components/LoadState.tsx";
import { ErrorAlert, Notice } from "../components/Messages.tsx";
import { useFreshOpen } from "../components/useFreshOpen.ts";
import { useLoad } from "../components/useLoad.ts";
import { useApi, useSession } from "../session.tsx";
import "../styles/admin.css";
import { DeleteImpact } from "./workspaces/DeleteImpact.tsx";
import { LockIcon } from "./workspaces/LockIcon.tsx";
import { listAllWorkspaces, type Workspace } from "./workspaces/useWorkspaces.ts";
import { WorkspaceDialog } from "./workspaces/WorkspaceDialog.tsx";

type Editing =
  | { kind: "create" }
  | { kind: "edit"; workspace: Workspace }
  | { kind: "delete"; workspace: Workspace };

function idleText(seconds: number | null): string {
  if (seconds === null) return "Tenant setting";
  const minutes = seconds / 60;
  return Number.isInteger(minutes) ? `${minutes} min` : `${seconds} s`;
}

export function WorkspacesPage() {
  const api = useApi();
  const { can } = useSession();
  const manage = can("workspaces.manage");
  const [state, reload] = useLoad(() => listAllWorkspaces(api), [api]);
  const [editing, setEditing] = useState<Editing | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  // Edit and Delete open on the workspace as it is now (Delete knows whether it is protected now);
  // Create cancels a read still on its way.
  const fresh = useFreshOpen({ setNotice, setError, reload });
  const openAs = (kind: "edit" | "delete", w: Workspace) =>
    fresh.open(
      () => api.workspaces.get(w.id),
      (workspace) => setEditing({ kind, workspace }),
    );

  const saved = (message: string) => {
    setEditing(null);
    setError(null);
    setNotice(message);
    reload();
  };

  return (
    <>
      <div className="page-head">
        <h1>Workspaces</h1>
        {manage && (
          <button
            type="button"
            className="primary"
            onClick={() => {
              fresh.cancel();
              setNotice(null);
              setError(null);
              setEditing({ kind: "create" });
            }}
          >
            Create Workspace
          </button>
        )}
      </div>
      {!manage && (
        <p className="muted">
          You can see the workspaces. Creating, editing and deleting them needs the permission to manage
          workspaces.
        </p>
      )}
      <Notice>{notice}</Notice>
      <ErrorAlert>{error}</ErrorAlert>
      <LoadState state={state} loading="Loading workspaces…">
        {(items) => (
          <ListTable
            items={items}
            empty={
              <>
                There are no workspaces yet.{manage && " Create one for each department or clinic location."}
              </>
            }
            caption="Workspaces"
            columns={["Name", "Unique URL ID", "Protection", "Idle timeout", manage && "Actions"]}
            row={(w) => (
              <tr key={w.id}>
                <td>{w.name}</td>
                <td>
                  <code>{w.slug}</code>
                </td>
                <td>
                  {w.protected ? (
                    <span className="lock">
                      <LockIcon /> Protected
                    </span>
                  ) : (
                    <span className="muted">Not protected</span>
                  )}
                </td>
                <td>{idleText(w.idleTimeoutSeconds)}</td>
                {manage && (
                  <td>
                    <div className="row-actions">
                      <button type="button" aria-label={`Edit ${w.name}`} onClick={() => openAs("edit", w)}>
                        Edit
                      </button>
                      <button
                        type="button"
                        aria-label={`Delete ${w.name}`}
                        onClick={() => openAs("delete", w)}
                      >
                        Delete
                      </button>
                    </div>
                  </td>
                )}
              </tr>
            )}
          />
        )}
      </LoadState>
      {editing?.kind === "create" && (
        <WorkspaceDialog
          onClose={() => setEditing(null)}
          onSaved={(w) => saved(`Workspace ${w.name} was created.`)}
        />
      )}
      {editing?.kind === "edit" && (
        <WorkspaceDialog
          key={editing.workspace.id}
          workspace={editing.workspace}
          // Re-read on every close: after someone else's change the next Edit opens on theirs.
          onClose={() => {
            setEditing(null);
            reload();
          }}
          onSaved={(w) => saved(`Workspace ${w.name} was saved.`)}
        />
      )}
      {editing?.kind === "delete" && (
        <ConfirmDialog
          title="Delete workspace"
          confirmLabel="Delete"
          danger
          // The API refuses it until the protection is removed; the warning below says so.
          confirmDisabled={editing.workspace.protected}
          onConfirm={async () => {
            await api.workspaces.delete(editing.workspace.id, { ifMatch: editing.workspace.version });
            setNotice(`Workspace ${editing.workspace.name} was deleted.`);
          }}
          onClose={() => {
            // Closed after a delete or a cancel: re-reading the list is right either way.
            setEditing(null);
            reload();
          }}
        >
          <p>
            Delete the workspace <strong>{editing.workspace.name}</strong>? Every role row, user access entry
            and patient access grant that names it is removed with it. This cannot be undone.
          </p>
          <DeleteImpact workspaceId={editing.workspace.id} />
          {editing.workspace.protected && (
            <p className="warning">
              This workspace is protected from deletion. Edit it and clear “Protected from deletion” first.
            </p>
          )}
        </ConfirmDialog>
      )}
    </>
  );
}
