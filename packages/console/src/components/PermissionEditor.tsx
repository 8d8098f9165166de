/**
 * The grants editor of a role (and of one user's private role): checkboxes grouped by catalogue
 * category at tenant level, and one row of checkboxes per chosen workspace. A category checkbox
 * ticks or unticks those of its permissions that may be ticked; it is checked only when every
 * permission of the category is ticked, mixed when some are. It offers only what the API can
 * store: tenant-only permissions never on workspace rows, and nothing a collaborator is
 * forbidden where collaborator is set (setting it takes those away: grants.ts). Given
 * `holds`, it offers only what the editor may change: a permission the editor does not hold is
 * disabled with the reason, granted or not (the server refuses granting it and, since 2026-12-05,
 * taking it away), and so are a row's Remove and Collaborator when they would take away or add one.
 */
import { useId, useMemo, useState } from "react";
import {
  analyse,
  type CatalogPermission,
  type GrantErrors,
  type GrantRow,
  type Grants,
  type WorkspaceOption,
  withCollaborator,
  withRowCollaborator,
} from "../pages/roles/grants.ts";
import { type Holds, labelsOf, unheldChange } from "../pages/roles/unheld.ts";
import { NamedOptions, SelectField } from "./Field.tsx";
import { Categories, Messages } from "./PermissionCategories.tsx";
import type { FlipBack } from "./useFlipBack.ts";

export type { CatalogPermission, GrantErrors, Grants, WorkspaceOption };

