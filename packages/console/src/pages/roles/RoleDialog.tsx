/**
 * "Create New Role" and "Edit" (W5): a wide dialog with tabs "Role Properties" and "Permissions"
 * around one form. Edits carry the version read (If-Match). A refusal stays in the dialog, said in
 * words above the form and beside what it names; the tab holding such an error opens and its first
 * marked field takes the focus; an error goes as soon as what it names is changed. Escape or × asks
 * before throwing away changes. Locked roles,
 * a role the editor holds (nobody edits their own), and every role for someone without
 * roles.manage open read-only. Permissions the editor does not hold can be neither granted nor
 * taken away (the server refuses both), so they are not offered, nor is a Collaborator tick that
 * would take one away.
 */
import { type FormEvent, useEffect, useRef, useState } from "react";
import { Field, TextAreaField } from "../../components/Field.tsx";
import { FormDialog } from "../../components/FormDialog.tsx";
import { focusFirstInvalid } from "../../components/keepFocus.ts";
import { type Grants, PermissionEditor } from "../../components/PermissionEditor.tsx";
import { standingErrors } from "../../components/standingErrors.ts";
import { Tabs } from "../../components/Tabs.tsx";
import { DiscardGuard } from "../../components/useDiscardGuard.ts";
import { useFlipBack } from "../../components/useFlipBack.ts";
import { useOnce } from "../../components/useOnce.ts";
import { useApi, useSession } from "../../session.tsx";
import type { Role } from "../../types.ts";
import { coverageOf, holdingOf } from "./coverage.ts";
import type { GrantOptions } from "./grantOptions.ts";
import { grantsBody, grantsOf } from "./grants.ts";
import { FIELDS_MARKED, type SaveProblem, saveProblem } from "./saveProblem.ts";
import "../../styles/users-access.css";
import { formatDateTime } from "../../dates.ts";

type Tab = "properties" | "permissions";

const NO_GRANTS: Grants = { permissions: [], collaborator: false, workspaces: [] };

/** What the form edits; a refusal is kept with the values it was said about. */
interface Draft {
  readonly name: string;
  readonly description: string;
  readonly grants: Grants;
}

/** What a refused field's path names in a draft (undefined: no field of the form). */
function draftValue(d: Draft, path: string): unknown {
  const values: Readonly<Record<string, unknown>> = {
    name: d.name,
    description: d.description,
    collaborator: d.grants.collaborator,
  };
  return values[path];
}

