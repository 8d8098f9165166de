/**
 * Roles dashboard (W5): every formal role (private ones are not listed) with its kind, lock and
 * number of users; "Edit" left of each; "Create New Role", "Copy" and a confirmed "Delete" for
 * holders of roles.manage. "Copy" only of a role whose permissions the caller holds (the server
 * refuses the others with 403), the rest named with why, as Create New User names its roles.
 */
import { StaffgateError } from "@staffgate/sdk";
import { useState } from "react";
import { problemCode, problemMessage } from "../api.ts";
import { ConfirmDialog } from "../components/ConfirmDialog.tsx";
import { ListTable } from "../components/ListTable.tsx";
import { LoadState } from "../components/LoadState.tsx";
import { ErrorAlert, Notice } from "../components/Messages.tsx";
import { NoAccess } from "../components/NoAccess.tsx";
import { useFreshOpen } from "../components/useFreshOpen.ts";
import { useLoad } from "../components/useLoad.ts";
import { listAll } from "../listAll.ts";
import { useApi, useSession } from "../session.tsx";
import type { Role } from "../types.ts";
import { coverageOf, holdingOf, notOfferedWords, offeredRoles } from "./roles/coverage.ts";
import { useGrantOptions } from "./roles/grantOptions.ts";
import { quotedKey } from "./roles/permissionWords.ts";
import { RoleDialog } from "./roles/RoleDialog.tsx";
import "../styles/roles.css";

type Open = { kind: "create" } | { kind: "edit"; role: Role } | { kind: "delete"; role: Role } | null;

export function RolesPage() {
  const { can } = useSession();
  // The list itself needs users.view (the server's GET /roles): say so rather than fail to load.
  if (!can("users.view")) return <NoAccess title="Roles" what="the list of roles" needs={["users.view"]} />;
  return <RolesView />;
}

function RolesView() {
  const api = useApi();
  const { can, me } = useSession();
  const holds = (r: Role) => r.id === me.user.roleId || me.user.workspaceRoles.some((w) => w.roleId === r.id);
  const canManage = can("roles.manage");
  const opens = (r: Role) => (canManage && !r.locked && !holds(r) ? "Edit" : "View");
  const [roles, reload] = useLoad(() => listAll((page) => api.roles.list(page)), [api]);
  const options = useGrantOptions(api, me.user.id);
  const [open, setOpen] = useState<Open>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [copying, setCopying] = useState<string | null>(null);
  // Known once the catalogue is: until then no Copy is offered.
  const coverage =
    options.kind === "ready" ? coverageOf(holdingOf(me), options.value.catalog, options.value.reach) : null;
  const copies = coverage && roles.kind === "ready" ? offeredRoles(coverage, roles.value) : null;
  const copyable = (r: Role) => copies?.offered.some((o) => o.id === r.id) ?? false;
  const notCopied = copies && notOfferedWords(copies.notOffered, "copy them", "Copy not offered");

  const copy = async (role: Role) => {
    setCopying(role.id);
    setNotice(null);
    setError(null);
    try {
      const made = await api.roles.copy(role.id);
      setNotice(`“${role.name}” was copied as “${made.name}”.`);
      reload();
    } catch (e) {
      // The role grew since the list was read: name what the caller lacks by its label.
      const known = new Set(options.kind === "ready" ? options.value.catalog.map((p) => p.key) : []);
      const named = e instanceof StaffgateError ? e.errors.map((x) => quotedKey(x.message, known)) : [];
      const lacking =
        problemCode(e) === "PRIVILEGE_ESCALATION" && coverage
          ? coverage.inOrder(new Set([...coverage.excess(role), ...named.filter((k) => k !== undefined)]))
          : [];
      setError(
        coverage && lacking.length > 0
          ? `${problemMessage(e)}: ${coverage.describe(lacking, 10)}.`
          : problemMessage(e),
      );
    } finally {
      setCopying(null);
    }
  };

  // Edit, View and Delete open on the role as it is now; Create cancels a read still on its way.
  const fresh = useFreshOpen({ setNotice, setError, reload });
  const openAs = (kind: "edit" | "delete", r: Role) =>
    fresh.open(
      () => api.roles.get(r.id),
      (role) => setOpen({ kind, role }),
    );

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
            onClick={() => {
              fresh.cancel();
              setError(null);
              setOpen({ kind: "create" });
            }}
          >
            Create New Role
          </button>
        )}
      </div>
      <Notice>{notice}</Notice>
      <ErrorAlert>{error}</ErrorAlert>
      {options.kind === "error" && <ErrorAlert>{options.message}</ErrorAlert>}
      {canManage && notCopied && <p className="hint">{notCopied}</p>}
      <LoadState state={roles} loading="Loading roles…">
        {(items) => (
          <ListTable
            items={items}
            empty="There are no roles yet."
            caption="Roles"
            className="table roles-table"
            columns={[
              <span key="edit" className="visually-hidden">
                Edit
              </span>,
              "Name",
              "Kind",
              "Users",
              "Description",
              canManage && "Actions",
            ]}
            row={(r) => (
              <tr key={r.id}>
                <td>
                  {/* Locked and held roles open read-only (RoleDialog): the button says so. */}
                  <button
                    type="button"
                    className="primary"
                    disabled={options.kind !== "ready"}
                    aria-label={`${opens(r)} ${r.name}`}
                    onClick={() => openAs("edit", r)}
                  >
                    {opens(r)}
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
                    {copyable(r) && (
                      <button
                        type="button"
                        disabled={copying !== null}
                        aria-label={`Copy ${r.name}`}
                        onClick={() => copy(r)}
                      >
                        Copy
                      </button>
                    )}
                    {!r.locked && (
                      <button
                        type="button"
                        aria-label={`Delete ${r.name}`}
                        onClick={() => openAs("delete", r)}
                      >
                        Delete
                      </button>
                    )}
                  </td>
                )}
              </tr>
            )}
          />
        )}
      </LoadState>
      {(open?.kind === "create" || open?.kind === "edit") && options.kind === "ready" && (
        <RoleDialog
          // A dialog fills its form once, from the role it opens on: another role is another dialog.
          key={open.kind === "edit" ? open.role.id : "new"}
          role={open.kind === "edit" ? open.role : null}
          options={options.value}
          canManage={canManage}
          // Re-read on every close: after a refusal (someone else's change, a role deleted
          // meanwhile) the next Edit opens on what is there now.
          onClose={() => {
            setOpen(null);
            reload();
          }}
          onSaved={(role) => onSaved(role, open.kind === "create")}
        />
      )}
      {open?.kind === "delete" && (
        <ConfirmDialog
          title="Delete role"
          confirmLabel="Delete"
          danger
          onClose={() => {
            setOpen(null);
            reload();
          }}
          onConfirm={async () => {
            await api.roles.delete(open.role.id, { ifMatch: open.role.version });
            setNotice(`Role “${open.role.name}” was deleted.`);
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
