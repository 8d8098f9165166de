/**
 * The "Roles" tab: the user's role, the workspaces the user is active in, and per-workspace roles
 * (in a workspace listed there the user holds that role instead of the role above). Only roles the
 * signed-in administrator could grant are offered (the others are named, with why), and workspace
 * roles only in workspaces the user is active in: a row whose workspace leaves the access goes,
 * and the form says so. Someone active only in some workspaces may give access only to those
 * (docs/decisions.md): "all" and the other workspaces are not offered, with why, though one the
 * edited user already has can still be taken away. A refused workspace is said beside its box.
 */
import { useId, useMemo, useState } from "react";
import { NamedOptions, SelectField } from "../../components/Field.tsx";
import { useSession } from "../../session.tsx";
import type { Role } from "../../types.ts";
import {
  coverageOf,
  grantsInWorkspace,
  holdingOf,
  notOfferedWords,
  offeredRoles,
} from "../roles/coverage.ts";
import type { UserOptions } from "./options.ts";
import type { FieldsProps } from "./UserInfoFields.tsx";
import type { WorkspaceRoleRow } from "./userFormValues.ts";

export function UserRolesFields(
  props: FieldsProps & {
    readonly options: UserOptions;
    /** The role the user holds when it is a private one (not among the choices). */
    readonly privateRoleId?: string | undefined;
    /** Nobody changes their own role (the API refuses); shown, not editable. */
    readonly ownRole?: boolean;
  },
) {
  const { values: v, errors, set, options } = props;
  const ids = useId();
  const { me } = useSession();
  const coverage = useMemo(
    () => coverageOf(holdingOf(me), options.catalog, options.reach),
    [me, options.catalog, options.reach],
  );
  /** The roles the select offers: those the caller could grant, and the one it holds now. */
  const { offered, notOffered } = offeredRoles(coverage, options.roles, v.roleId);
  /** As a per-workspace role, a role is judged by what it gives in that workspace alone. */
  const grantableIn = (r: Role, workspaceId: string) =>
    coverage.excess(workspaceId === "" ? r : grantsInWorkspace(r, workspaceId)).length === 0;
  const [dropped, setDropped] = useState<string | null>(null);
  const inAccess = (id: string) => v.accessAll || v.accessIds.includes(id);
  const accessible = options.workspaces.filter((w) => inAccess(w.id));
  /** Changes the access; workspace roles outside it could never apply, so they go (said below). */
  const setAccess = (all: boolean, accessIds: readonly string[]) => {
    const gone = v.workspaceRoles.filter((r) => r.workspaceId && !all && !accessIds.includes(r.workspaceId));
    set("accessAll", all);
    set("accessIds", accessIds);
    if (gone.length === 0) return;
    set(
      "workspaceRoles",
      v.workspaceRoles.filter((r) => !gone.includes(r)),
    );
    const names = gone.map((r) => workspaceName(r.workspaceId) ?? r.workspaceId).join(", ");
    setDropped(
      `The workspace role in ${names} was removed: the user is no longer active there, so it could never apply.`,
    );
  };
  const nextKey = Math.max(0, ...v.workspaceRoles.map((r) => r.key + 1));
  const setRow = (index: number, row: Partial<WorkspaceRoleRow>) =>
    set(
      "workspaceRoles",
      v.workspaceRoles.map((r, i) => (i === index ? { ...r, ...row } : r)),
    );
  const workspaceName = (id: string) => options.workspaces.find((w) => w.id === id)?.name;
  const ownHint = props.ownRole ? `${ids}-own` : undefined;
  const own = me.user.workspaceAccess;
  /** Active only in some workspaces, the signed-in person may give access only to those. */
  const mayGive = (id: string) => own === "all" || own.includes(id);
  const limitHint = own === "all" ? undefined : `${ids}-access-limit`;
  const access = accessErrors(errors, v, workspaceName);
  const accessErrorId = access.whole.length > 0 ? `${ids}-access-error` : undefined;

  return (
    <>
      {props.ownRole && (
        <p id={ownHint} className="hint">
          This is your own account: another administrator changes your roles.
        </p>
      )}
      <SelectField
        label="Role"
        value={v.roleId}
        onChange={(e) => set("roleId", e.target.value)}
        error={errors.roleId}
        disabled={props.ownRole}
        hint={props.ownRole ? undefined : notOfferedWords(notOffered)}
        {...(ownHint ? { "aria-describedby": ownHint } : {})}
        required
      >
        <NamedOptions empty="Choose a role" items={offered}>
          {props.privateRoleId && (
            <option value={props.privateRoleId}>Private role (set by Edit Permissions)</option>
          )}
        </NamedOptions>
      </SelectField>

      <fieldset
        className="choice"
        aria-describedby={[limitHint, accessErrorId].filter(Boolean).join(" ") || undefined}
      >
        {/* Issue 6's words ("active workspaces"), as Provet's "active departments". */}
        <legend>Active workspaces</legend>
        {limitHint && (
          <p id={limitHint} className="hint">
            You are active only in some workspaces, so you can give access only to those.
          </p>
        )}
        <label>
          <input
            type="radio"
            name={`${ids}-access`}
            checked={v.accessAll}
            // Kept when the edited user has it (narrowing is always allowed), never chosen anew.
            disabled={own !== "all" && !v.accessAll}
            aria-describedby={own !== "all" && !v.accessAll ? limitHint : undefined}
            onChange={() => setAccess(true, v.accessIds)}
            aria-invalid={accessErrorId && v.accessAll ? true : undefined}
          />
          Active in all workspaces
        </label>
        <label>
          <input
            type="radio"
            name={`${ids}-access`}
            checked={!v.accessAll}
            onChange={() => setAccess(false, v.accessIds)}
            aria-invalid={accessErrorId && !v.accessAll ? true : undefined}
          />
          Active only in the workspaces ticked below
        </label>
        {!v.accessAll && (
          <div className="workspace-checks">
            {options.workspaces.length === 0 && <p className="empty">This tenant has no workspaces yet.</p>}
            {options.workspaces.map((w, i) => {
              const ticked = v.accessIds.includes(w.id);
              // A ticked one stays clickable so it can be taken away.
              const barred = !mayGive(w.id) && !ticked;
              const refused = access.byWorkspace.get(w.id);
              const errorId = refused ? `${ids}-access-${i}-error` : undefined;
              return (
                <div key={w.id} className="workspace-check">
                  <label className="check">
                    <input
                      type="checkbox"
                      checked={ticked}
                      disabled={barred}
                      aria-invalid={refused ? true : undefined}
                      aria-describedby={
                        [barred ? limitHint : undefined, errorId].filter(Boolean).join(" ") || undefined
                      }
                      onChange={(e) =>
                        setAccess(
                          false,
                          e.target.checked ? [...v.accessIds, w.id] : v.accessIds.filter((id) => id !== w.id),
                        )
                      }
                    />
                    {w.name}
                  </label>
                  {refused && (
                    <span id={errorId} className="field-error">
                      {refused}
                    </span>
                  )}
                </div>
              );
            })}
          </div>
        )}
        {accessErrorId && (
          <span id={accessErrorId} className="field-error">
            {access.whole.join(" ")}
          </span>
        )}
      </fieldset>

      <fieldset className="choice">
        <legend>Workspace roles</legend>
        <p className="hint">
          In each workspace listed here the user holds the role chosen beside it instead of the role above.
          Only workspaces the user is active in are offered.
        </p>
        <p role="status" className="hint workspace-roles-dropped">
          {dropped}
        </p>
        {errors.workspaceRoles && <p className="field-error">{errors.workspaceRoles}</p>}
        {/* Each row's names differ ("(row 2)") and none holds another's: not "Role in this
            workspace", which "Role" and "Workspace" also found (decisions.md, "One name, one control"). */}
        {v.workspaceRoles.map((row, i) => (
          <div key={row.key} className="workspace-role-row">
            <SelectField
              id={`${ids}-row-${row.key}`}
              label="Workspace"
              labelSuffix={`(row ${i + 1})`}
              value={row.workspaceId}
              onChange={(e) => setRow(i, { workspaceId: e.target.value })}
              error={errors[`workspaceRoles.${i}.workspaceId`]}
              disabled={props.ownRole}
            >
              <NamedOptions
                empty="Choose a workspace"
                items={options.workspaces.filter((w) => inAccess(w.id) || w.id === row.workspaceId)}
              />
            </SelectField>
            <SelectField
              label="Holds there instead"
              labelSuffix={`(row ${i + 1})`}
              value={row.roleId}
              onChange={(e) => setRow(i, { roleId: e.target.value })}
              error={errors[`workspaceRoles.${i}.roleId`]}
              disabled={props.ownRole}
            >
              <NamedOptions
                empty="Choose a role"
                items={options.roles.filter((r) => grantableIn(r, row.workspaceId) || r.id === row.roleId)}
              />
            </SelectField>
            {!props.ownRole && (
              <button
                type="button"
                className="workspace-role-remove"
                aria-label={`Remove the workspace role in ${workspaceName(row.workspaceId) ?? `row ${i + 1}`}`}
                onClick={() =>
                  set(
                    "workspaceRoles",
                    v.workspaceRoles.filter((_, j) => j !== i),
                  )
                }
              >
                Remove
              </button>
            )}
          </div>
        ))}
        {!props.ownRole && (
          <button
            type="button"
            disabled={accessible.length === 0}
            onClick={() => {
              set("workspaceRoles", [...v.workspaceRoles, { key: nextKey, workspaceId: "", roleId: "" }]);
              // Into the new row, where the choosing starts, not left on the button below it.
              requestAnimationFrame(() => document.getElementById(`${ids}-row-${nextKey}`)?.focus());
            }}
          >
            Add workspace role
          </button>
        )}
      </fieldset>
    </>
  );
}

/**
 * The access's errors: the API's `workspaceAccess.N` names the N-th workspace sent (the N-th
 * ticked), said beside its box with its name; the rest (the whole choice, or a workspace no box
 * shows) beside the choice.
 */
function accessErrors(
  errors: Readonly<Record<string, string>>,
  v: { readonly accessAll: boolean; readonly accessIds: readonly string[] },
  workspaceName: (id: string) => string | undefined,
): { readonly whole: string[]; readonly byWorkspace: ReadonlyMap<string, string> } {
  const whole: string[] = [];
  const byWorkspace = new Map<string, string>();
  for (const [path, message] of Object.entries(errors)) {
    if (path === "workspaceAccess") whole.push(message);
    const index = /^workspaceAccess\.(\d+)$/.exec(path)?.[1];
    if (index === undefined) continue;
    const id = v.accessAll ? undefined : v.accessIds[Number(index)];
    const name = id === undefined ? undefined : workspaceName(id);
    if (id !== undefined && name !== undefined) byWorkspace.set(id, `${name} ${message}`);
    else whole.push(`${id ?? `Workspace ${Number(index) + 1}`} ${message}`);
  }
  return { whole, byWorkspace };
}
