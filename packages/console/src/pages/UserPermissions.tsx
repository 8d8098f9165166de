/**
 * Edit Permissions of one user (W4): the grants editor prefilled from the user's private role, or
 * from their formal role as a starting point; Save gives the user a private role with exactly these
 * grants (the formal role itself does not change). Only permissions the caller holds are offered,
 * and a user holding more than the caller (or the caller themselves) is shown read-only with a
 * note saying why; refusals the server still makes are said in words.
 */
import { type FormEvent, useMemo, useState } from "react";
import { LoadState } from "../components/LoadState.tsx";
import { ErrorAlert, Notice } from "../components/Messages.tsx";
import { NoAccess } from "../components/NoAccess.tsx";
import { type Grants, PermissionEditor } from "../components/PermissionEditor.tsx";
import { useFlipBack } from "../components/useFlipBack.ts";
import { useLoad } from "../components/useLoad.ts";
import { Link, useLeaveGuard } from "../router.tsx";
import { useApi, useSession } from "../session.tsx";
import type { User } from "../types.ts";
import { coverageOf, holdingOf } from "./roles/coverage.ts";
import { type GrantOptions, useGrantOptions } from "./roles/grantOptions.ts";
import { type Analysed, analyse, grantsBody, grantsOf } from "./roles/grants.ts";
import { type SaveProblem, saveProblem } from "./roles/saveProblem.ts";
import "../styles/roles.css";
import "../styles/users-access.css";

export function UserPermissionsPage({ userId }: { userId: string }) {
  const { can } = useSession();
  // Reading a user's grants needs users.view (changing them more, said beside the form).
  if (!can("users.view")) {
    return <NoAccess title="Edit Permissions" what="seeing a user’s permissions" needs={["users.view"]} />;
  }
  return <UserPermissionsView userId={userId} />;
}

function UserPermissionsView({ userId }: { userId: string }) {
  const api = useApi();
  const { me } = useSession();
  const [subject, reload] = useLoad(async () => {
    const [user, grants] = await Promise.all([api.users.get(userId), api.userActions.getPermissions(userId)]);
    // A private role has no name to show; /roles never answers it.
    const roleName = grants.private ? null : (await api.roles.get(grants.roleId)).name;
    return { user, grants, roleName };
  }, [api, userId]);
  const options = useGrantOptions(api, me.user.id);
  const [notice, setNotice] = useState<string | null>(null);

  return (
    <>
      <div className="page-head">
        <h1>Edit Permissions</h1>
        <Link to="/users">Back to Users</Link>
      </div>
      <Notice>{notice}</Notice>
      <LoadState state={subject} loading="Loading the user…">
        {({ user, grants, roleName }) => (
          <LoadState state={options} loading="Loading permissions…">
            {(opts) => (
              <PermissionsForm
                // A saved (or reloaded) user starts the form again from what the server holds.
                key={`${user.id}:${user.version}`}
                user={user}
                grants={grantsOf(grants)}
                roleName={roleName}
                options={opts}
                onSaved={(saved) => {
                  setNotice(
                    `Saved. ${saved.displayName} now has a private role with exactly these permissions.`,
                  );
                  reload();
                }}
                onEditing={() => setNotice(null)}
              />
            )}
          </LoadState>
        )}
      </LoadState>
    </>
  );
}

/**
 * Whether two sets of grants give the same: each list read as the permissions it gives, implied
 * ones included (a permission unticked and ticked again comes back at the list's end, with what it
 * implies now listed too, and was asked about as a change: the second review).
 */
function sameGrants(a: Grants, b: Grants, analysed: Analysed): boolean {
  const gives = (keys: readonly string[]) =>
    [...new Set(keys.flatMap((k) => [k, ...(analysed.closure.get(k) ?? []).map((p) => p.key)]))].sort();
  const canon = (g: Grants) =>
    JSON.stringify({
      permissions: gives(g.permissions),
      collaborator: g.collaborator,
      workspaces: g.workspaces.map((w) => [w.workspaceId, gives(w.permissions), w.collaborator]),
    });
  return canon(a) === canon(b);
}

function PermissionsForm(props: {
  readonly user: User;
  readonly grants: Grants;
  /** The formal role the grants come from; null when they are the user's private role. */
  readonly roleName: string | null;
  readonly options: GrantOptions;
  readonly onSaved: (user: User) => void;
  readonly onEditing: () => void;
}) {
  const api = useApi();
  const { me, can } = useSession();
  const { user, roleName, options } = props;
  const [grants, setGrants] = useState<Grants>(props.grants);
  const flipBack = useFlipBack<Grants>();
  const [problem, setProblem] = useState<SaveProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const self = user.id === me.user.id;
  const allowed = can("users.manage") && can("roles.manage");
  const coverage = coverageOf(holdingOf(me), options.catalog, options.reach);
  // What the user holds now beyond the caller: the server refuses any change to such a user.
  const beyond = self || !allowed ? [] : coverage.excess(props.grants);
  const readOnly = self || !allowed || beyond.length > 0;
  const analysed = useMemo(() => analyse(options.catalog), [options.catalog]);
  // Ticks not yet saved are asked about before Back, a link or a reload leaves them.
  useLeaveGuard(
    !readOnly && !busy && !sameGrants(grants, props.grants, analysed)
      ? "Discard your changes to these permissions? They are not saved."
      : null,
  );

  const change = (next: Grants) => {
    setGrants(next);
    props.onEditing();
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    const body = grantsBody(grants, options.catalog);
    try {
      props.onSaved(await api.userActions.setPermissions(user.id, body, { ifMatch: user.version }));
    } catch (e) {
      setProblem(saveProblem(e, body, options, "user"));
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} aria-busy={busy} noValidate>
      <dl className="roles-facts roles-subject">
        <dt>User</dt>
        <dd>
          <strong>{user.displayName}</strong> ({user.username})
        </dd>
        <dt>Current role</dt>
        <dd>
          {roleName ?? "Private role (permissions edited for this user)"}
          {user.workspaceRoles.length > 0 &&
            `; another role applies in ${user.workspaceRoles.length} workspace${user.workspaceRoles.length === 1 ? "" : "s"}`}
        </dd>
      </dl>
      {roleName !== null && !readOnly && (
        <p className="hint">
          These start from the role “{roleName}”. Saving gives {user.displayName} a private role with exactly
          these permissions; “{roleName}” itself does not change.
        </p>
      )}
      {self && <p className="note">You cannot change your own permissions; ask another administrator.</p>}
      {!self && !allowed && (
        <p className="note">
          Changing a user’s permissions needs the “Manage users” and “Manage roles” permissions.
        </p>
      )}
      {beyond.length > 0 && (
        <p className="note">
          {user.displayName} holds permissions you do not ({coverage.describe(beyond, 5)}): only someone
          holding them can change {user.displayName}’s permissions.
        </p>
      )}
      <PermissionEditor
        catalog={options.catalog}
        workspaces={options.workspaces}
        value={grants}
        onChange={change}
        disabled={readOnly}
        errors={problem?.grants}
        holds={coverage.holds}
        collaboratorError={problem?.fields.collaborator}
        flipBack={flipBack}
      />
      <ErrorAlert>{problem?.summary}</ErrorAlert>
      {!readOnly && (
        <div className="actions">
          <Link to="/users">Cancel</Link>
          <button type="submit" className="primary" disabled={busy}>
            Save
          </button>
        </div>
      )}
    </form>
  );
}
