/**
 * Users: search, filters and sort kept in the address, seat count, cursor pages, "Create New
 * User", CSV export of the filtered list and CSV import, and per row an Actions menu (edit,
 * permissions pages, credential and lifecycle actions). Each action's outcome is said in a status
 * message, a refusal in an alert; the list and seats reload after each. What the page renders
 * talks to the API through a client whose refusals name permissions by their labels.
 */
import { useEffect, useMemo, useRef, useState } from "react";
import { problemCode, problemMessage } from "../api.ts";
import { ConfirmDialog } from "../components/ConfirmDialog.tsx";
import { NoAccess } from "../components/NoAccess.tsx";
import { Pager, useCursorPages } from "../components/Pager.tsx";
import { useAddressFilters } from "../components/useAddressFilters.ts";
import { useLoad } from "../components/useLoad.ts";
import { navigate } from "../router.tsx";
import { ApiContext, useApi, useSession } from "../session.tsx";
import type { User } from "../types.ts";
import "../styles/users.css";
import "../styles/users-access.css";
import { CreateUserDialog } from "./CreateUserDialog.tsx";
import { coverageOf, type GrantsLike, holdingOf, userExcess } from "./roles/coverage.ts";
import { useLabelledApi } from "./roles/useLabelledApi.ts";
import { EditUserDialog } from "./users/EditUserDialog.tsx";
import { ExportUsersButton } from "./users/ExportUsersButton.tsx";
import { ImportUsersDialog } from "./users/ImportUsersDialog.tsx";
import { importedWords } from "./users/import-report.ts";
import { loadUserOptions } from "./users/options.ts";
import { RandomPasswordDialog } from "./users/RandomPasswordDialog.tsx";
import { expired, RestoreExpiredDialog } from "./users/RestoreExpiredDialog.tsx";
import { TypedPasswordDialog } from "./users/TypedPasswordDialog.tsx";
import {
  exportQuery,
  filtersFromSearch,
  listQuery,
  searchOf,
  UserFilters,
  type UserFilterValues,
} from "./users/UserFilters.tsx";
import { UserTable } from "./users/UserTable.tsx";
import { ACTIONS, type ActionDef, type ActionId, accessBeyond, type Caller } from "./users/userActions.ts";

const PAGE_SIZE = 50;
/** Typing in the search waits this long before the address (and the list) follows. */
const TYPING_MS = 300;

type Open =
  | { readonly kind: "create" }
  | { readonly kind: "import" }
  | { readonly kind: ActionId; readonly user: User }
  | null;

export function UsersPage() {
  const { can } = useSession();
  // Without users.view the list, its filters and the export would all be refused: say so instead.
  if (!can("users.view")) {
    return <NoAccess title="Users" what="the list of users" needs={["users.view"]} />;
  }
  return <UsersView />;
}

