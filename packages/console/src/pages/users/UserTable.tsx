/**
 * The users table: one row per user, names as text, each row with its Actions menu when it has
 * any. The Name, Username, Email and Last sign-in headers are buttons that sort the list (again:
 * the other way); the sorted column says so with `aria-sort`.
 */
import type { ReactNode } from "react";
import { ScrollBox } from "../../components/ScrollBox.tsx";
import { formatDateTime } from "../../dates.ts";
import type { User } from "../../types.ts";
import { ActionsMenu } from "./ActionsMenu.tsx";
import type { UserOptions } from "./options.ts";
import type { SortKey, UserSort } from "./UserFilters.tsx";
import { type ActionId, type Caller, menuFor } from "./userActions.ts";

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

function roleOf(user: User, options: UserOptions | null): string {
  const main = user.privateRole ? "Private role" : (options?.roleName(user.roleId) ?? "");
  const extra = user.workspaceRoles.length;
  return extra > 0 ? `${main} (+${extra} in workspaces)` : main;
}

/** A column: its header, and the sort it offers (none: not sortable). */
const COLUMNS: readonly { readonly label: ReactNode; readonly sort?: SortKey }[] = [
  { label: "Name", sort: "name" },
  { label: "Username", sort: "username" },
  { label: "Email", sort: "email" },
  { label: "Role" },
  { label: "Work role" },
  { label: "Status" },
  { label: "Last sign-in", sort: "lastLoginAt" },
  { label: <span className="visually-hidden">Actions</span> },
];

function SortHeader(props: {
  readonly label: ReactNode;
  readonly sort: SortKey;
  readonly current: UserSort;
  readonly onSort: (sort: UserSort) => void;
}) {
  const { sort, current } = props;
  const direction = current === sort ? "ascending" : current === `-${sort}` ? "descending" : undefined;
  return (
    <th scope="col" aria-sort={direction}>
      <button
        type="button"
        className="sort-button"
        onClick={() => props.onSort(direction === "ascending" ? `-${sort}` : sort)}
      >
        {props.label}
        <span className="sort-mark" aria-hidden="true">
          {direction === "ascending" ? "▲" : direction === "descending" ? "▼" : "↕"}
        </span>
      </button>
    </th>
  );
}

interface RowProps {
  readonly options: UserOptions | null;
  readonly caller: Caller;
  readonly onAction: (user: User, action: ActionId) => void;
}

export function UserTable(
  props: RowProps & {
    readonly users: readonly User[];
    readonly sort: UserSort;
    readonly onSort: (sort: UserSort) => void;
  },
) {
  return (
    <ScrollBox className="table-scroll" label="Users">
      <table className="table users-table">
        <caption className="visually-hidden">Users</caption>
        <thead>
          <tr>
            {COLUMNS.map((c, i) =>
              c.sort ? (
                <SortHeader
                  key={c.sort}
                  label={c.label}
                  sort={c.sort}
                  current={props.sort}
                  onSort={props.onSort}
                />
              ) : (
                // biome-ignore lint/suspicious/noArrayIndexKey: a table's columns are fixed: their place is who they are.
                <th key={i} scope="col">
                  {c.label}
                </th>
              ),
            )}
          </tr>
        </thead>
        <tbody>
          {props.users.map((u) => (
            <UserRow
              key={u.id}
              user={u}
              options={props.options}
              caller={props.caller}
              onAction={props.onAction}
            />
          ))}
        </tbody>
      </table>
    </ScrollBox>
  );
}

function UserRow({ user: u, ...props }: RowProps & { readonly user: User }) {
  const actions = menuFor(u, props.caller);
  return (
    <tr>
      <th scope="row" className="user-name">
        {u.displayName}
        {/* A space before each tag, so the row's name reads "Ann Lee Locked", not "Ann LeeLocked". */}
        {u.virtual && (
          <>
            {" "}
            <span className="tag">Virtual</span>
          </>
        )}
        {u.locked && (
          <>
            {" "}
            <span className="tag warn">Locked</span>
          </>
        )}
        {u.id === props.caller.userId && (
          <>
            {" "}
            <span className="tag">You</span>
          </>
        )}
      </th>
      <td>{u.username}</td>
      <td>
        <Email address={u.email} />
      </td>
      <td>{roleOf(u, props.options)}</td>
      <td>{u.workRole ?? ""}</td>
      <td>
        <span className={`user-status user-status-${u.status}`}>{STATUS_LABEL[u.status] ?? u.status}</span>
      </td>
      <td>{u.lastLoginAt ? formatDateTime(u.lastLoginAt) : "Never"}</td>
      <td className="user-row-actions">
        {actions.length > 0 && (
          <ActionsMenu
            name={`Actions for ${u.displayName}`}
            items={actions}
            onSelect={(id) => props.onAction(u, id as ActionId)}
          />
        )}
      </td>
    </tr>
  );
}
