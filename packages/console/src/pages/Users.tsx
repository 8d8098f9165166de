/** Users: search, status filter, seat count, cursor pages, and the "Create New User" dialog. */
import { useEffect, useState } from "react";
import { problemMessage } from "../api.ts";
import { Field, SelectField } from "../components/Field.tsx";
import { useApi, useSession } from "../session.tsx";
import type { Seats, User, UserStatusFilter } from "../types.ts";
import { CreateUserDialog } from "./CreateUserDialog.tsx";

const PAGE_SIZE = 50;

const STATUSES: readonly { value: UserStatusFilter; label: string }[] = [
  { value: "active", label: "Active" },
  { value: "inactive", label: "Inactive" },
  { value: "invited", label: "Invited" },
  { value: "archived", label: "Archived" },
  { value: "all", label: "All" },
];

type ListState =
  | { kind: "loading" }
  | { kind: "error"; message: string }
  | { kind: "ready"; items: User[]; nextCursor: string | null };

/** The text being typed, settled after a short pause so each keystroke is not a request. */
function useSettled(value: string, ms: number): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

export function UsersPage() {
  const api = useApi();
  const { can } = useSession();
  const [q, setQ] = useState("");
  const query = useSettled(q.trim(), 300);
  const [status, setStatus] = useState<UserStatusFilter>("active");
  // cursors[i] is the cursor of page i (page 0 has none); Previous pops, Next pushes. They belong
  // to one search and filter: another starts again at page one.
  const filterKey = `${status}\u0000${query}`;
  const [paging, setPaging] = useState<{ key: string; cursors: (string | undefined)[] }>({
    key: filterKey,
    cursors: [undefined],
  });
  const cursors = paging.key === filterKey ? paging.cursors : [undefined];
  const [list, setList] = useState<ListState>({ kind: "loading" });
  const [seats, setSeats] = useState<Seats | null>(null);
  const [creating, setCreating] = useState(false);
  const [reload, setReload] = useState(0);
  const [notice, setNotice] = useState<string | null>(null);

  const cursor = cursors[cursors.length - 1];

  // biome-ignore lint/correctness/useExhaustiveDependencies: `reload` re-fetches after a change.
  useEffect(() => {
    let live = true;
    setList({ kind: "loading" });
    api.users
      .list({ status, limit: PAGE_SIZE, ...(query ? { q: query } : {}), ...(cursor ? { cursor } : {}) })
      .then(
        (page) => {
          if (live) setList({ kind: "ready", items: page.items, nextCursor: page.nextCursor });
        },
        (e: unknown) => {
          if (live) setList({ kind: "error", message: problemMessage(e) });
        },
      );
    return () => {
      live = false;
    };
  }, [api, query, status, cursor, reload]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `reload` re-counts after a change.
  useEffect(() => {
    let live = true;
    api.users.seats().then(
      (s) => {
        if (live) setSeats(s);
      },
      () => {
        if (live) setSeats(null);
      },
    );
    return () => {
      live = false;
    };
  }, [api, reload]);

  const onCreated = (user: User) => {
    setCreating(false);
    setNotice(
      user.status === "invited"
        ? `${user.displayName} was created and sent an invitation.`
        : `${user.displayName} was created.`,
    );
    setReload((n) => n + 1);
  };

  return (
    <>
      <div className="page-head">
        <h1>Users</h1>
        {can("users.manage") && (
          <button type="button" className="primary" onClick={() => setCreating(true)}>
            Create New User
          </button>
        )}
      </div>
      {seats && (
        <p className="seats">
          Seats in use: <strong>{seats.seats}</strong>
          {seats.virtual > 0 && ` (and ${seats.virtual} virtual, not billed)`}
        </p>
      )}
      {notice && (
        <p role="status" className="notice">
          {notice}
        </p>
      )}
      <search className="filters">
        <Field
          label="Search users"
          type="search"
          name="q"
          placeholder="Name, username or email"
          value={q}
          onChange={(e) => setQ(e.target.value)}
        />
        <SelectField
          label="Status"
          name="status"
          value={status}
          onChange={(e) => setStatus(e.target.value as UserStatusFilter)}
        >
          {STATUSES.map((s) => (
            <option key={s.value} value={s.value}>
              {s.label}
            </option>
          ))}
        </SelectField>
      </search>
      <UserTable list={list} />
      <div className="pager">
        <button
          type="button"
          disabled={cursors.length <= 1 || list.kind === "loading"}
          onClick={() => setPaging({ key: filterKey, cursors: cursors.slice(0, -1) })}
        >
          Previous page
        </button>
        <span>Page {cursors.length}</span>
        <button
          type="button"
          disabled={list.kind !== "ready" || !list.nextCursor}
          onClick={() => {
            if (list.kind === "ready" && list.nextCursor) {
              setPaging({ key: filterKey, cursors: [...cursors, list.nextCursor] });
            }
          }}
        >
          Next page
        </button>
      </div>
      {creating && <CreateUserDialog onClose={() => setCreating(false)} onCreated={onCreated} />}
    </>
  );
}

const STATUS_LABEL: Readonly<Record<string, string>> = {
  active: "Active",
  inactive: "Inactive",
  invited: "Invited",
  archived: "Archived",
};

function UserTable({ list }: { list: ListState }) {
  if (list.kind === "loading") {
    return (
      <p className="loading" aria-busy="true">
        Loading users…
      </p>
    );
  }
  if (list.kind === "error") {
    return (
      <p role="alert" className="error">
        {list.message}
      </p>
    );
  }
  if (list.items.length === 0) return <p className="empty">No users match these filters.</p>;
  return (
    <table className="table">
      <caption className="visually-hidden">Users</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Username</th>
          <th scope="col">Email</th>
          <th scope="col">Work role</th>
          <th scope="col">Status</th>
          <th scope="col">Last sign-in</th>
        </tr>
      </thead>
      <tbody>
        {list.items.map((u) => (
          <tr key={u.id}>
            <td>
              {u.displayName}
              {u.virtual && <span className="tag">Virtual</span>}
              {u.locked && <span className="tag warn">Locked</span>}
            </td>
            <td>{u.username}</td>
            <td>{u.email}</td>
            <td>{u.workRole ?? ""}</td>
            <td>{STATUS_LABEL[u.status] ?? u.status}</td>
            <td>{u.lastLoginAt ? new Date(u.lastLoginAt).toLocaleString() : "Never"}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
