/**
 * Effective permissions of one user (`/users/:id/effective-permissions`): what check answers with
 * no patient named, at tenant level and in each workspace, from the API's matrix; each cell
 * explains itself on focus or click with the API's explain answer for that permission and column.
 */
import { useEffect, useId, useRef, useState } from "react";
import { problemMessage } from "../api.ts";
import { Field } from "../components/Field.tsx";
import { LoadState } from "../components/LoadState.tsx";
import { NoAccess } from "../components/NoAccess.tsx";
import { type Loaded, useLoad } from "../components/useLoad.ts";
import { Link } from "../router.tsx";
import { useApi, useSession } from "../session.tsx";
import { ExplanationPanel } from "./effective/ExplanationPanel.tsx";
import { allPages, buildGrid, byCategory, type Explained, type GridData } from "./effective/model.ts";
import { type CellRef, cellKey, PermissionGrid } from "./effective/PermissionGrid.tsx";
import "../styles/audit.css";

const STATUS_LABEL: Readonly<Record<string, string>> = {
  active: "Active",
  inactive: "Inactive",
  invited: "Invited",
  archived: "Archived",
};

/** Catalogues longer than this open with their categories collapsed. */
const COLLAPSE_ABOVE = 40;

export function EffectivePermissionsPage({ userId }: { userId: string }) {
  const { can, me } = useSession();
  // Everyone may see their own; anyone else's needs users.view (the server's rule).
  if (userId !== me.user.id && !can("users.view")) {
    return (
      <NoAccess
        title="Effective permissions"
        what="seeing another user’s effective permissions"
        needs={["users.view"]}
      />
    );
  }
  // A fresh view (and explanation cache) per user.
  return <EffectiveView key={userId} userId={userId} />;
}

function EffectiveView({ userId }: { userId: string }) {
  const api = useApi();
  // One's own page is reached from Profile too: someone who cannot see Users goes back there.
  const viewer = useSession().can("users.view");
  const back = viewer
    ? { to: "/users", label: "Back to Users" }
    : { to: "/profile", label: "Back to Profile" };
  const [state] = useLoad(async () => {
    const [user, effective, catalogue, workspaces, roles] = await Promise.all([
      api.users.get(userId),
      api.access.effectivePermissions(userId),
      api.permissions.list(),
      allPages((cursor) => api.workspaces.list({ limit: 200, ...(cursor ? { cursor } : {}) })),
      // Role names only make the words friendlier: without users.view they stay generic, and the
      // list is not asked for (a refusal would be an `authz.failed` in the audit at every visit).
      viewer
        ? allPages((cursor) => api.roles.list({ limit: 200, ...(cursor ? { cursor } : {}) })).catch(() => [])
        : [],
    ]);
    return buildGrid(user, effective, catalogue.items, workspaces, roles);
  }, [api, userId, viewer]);
  return (
    <>
      <p>
        <Link to={back.to}>{back.label}</Link>
      </p>
      <h1>Effective permissions</h1>
      <LoadState state={state} loading="Loading effective permissions…">
        {(data) => <EffectiveBody data={data} userId={userId} viewer={viewer} />}
      </LoadState>
    </>
  );
}

function EffectiveBody({ data, userId, viewer }: { data: GridData; userId: string; viewer: boolean }) {
  const api = useApi();
  const explainId = useId();
  const { user } = data;
  const [filter, setFilter] = useState("");
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(() =>
    data.permissions.length > COLLAPSE_ABOVE
      ? new Set(byCategory(data.permissions).map((g) => g.category))
      : new Set(),
  );
  const [selected, setSelected] = useState<{ cell: CellRef; how: "focus" | "click" } | null>(null);
  // Explanations by cell, kept for this view: a cell explained once answers at once when revisited.
  const answers = useRef(new Map<string, Loaded<Explained>>());
  const [, setAnswered] = useState(0);

  useEffect(() => {
    if (!selected) return;
    const key = cellKey(selected.cell);
    const have = answers.current.get(key);
    if (have && have.kind !== "error") return;
    const store = (v: Loaded<Explained>) => {
      answers.current.set(key, v);
      setAnswered((n) => n + 1);
    };
    // Moving focus across the grid with the keyboard asks only for the cell it settles on.
    const timer = setTimeout(
      () => {
        store({ kind: "loading" });
        api.access
          .explain({
            userId,
            permission: selected.cell.permission.key,
            workspaceId: selected.cell.workspaceId,
          })
          .then(
            (value) => store({ kind: "ready", value }),
            (e: unknown) => store({ kind: "error", message: problemMessage(e) }),
          );
      },
      selected.how === "focus" ? 200 : 0,
    );
    return () => clearTimeout(timer);
  }, [api, userId, selected]);

  const toggle = (category: string) =>
    setCollapsed((prev) => {
      const next = new Set(prev);
      if (next.has(category)) next.delete(category);
      else next.add(category);
      return next;
    });
  const categories = byCategory(data.permissions).map((g) => g.category);
  const selectedKey = selected ? cellKey(selected.cell) : null;
  const access = user.workspaceAccess;
  return (
    <>
      <dl className="effective-summary">
        <div>
          <dt>Name</dt>
          <dd>{user.displayName}</dd>
        </div>
        <div>
          <dt>Username</dt>
          <dd>{user.username}</dd>
        </div>
        <div>
          <dt>Status</dt>
          <dd>{STATUS_LABEL[user.status] ?? user.status}</dd>
        </div>
        <div>
          <dt>Role</dt>
          <dd>
            {user.privateRole
              ? "Private role"
              : (data.roleNames.get(user.roleId) ??
                (viewer ? "—" : "Not shown: role names need the “View users” permission"))}
          </dd>
        </div>
        <div>
          <dt>Workspaces</dt>
          <dd>{access === "all" ? "All workspaces" : `${access.length} of ${data.workspaces.length}`}</dd>
        </div>
      </dl>
      {user.status !== "active" && (
        <p className="notice">
          {user.displayName} is {(STATUS_LABEL[user.status] ?? user.status).toLowerCase()}: every check
          answers denied until the account is active again.
        </p>
      )}
      <p className="hint">
        What a check answers for this user with no patient named. Select a cell to see why.
      </p>
      <ul className="effective-legend" aria-label="Legend">
        <li>✓ Allowed</li>
        <li>✕ Denied</li>
        <li>◐ Only granted patients (collaborator)</li>
        <li>! Allowed only by an open emergency access</li>
      </ul>
      <div className="filters">
        <Field
          label="Filter permissions"
          type="search"
          name="filter"
          placeholder="Name or key"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
        <div className="field">
          <button type="button" onClick={() => setCollapsed(new Set())}>
            Expand all
          </button>
        </div>
        <div className="field">
          <button type="button" onClick={() => setCollapsed(new Set(categories))}>
            Collapse all
          </button>
        </div>
      </div>
      <div className="effective-layout">
        <PermissionGrid
          data={data}
          filter={filter}
          collapsed={collapsed}
          onToggle={toggle}
          selected={selectedKey}
          onSelect={(cell, how) => setSelected({ cell, how })}
          explainId={explainId}
        />
        <ExplanationPanel
          id={explainId}
          data={data}
          cell={selected?.cell ?? null}
          answer={selectedKey ? (answers.current.get(selectedKey) ?? { kind: "loading" }) : null}
        />
      </div>
    </>
  );
}