function UsersView() {
  const plainApi = useApi();
  const { can, me } = useSession();
  const [options] = useLoad(() => loadUserOptions(plainApi, me.user.id), [plainApi, me.user.id]);
  const ready = options.kind === "ready" ? options.value : null;
  const api = useLabelledApi(ready);
  const coverage = useMemo(
    () => (ready ? coverageOf(holdingOf(me), ready.catalog, ready.reach) : null),
    [ready, me],
  );
  const caller: Caller = {
    can,
    userId: me.user.id,
    typedPasswordsAllowed: me.practice.adminTypedPasswordsAllowed,
    beyond: (u) => {
      if (!coverage || !ready) return null;
      const name = (id: string) => ready.workspaces.find((w) => w.id === id)?.name ?? id;
      const outside = accessBeyond(me.user.workspaceAccess, u.workspaceAccess, name);
      if (outside) return outside;
      const excess = userExcess(coverage, u, ready.rolesById, privateGrants.get(u.id));
      return excess.length > 0 ? `holds permissions you do not: ${coverage.describe(excess)}` : null;
    },
  };
  const { search, applied, form, setForm } = useAddressFilters(filtersFromSearch);
  const query = useMemo(() => listQuery(applied), [applied]);
  const filterKey = JSON.stringify(query);
  // Another search, filter or sort starts again at page one.
  const pages = useCursorPages(filterKey);
  const { cursor } = pages;
  const [list, reloadList] = useLoad(
    () => api.users.list({ ...query, limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) }),
    [api, filterKey, cursor],
  );
  const [seats, reloadSeats] = useLoad(() => api.users.seats(), [api]);
  // A private role is not in the roles list: its grants are read for the users shown, so the
  // Actions menu offers nothing the server would refuse for them (second console audit).
  const shownPrivate =
    list.kind === "ready" ? list.value.items.filter((u) => u.privateRole && u.id !== me.user.id) : [];
  // Keyed by version too: editing a private role moves its user's version, so the list's reload
  // after any change reads it again. One refused read (a user purged meanwhile) spoils no other.
  const [privateLoad] = useLoad(async () => {
    const read = await Promise.allSettled(
      shownPrivate.map(async (u) => [u.id, await api.userActions.getPermissions(u.id)] as const),
    );
    return new Map(read.flatMap((r) => (r.status === "fulfilled" ? [r.value] : [])));
  }, [api, shownPrivate.map((u) => `${u.id}:${u.version}`).join(" ")]);
  const privateGrants: ReadonlyMap<string, GrantsLike> =
    privateLoad.kind === "ready" ? privateLoad.value : new Map();
  const [open, setOpen] = useState<Open>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [refusal, setRefusal] = useState<string | null>(null);
  const typing = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  // Typing not yet applied belongs to the address it was typed at: Back or Forward drops it.
  // biome-ignore lint/correctness/useExhaustiveDependencies: `search` is when the timer is cleared.
  useEffect(() => () => clearTimeout(typing.current), [search]);

  /** Shows the list of `next`: a choice at once (a step back undoes it), typing once it pauses. */
  const apply = (next: UserFilterValues, replace = false) => {
    clearTimeout(typing.current);
    const target = searchOf(next);
    if (target !== window.location.search) navigate(`/users${target}`, { replace });
  };
  const onFilters = (next: UserFilterValues) => {
    setForm(next);
    const typed = next.q !== form.q && searchOf({ ...next, q: "" }) === searchOf({ ...form, q: "" });
    if (!typed) return apply(next);
    clearTimeout(typing.current);
    typing.current = setTimeout(() => apply(next, true), TYPING_MS);
  };

  const refresh = () => {
    reloadList();
    reloadSeats();
  };
  /** Says how it went; the list is read again by whoever closes the dialog (closeAndRead). */
  const tell = (message: string) => {
    setRefusal(null);
    setNotice(message);
  };
  const say = (message: string) => {
    tell(message);
    refresh();
  };
  const refuse = (error: unknown) => {
    setNotice(null);
    setRefusal(
      problemCode(error) === "PRECONDITION_FAILED"
        ? "Someone else changed this user since the list was shown. The list is reloaded: check it and try again."
        : problemMessage(error),
    );
    refresh();
  };
  // The dialog gives the focus back to the Actions button, or the heading once its row is gone.
  const close = () => setOpen(null);
  // A dialog that sends the user's version (If-Match) and may be refused (someone else's change:
  // 412) stays open to say so; the list is read again as it closes, so the next try starts from
  // what is there now (the diff review: Set password was refused again and again).
  const closeAndRead = () => {
    close();
    refresh();
  };

  const run = async (def: ActionDef, user: User) => {
    if (!def.run) return;
    try {
      say(await def.run(api, user));
    } catch (e) {
      refuse(e);
    }
  };

  const onAction = (user: User, action: ActionId) => {
    const path = encodeURIComponent(user.id);
    if (action === "permissions") return navigate(`/users/${path}/permissions`);
    if (action === "effective") return navigate(`/users/${path}/effective-permissions`);
    const def = ACTIONS.find((a) => a.id === action);
    if (!def) return;
    const asks =
      action === "edit" || action === "random-password" || action === "set-password" || def.confirm;
    if (asks || (action === "restore" && expired(user))) setOpen({ kind: action, user });
    else void run(def, user);
  };

  const dialog = () => {
    if (!open) return null;
    if (open.kind === "import") {
      return (
        <ImportUsersDialog
          workspaces={ready?.workspaces ?? null}
          roles={ready?.roles ?? null}
          onClose={close}
          onImported={(report) => {
            close();
            say(importedWords(report));
          }}
        />
      );
    }
    if (open.kind === "create") {
      return ready ? (
        <CreateUserDialog
          options={ready}
          onClose={close}
          onCreated={(user) => {
            close();
            say(
              user.status === "invited"
                ? `${user.displayName} was created and sent an invitation.`
                : `${user.displayName} was created.`,
            );
          }}
        />
      ) : null;
    }
    const { user } = open;
    if (open.kind === "edit") {
      return ready ? (
        <EditUserDialog
          userId={user.id}
          options={ready}
          onClose={close}
          onSaved={(saved, said) => {
            close();
            say(`${saved.displayName} was saved.${said ? ` ${said}` : ""}`);
          }}
        />
      ) : null;
    }
    if (open.kind === "random-password") {
      return <RandomPasswordDialog user={user} onClose={closeAndRead} onDone={tell} />;
    }
    if (open.kind === "set-password") {
      return <TypedPasswordDialog user={user} onClose={closeAndRead} onDone={tell} />;
    }
    if (open.kind === "restore")
      return <RestoreExpiredDialog user={user} onClose={closeAndRead} onDone={tell} />;
    const def = ACTIONS.find((a) => a.id === open.kind);
    const confirm = def?.confirm?.(user);
    if (!def?.run || !confirm) return null;
    const runIt = def.run;
    return (
      <ConfirmDialog
        title={confirm.title}
        confirmLabel={confirm.confirmLabel}
        danger={confirm.danger}
        onClose={closeAndRead}
        onConfirm={async () => tell(await runIt(api, user))}
      >
        <p>{confirm.body}</p>
      </ConfirmDialog>
    );
  };

  return (
    <ApiContext.Provider value={api}>
      <div className="page-head">
        <h1>Users</h1>
        <div className="page-head-actions">
          <ExportUsersButton
            query={exportQuery(applied)}
            onDone={(message) => {
              setRefusal(null);
              setNotice(message);
            }}
            onError={(message) => {
              setNotice(null);
              setRefusal(message);
            }}
          />
          {can("users.manage") && (
            <button
              type="button"
              onClick={() => {
                setNotice(null);
                setOpen({ kind: "import" });
              }}
            >
              Import Users from CSV
            </button>
          )}
          {can("users.manage") && (
            <button
              type="button"
              className="primary"
              disabled={!ready}
              onClick={() => {
                setNotice(null);
                setOpen({ kind: "create" });
              }}
            >
              Create New User
            </button>
          )}
        </div>
      </div>
      {seats.kind === "ready" && (
        <p className="seats">
          Seats in use: <strong>{seats.value.seats}</strong>
          {seats.value.virtual > 0 && ` (and ${seats.value.virtual} virtual, not billed)`}
        </p>
      )}
      <div role="status" className={notice ? "notice" : undefined}>
        {notice}
      </div>
      <div role="alert" className={refusal ? "error users-refusal" : undefined}>
        {refusal}
      </div>
      {options.kind === "error" && <p className="error">{options.message}</p>}
      {/* Not drawn while a dialog is open over the page: the user dialogs have their own "Role",
          "Work role" and "Workspace", and one label should name one control (a label finds hidden
          controls too). The filters' values live here, so nothing is lost. */}
      {open === null && <UserFilters value={form} onChange={onFilters} options={ready} />}
      {list.kind === "loading" && (
        <p className="loading" aria-busy="true">
          Loading users…
        </p>
      )}
      {list.kind === "error" && <p className="error">{list.message}</p>}
      {list.kind === "ready" &&
        (list.value.items.length === 0 ? (
          <p className="empty">No users match these filters.</p>
        ) : (
          <UserTable
            users={list.value.items}
            options={ready}
            caller={caller}
            sort={applied.sort}
            onSort={(sort) => apply({ ...form, sort })}
            onAction={onAction}
          />
        ))}
      <Pager
        pages={pages}
        loading={list.kind === "loading"}
        nextCursor={list.kind === "ready" ? list.value.nextCursor : null}
      />
      {dialog()}
    </ApiContext.Provider>
  );
}
