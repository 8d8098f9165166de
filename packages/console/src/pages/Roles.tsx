/**
 * Roles dashboard (W5): every formal role (private ones are not listed) with its kind, lock and
 * number of users; "Edit" left of each; "Create New Role", "Copy" and a confirmed "Delete" for
 * holders of roles.manage.
 */
import { useState } from "react";
import { problemMessage } from "../api.ts";
import { ConfirmDialog } from "../components/ConfirmDialog.tsx";
import { LoadState } from "../components/LoadState.tsx";
import { useLoad } from "../components/useLoad.ts";
import { useApi, useSession } from "../session.tsx";
import type { Role } from "../types.ts";
import { listAll, useGrantOptions } from "./roles/grantOptions.ts";
import { RoleDialog } from "./roles/RoleDialog.tsx";
import "../styles/roles.css";

type Open = { kind: "create" } | { kind: "edit"; role: Role } | { kind: "delete"; role: Role } | null;

export function RolesPage() {
  const api = useApi();
  const { can } = useSession();
  const canManage = can("roles.manage");
  const [roles, reload] = useLoad(
    () => listAll((cursor) => api.roles.list({ limit: 200, ...(cursor ? { cursor } : {}) })),
    [api],
  );
  const options = useGrantOptions(api);
  const [open, setOpen] = useState<Open>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [copying, setCopying] = useState<string | null>(null);

  const copy = async (role: Role) => {
    setCopying(role.id);
    setNotice(null);
    setError(null);
    try {
      const made = await api.roles.copy(role.id);
      setNotice(`“${role.name}” was copied as “${made.name}”.`);
      reload();
    } catch (e) {
      setError(problemMessage(e));
    } finally {
      setCopying(null);
    }
  };

  const onSaved = (role: Role, created: boolean) => {
    setOpen(null);
    setError(null);
    setNotice(created ? `Role “${role.name}” was created.` : `Role “${role.name}” was saved.`);
    reload();
  };

  return (
    <>
      <div className="page-head">
        <h1>Roles</h1>
        {canManage && (
          <button
            type="button"
            className="primary"
            disabled={options.kind !== "ready"}
            onClick={() => setOpen({ kind: "create" })}
          >
            Create New Role
          </button>
        )}
      </div>
      {notice && (
        <p role="status" className="notice">
          {notice}
        </p>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {options.kind === "error" && (
        <p role="alert" className="error">
          {options.message}
        </p>
      )}
      <LoadState state={roles} loading="Loading roles…">
        {(items) =>
          items.length === 0 ? (
            <p className="empty">There are no roles yet.</p>
          ) : (
            <table className="table roles-table">
              <caption className="visually-hidden">Roles</caption>
              <thead>
                <tr>
                  <th scope="col">
                    <span className="visually-hidden">Edit</span>
                  </th>
                  <th scope="col">Name</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Users</th>
                  <th scope="col">Description</th>
                  {canManage && <th scope="col">Actions</th>}
                </tr>
              </thead>
              <tbody>
                {items.map((r) => (
                  <tr key={r.id}>
                    <td>
                      <button
                        type="button"
                        className="primary"
                        disabled={options.kind !== "ready"}
                        onClick={() => setOpen({ kind: "edit", role: r })}
                      >
                        {canManage ? "Edit" : "View"}
                        <span className="visually-hidden"> {r.name}</span>
                      </button>
                    </td>
                    <th scope="row">
                      {r.name}
                      {r.locked && (
                        <span className="tag roles-lock">
                          <LockIcon /> Locked
                        </span>
                      )}
                    </th>
                    <td>{kindOf(r)}</td>
                    <td>{r.userCount}</td>
                    <td className="roles-description">{r.description}</td>
                    {canManage && (
                      <td className="roles-actions">
                        <button type="button" disabled={copying !== null} onClick={() => copy(r)}>
                          Copy<span className="visually-hidden"> {r.name}</span>
                        </button>
                        {!r.locked && (
                          <button type="button" onClick={() => setOpen({ kind: "delete", role: r })}>
                            Delete<span className="visually-hidden"> {r.name}</span>
                          </button>
                        )}
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </LoadState>
      {(open?.kind === "create" || open?.kind === "edit") && options.kind === "ready" && (
        <RoleDialog
          role={open.kind === "edit" ? open.role : null}
          options={options.value}
          canManage={canManage}
          onClose={() => setOpen(null)}
          onSaved={(role) => onSaved(role, open.kind === "create")}
        />
      )}
      {open?.kind === "delete" && (
        <ConfirmDialog
          title="Delete role"
          confirmLabel="Delete"
          danger
          onClose={() => setOpen(null)}
          onConfirm={async () => {
            await api.roles.delete(open.role.id, { ifMatch: open.role.version });
            setNotice(`Role “${open.role.name}” was deleted.`);
            reload();
          }}
        >
          <p>
            Delete the role “{open.role.name}”? This cannot be undone. A role that users hold cannot be
            deleted: give them another role first.
          </p>
        </ConfirmDialog>
      )}
    </>
  );
}

function kindOf(r: Role): string {
  if (r.collaborator) return "Collaborator";
  const rows = r.workspaces.filter((w) => w.collaborator).length;
  if (rows > 0) return `Collaborator in ${rows} workspace${rows === 1 ? "" : "s"}`;
  return "Standard";
}

function LockIcon() {
  return (
    <svg className="roles-lock-icon" viewBox="0 0 16 16" width="12" height="12" aria-hidden="true">
      <path
        fill="currentColor"
        d="M4 7V5a4 4 0 1 1 8 0v2h1a1 1 0 0 1 1 1v7a1 1 0 0 1-1 1H3a1 1 0 0 1-1-1V8a1 1 0 0 1 1-1h1Zm2 0h4V5a2 2 0 1 0-4 0v2Z"
      />
    </svg>
  );
}