export function PermissionEditor(props: {
  readonly catalog: readonly CatalogPermission[];
  readonly workspaces: readonly WorkspaceOption[];
  readonly value: Grants;
  readonly onChange: (next: Grants) => void;
  readonly disabled?: boolean;
  readonly errors?: GrantErrors;
  /**
   * Whether the editor holds a permission (so may grant it) at tenant level, or in a workspace row's
   * workspace (as a collaborator there, for a collaborator row); absent: everything is offered.
   */
  readonly holds?: Holds;
  /** The save's refusal of the tenant-level Collaborator tick, shown beside it. */
  readonly collaboratorError?: string | undefined;
  /**
   * The Collaborator ticks' memory (useFlipBack), the form's: the editor leaves the page with its
   * tab, and a tick undone after a look at the other tab must still give back what it took.
   */
  readonly flipBack: FlipBack<Grants>;
}) {
  const { value, onChange, disabled = false, errors = {}, holds } = props;
  const a = useMemo(() => analyse(props.catalog), [props.catalog]);
  const [adding, setAdding] = useState("");
  const { flipBack } = props;
  const base = useId();
  // A button that removes itself (Remove, the last Add) must not drop keyboard focus on the page.
  const focusSoon = (id: string) => requestAnimationFrame(() => document.getElementById(id)?.focus());
  const names = new Map(props.workspaces.map((w) => [w.id, w.name]));
  const free = props.workspaces.filter((w) => !value.workspaces.some((r) => r.workspaceId === w.id));
  const rowCollaborator = value.workspaces.some((r) => r.collaborator);
  const setRow = (id: string, change: (row: GrantRow) => GrantRow) =>
    onChange({ ...value, workspaces: value.workspaces.map((r) => (r.workspaceId === id ? change(r) : r)) });
  /** Why the editor may not make this change ("You do not hold View PHI, so you cannot …"), or null. */
  const refused = (next: Grants, cannot: string) => {
    if (!holds || disabled) return null;
    const keys = unheldChange(value, next, holds, a);
    return keys.length === 0 ? null : `You do not hold ${labelsOf(keys, a)}, so you cannot ${cannot}.`;
  };
  const collaboratorFlip = withCollaborator(value, !value.collaborator, props.catalog);
  const collaboratorRefused = refused(
    collaboratorFlip,
    `${value.collaborator ? "clear" : "set"} Collaborator`,
  );

  return (
    <div className="pe">
      <fieldset className="pe-scope">
        <legend>Organization permissions (tenant level)</legend>
        <p className="hint">Granted here, a permission applies in every workspace.</p>
        {!disabled && holds && props.catalog.some((p) => !holds(p.key)) && (
          <p className="hint">
            You can grant only permissions you hold yourself, and take away only those: the others are greyed
            out, here and on workspace rows.
          </p>
        )}
        <Messages list={errors.tenant} />
        {/* Among the tenant level's ticks, as ProKnow lists it with the organization permissions
            (issue 6: "collaborator flags" under Permissions). */}
        <div className="field pe-collaborator">
          <label className="check">
            <input
              type="checkbox"
              checked={value.collaborator}
              disabled={disabled || collaboratorRefused !== null}
              aria-describedby={
                props.collaboratorError
                  ? `${base}-collaborator-error ${base}-collaborator-hint`
                  : `${base}-collaborator-hint`
              }
              aria-invalid={props.collaboratorError ? true : undefined}
              onChange={() => onChange(flipBack("tenant", value, collaboratorFlip))}
            />
            Collaborator
          </label>
          <span id={`${base}-collaborator-hint`} className="hint">
            A collaborator reaches only the patients they are granted, has no workspace rows, and cannot hold
            permissions forbidden for collaborators. A single workspace can be made collaborator on its row
            instead.{collaboratorRefused && ` ${collaboratorRefused}`}
          </span>
          {props.collaboratorError && (
            <span id={`${base}-collaborator-error`} className="field-error">
              {props.collaboratorError}
            </span>
          )}
        </div>
        {rowCollaborator && (
          <p className="hint">
            A workspace row is Collaborator, so patient and collection permissions are not granted here.
          </p>
        )}
        <Categories
          analysed={a}
          scope="tenant"
          granted={value.permissions}
          collaborator={value.collaborator}
          rowCollaborator={rowCollaborator}
          disabled={disabled}
          errors={errors.perm}
          holds={holds}
          onChange={(permissions) => onChange({ ...value, permissions })}
        />
      </fieldset>

      <fieldset className="pe-scope">
        <legend>Workspace permissions</legend>
        <p className="hint">A row grants its permissions in that workspace only.</p>
        <Messages list={errors.rows} />
        {value.collaborator && (
          <p className="hint">A collaborator role (at tenant level) has no workspace rows.</p>
        )}
        {value.workspaces.map((row) => {
          const name = names.get(row.workspaceId) ?? row.workspaceId;
          const flipped = withRowCollaborator(value, row.workspaceId, !row.collaborator, a);
          const without = { ...value, workspaces: value.workspaces.filter((r) => r !== row) };
          const flipRefused = refused(flipped, `${row.collaborator ? "clear" : "set"} Collaborator here`);
          const removeRefused = refused(without, "remove this row");
          const rowId = `${base}-row-${row.workspaceId}`;
          return (
            <fieldset key={row.workspaceId} className="pe-row">
              <legend>{name}</legend>
              <div className="pe-row-head">
                <label className="check">
                  <input
                    id={rowId}
                    type="checkbox"
                    checked={row.collaborator}
                    disabled={disabled || flipRefused !== null}
                    aria-describedby={flipRefused ? `${rowId}-flip` : undefined}
                    onChange={() => onChange(flipBack(row.workspaceId, value, flipped))}
                  />
                  Collaborator in this workspace
                </label>
                {!disabled && (
                  <button
                    type="button"
                    className="pe-remove"
                    aria-label={`Remove ${name}`}
                    disabled={removeRefused !== null}
                    aria-describedby={removeRefused ? `${rowId}-remove` : undefined}
                    onClick={() => {
                      onChange(without);
                      focusSoon(`${base}-add`);
                    }}
                  >
                    Remove
                  </button>
                )}
              </div>
              {flipRefused && (
                <p id={`${rowId}-flip`} className="hint">
                  {flipRefused}
                </p>
              )}
              {removeRefused && (
                <p id={`${rowId}-remove`} className="hint">
                  {removeRefused}
                </p>
              )}
              <Messages list={errors.row?.[row.workspaceId]} />
              <Categories
                analysed={a}
                scope={row.workspaceId}
                granted={row.permissions}
                collaborator={row.collaborator}
                disabled={disabled}
                errors={errors.perm}
                holds={holds}
                onChange={(permissions) => setRow(row.workspaceId, (r) => ({ ...r, permissions }))}
              />
            </fieldset>
          );
        })}
        {value.workspaces.length === 0 && <p className="empty">No workspace rows.</p>}
        {!disabled && props.workspaces.length === 0 && (
          <p className="hint">There are no workspaces yet; create them on the Workspaces page.</p>
        )}
        {!disabled && free.length > 0 && (
          <div className="pe-add">
            <SelectField
              id={`${base}-add`}
              label="Workspace"
              value={adding}
              onChange={(e) => setAdding(e.target.value)}
            >
              <NamedOptions empty="Choose a workspace" items={free} />
            </SelectField>
            <button
              type="button"
              disabled={!adding || value.collaborator}
              onClick={() => {
                onChange({
                  ...value,
                  workspaces: [
                    ...value.workspaces,
                    { workspaceId: adding, permissions: [], collaborator: false },
                  ],
                });
                focusSoon(`${base}-row-${adding}`);
                setAdding("");
              }}
            >
              Add
            </button>
          </div>
        )}
      </fieldset>
    </div>
  );
}