export function RoleDialog(props: {
  /** The role to edit; none: create a new one. */
  readonly role: Role | null;
  readonly options: GrantOptions;
  readonly canManage: boolean;
  readonly onClose: () => void;
  readonly onSaved: (role: Role) => void;
}) {
  const api = useApi();
  const once = useOnce();
  const { me } = useSession();
  const { role, options } = props;
  const own =
    role !== null && (role.id === me.user.roleId || me.user.workspaceRoles.some((w) => w.roleId === role.id));
  const readOnly = !props.canManage || Boolean(role?.locked) || own;
  const coverage = coverageOf(holdingOf(me), options.catalog, options.reach);
  const [tab, setTab] = useState<Tab>("properties");
  const [name, setName] = useState(role?.name ?? "");
  const [description, setDescription] = useState(role?.description ?? "");
  const [grants, setGrants] = useState<Grants>(role ? grantsOf(role) : NO_GRANTS);
  const flipBack = useFlipBack<Grants>();
  const [refusal, setRefusal] = useState<{ problem: SaveProblem; draft: Draft } | null>(null);
  const [busy, setBusy] = useState(false);
  const form = useRef<Element | null>(null);
  const draft: Draft = { name, description, grants };
  const opened: Draft = {
    name: role?.name ?? "",
    description: role?.description ?? "",
    grants: role ? grantsOf(role) : NO_GRANTS,
  };
  const discardQuestion =
    readOnly || JSON.stringify(draft) === JSON.stringify(opened)
      ? null
      : role
        ? "Discard your changes to this role? They are not saved."
        : "Discard this new role? What you entered is not saved.";
  const problem = refusal && shownProblem(refusal.problem, refusal.draft, draft);

  useEffect(() => {
    if (refusal && form.current) focusFirstInvalid(form.current);
  }, [refusal]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (readOnly) return;
    form.current = event.currentTarget;
    setBusy(true);
    setRefusal(null);
    const body = { name, description, ...grantsBody(grants, options.catalog) };
    try {
      const saved = role
        ? await api.roles.update(role.id, body, { ifMatch: role.version })
        : await once.run(api, (c) => c.roles.create(body));
      props.onSaved(saved);
    } catch (e) {
      const p = saveProblem(e, body, options, "role");
      setRefusal({ problem: p, draft });
      const { collaborator: _onPermissionsTab, ...own } = p.fields;
      if (Object.keys(own).length > 0) setTab("properties");
      else if (permissionsInvalid(p)) setTab("permissions");
      setBusy(false);
    }
  };

  const title = !role ? "Create New Role" : readOnly ? `Role: ${role.name}` : `Edit Role: ${role.name}`;
  // The tenant-level Collaborator tick is on the Permissions tab, with the grants.
  const { collaborator: collaboratorError, ...fields } = problem?.fields ?? {};

  const properties = (
    <>
      {role?.locked && (
        <p className="notice roles-locked-note">
          This role is locked: it cannot be changed or deleted. Copy it to make a role you can edit.
        </p>
      )}
      {role && !role.locked && !props.canManage && (
        <p className="notice">
          You can look at this role; changing roles needs the “Manage roles” permission.
        </p>
      )}
      {role && !role.locked && props.canManage && own && (
        <p className="note">You hold this role, so you cannot change it: ask another administrator.</p>
      )}
      <Field
        label="Name"
        value={name}
        onChange={(e) => setName(e.target.value)}
        error={fields.name}
        disabled={readOnly}
        maxLength={80}
        autoComplete="off"
        required
      />
      <TextAreaField
        label="Description"
        value={description}
        onChange={(e) => setDescription(e.target.value)}
        error={fields.description}
        disabled={readOnly}
        maxLength={500}
        rows={3}
      />
      {role && (
        <dl className="roles-facts">
          <dt>Users holding it</dt>
          <dd>{role.userCount}</dd>
          <dt>Origin</dt>
          <dd>{role.system ? "Preset (made with the tenant)" : "Made in this tenant"}</dd>
          <dt>Last changed</dt>
          <dd>{formatDateTime(role.updatedAt)}</dd>
        </dl>
      )}
    </>
  );

  return (
    <FormDialog
      title={title}
      wide
      onClose={props.onClose}
      onSubmit={submit}
      busy={busy}
      error={problem?.summary}
      // "Done", not "Close": the × in the head is "Close" already, and one name should find one button.
      cancelLabel={readOnly ? "Done" : "Cancel"}
      submitLabel={readOnly ? undefined : "Save"}
    >
      <DiscardGuard question={discardQuestion} />
      <Tabs<Tab>
        label={title}
        selected={tab}
        onSelect={setTab}
        tabs={[
          {
            id: "properties",
            label: "Role Properties",
            panel: properties,
            invalid: Object.keys(fields).length > 0,
          },
          {
            id: "permissions",
            label: "Permissions",
            invalid: problem ? permissionsInvalid(problem) : false,
            panel: (
              <PermissionEditor
                catalog={options.catalog}
                workspaces={options.workspaces}
                value={grants}
                onChange={setGrants}
                disabled={readOnly}
                errors={problem?.grants}
                holds={coverage.holds}
                collaboratorError={collaboratorError}
                flipBack={flipBack}
              />
            ),
          },
        ]}
      />
    </FormDialog>
  );
}

/**
 * The refusal as it stands now: a field's error goes once the field is changed, the grants' once
 * the grants are; the sentence that only pointed at those marks goes with the last of them.
 */
function shownProblem(p: SaveProblem, refused: Draft, now: Draft): SaveProblem | null {
  const fields = standingErrors(p.fields, refused, now, draftValue);
  const grants = JSON.stringify(refused.grants) === JSON.stringify(now.grants) ? p.grants : {};
  const shown = { ...p, fields, grants };
  if (p.summary === FIELDS_MARKED && Object.keys(fields).length === 0 && !grantsInvalid(shown)) return null;
  return shown;
}

/** Whether the refusal names something on the Permissions tab: a grant, or the tenant-level Collaborator tick. */
function permissionsInvalid(p: SaveProblem): boolean {
  return grantsInvalid(p) || p.fields.collaborator !== undefined;
}

function grantsInvalid(p: SaveProblem): boolean {
  const g = p.grants;
  return Boolean(
    g.tenant?.length || g.rows?.length || Object.keys(g.row ?? {}).length || Object.keys(g.perm ?? {}).length,
  );
}
