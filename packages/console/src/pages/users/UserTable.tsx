/** The users table: one row per user, names as text, each row with its Actions menu when it has any. */
import { ListTable } from "../../components/ListTable.tsx";
import type { User } from "../../types.ts";
import { ActionsMenu } from "./ActionsMenu.tsx";
import type { UserOptions } from "./options.ts";
import { type ActionId, actionsFor, type Caller } from "./userActions.ts";

const STATUS_LABEL: Readonly<Record<string, string>> = {
  active: "Active",
  inactive: "Inactive",
  invited: "Invited",
  archived: "Archived",
};

/** An address that, when it must wrap, wraps after its "@" rather than mid-word. */
function Email({ address }: { address: string }) {
  const at = address.lastIndexOf("@");
  if (at < 0) return <>{address}</>;
  return (
    <>
      {address.slice(0, at + 1)}
      <wbr />
      {address.slice(at + 1)}
    </>
  );
}

const SIGN_IN_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

function roleOf(user: User, options: UserOptions | null): string {
  const main = user.privateRole ? "Private role" : (options?.roleName(user.roleId) ?? "");
  const extra = user.workspaceRoles.length;
  return extra > 0 ? `${main} (+${extra} in workspaces)` : main;
}

export function UserTable(props: {
  readonly users: readonly User[];
  readonly options: UserOptions | null;
  readonly caller: Caller;
  readonly onAction: (user: User, action: ActionId, button: HTMLButtonElement | null) => void;
}) {
  return (
    <ListTable
      items={props.users}
      caption="Users"
      className="table users-table"
      columns={[
        "Name",
        "Username",
        "Email",
        "Role",
        "Work role",
        "Status",
        "Last sign-in",
        <span key="actions" className="visually-hidden">
          Actions
        </span>,
      ]}
      row={(u) => {
        const actions = actionsFor(u, props.caller);
        return (
          <tr key={u.id}>
            <th scope="row" className="user-name">
              {u.displayName}
              {u.virtual && <span className="tag">Virtual</span>}
              {u.locked && <span className="tag warn">Locked</span>}
              {u.id === props.caller.userId && <span className="tag">You</span>}
            </th>
            <td>{u.username}</td>
            <td>
              <Email address={u.email} />
            </td>
            <td>{roleOf(u, props.options)}</td>
            <td>{u.workRole ?? ""}</td>
            <td>
              <span className={`user-status user-status-${u.status}`}>
                {STATUS_LABEL[u.status] ?? u.status}
              </span>
            </td>
            <td>{u.lastLoginAt ? SIGN_IN_TIME.format(new Date(u.lastLoginAt)) : "Never"}</td>
            <td className="user-row-actions">
              {actions.length > 0 && (
                <ActionsMenu
                  name={`Actions for ${u.displayName}`}
                  items={actions}
                  onSelect={(id, button) => props.onAction(u, id as ActionId, button)}
                />
              )}
            </td>
          </tr>
        );
      }}
    />
  );
}
