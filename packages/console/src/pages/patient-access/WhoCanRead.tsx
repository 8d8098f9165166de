/**
 * "Who can read this patient": everyone for whom check answers allowed on one patient-scoped
 * permission of the tenant's catalogue (the API's reverse query, `POST /who-can`), with the rule
 * that allows each: a role at tenant or workspace level, a patient grant, emergency access. Not
 * only the grants above: an Administrator reads every patient without one. Asked tenant-wide or in
 * one workspace, since access limited to a workspace (a grant, a workspace role) holds only there.
 * Paged by username.
 */
import type { Staffgate } from "@staffgate/sdk";
import { useEffect, useMemo, useState } from "react";
import { problemMessage } from "../../api.ts";
import { NamedOptions, SelectField } from "../../components/Field.tsx";
import { ListTable } from "../../components/ListTable.tsx";
import { LoadState } from "../../components/LoadState.tsx";
import { ErrorAlert } from "../../components/Messages.tsx";
import { Pager, useCursorPages } from "../../components/Pager.tsx";
import { type Loaded, useLoad } from "../../components/useLoad.ts";
import { listAll } from "../../listAll.ts";
import { Link } from "../../router.tsx";
import { useApi, useSession } from "../../session.tsx";
import { type Names, reasonWords } from "../effective/reasons.ts";
import { useWorkspaces } from "../workspaces/useWorkspaces.ts";

type Permission = Awaited<ReturnType<Staffgate["permissions"]["list"]>>["items"][number];
type WhoCanPage = Awaited<ReturnType<Staffgate["access"]["whoCan"]>>;

const PAGE_SIZE = 50;

/** The patient-scoped permissions, and the one asked about first: the first `….read`, else the first. */
export function patientPermissions(all: readonly Permission[]): { items: Permission[]; first: string } {
  const items = all.filter((p) => p.patientScoped);
  const first = items.find((p) => p.key.endsWith(".read")) ?? items[0];
  return { items, first: first?.key ?? "" };
}

interface WhoCanProps {
  readonly patientRef: string;
  readonly version: number;
  /** "" tenant-wide (no workspace), else the workspace asked about. */
  readonly workspaceId: string;
  readonly onWorkspace: (workspaceId: string) => void;
  /**
   * While a dialog is open over the page its filters are not drawn: the grant dialog has its own
   * "Workspace", and one label should name one control (a label finds hidden controls too).
   */
  readonly filtersHidden?: boolean;
}

export function WhoCanRead(props: WhoCanProps) {
  const { patientRef } = props;
  const { can } = useSession();
  return (
    <section className="admin-section who-can" aria-labelledby="who-can-heading">
      <h2 id="who-can-heading">Who can read this patient</h2>
      <p className="muted">
        Everyone the decision allows on patient {patientRef}: through their role, a grant above, or emergency
        access.
      </p>
      {can("users.view") ? (
        <WhoCanList {...props} />
      ) : (
        <ErrorAlert>
          Listing who can read a patient needs the “View users” permission (users.view). Ask an administrator
          if you need it.
        </ErrorAlert>
      )}
    </section>
  );
}

function WhoCanList({ patientRef, version, workspaceId, onWorkspace, filtersHidden }: WhoCanProps) {
  const api = useApi();
  const [catalogue] = useLoad(async () => patientPermissions((await api.permissions.list()).items), [api]);
  const { workspaces } = useWorkspaces();
  const [chosen, setChosen] = useState("");
  const permission = chosen || (catalogue.kind === "ready" ? catalogue.value.first : "");

  return (
    <LoadState state={catalogue} loading="Loading the permission catalogue…">
      {({ items }) =>
        items.length === 0 ? (
          <p className="empty">The tenant’s catalogue has no patient-scoped permission.</p>
        ) : (
          <>
            {!filtersHidden && (
              <div className="filters">
                <SelectField
                  label="Permission"
                  value={permission}
                  onChange={(e) => setChosen(e.target.value)}
                  hint="A patient-scoped permission of the catalogue."
                >
                  {items.map((p) => (
                    <option key={p.key} value={p.key}>
                      {p.label} ({p.key})
                    </option>
                  ))}
                </SelectField>
                <SelectField
                  label="Workspace"
                  value={workspaceId}
                  onChange={(e) => onWorkspace(e.target.value)}
                  hint="Access limited to a workspace shows when that workspace is chosen."
                >
                  <NamedOptions empty="No workspace (tenant-wide)" items={workspaces} />
                </SelectField>
              </div>
            )}
            <WhoCanPages
              patientRef={patientRef}
              permission={permission}
              workspaceId={workspaceId}
              version={version}
            />
          </>
        )
      }
    </LoadState>
  );
}

function WhoCanPages(props: {
  patientRef: string;
  permission: string;
  workspaceId: string;
  version: number;
}) {
  const { patientRef, permission, workspaceId, version } = props;
  const api = useApi();
  const pages = useCursorPages(`${patientRef}\u0000${permission}\u0000${workspaceId}`);
  const { cursor } = pages;
  const [state, setState] = useState<Loaded<WhoCanPage>>({ kind: "loading" });
  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` asks again after a grant or revocation.
  useEffect(() => {
    let live = true;
    setState({ kind: "loading" });
    api.access
      .whoCan({
        permission,
        patientRef,
        limit: PAGE_SIZE,
        ...(workspaceId ? { workspaceId } : {}),
        ...(cursor ? { cursor } : {}),
      })
      .then(
        (value) => {
          if (live) setState({ kind: "ready", value });
        },
        (e: unknown) => {
          if (live) setState({ kind: "error", message: problemMessage(e) });
        },
      );
    return () => {
      live = false;
    };
  }, [api, patientRef, permission, workspaceId, cursor, version]);

  // Roles by name for the reasons (a private role is said as such; who-can needs users.view, as
  // listing roles does).
  const [roles] = useLoad(() => listAll((page) => api.roles.list(page)).catch(() => []), [api]);
  const { nameOf } = useWorkspaces();
  const roleNames = useMemo(
    () => new Map((roles.kind === "ready" ? roles.value : []).map((r) => [r.id, r.name])),
    [roles],
  );
  const names: Names = {
    role: (id) => (id ? (roleNames.get(id) ?? "a role") : "the user's role"),
    workspace: (id) => (id ? `“${nameOf(id)}”` : "this workspace"),
  };

  return (
    <>
      <LoadState state={state} loading="Loading who can read this patient…">
        {(page) => (
          <ListTable
            items={page.items}
            empty={`Nobody can use ${permission} on patient ${patientRef}${workspaceId ? ` in ${nameOf(workspaceId)}` : ""}.`}
            caption={`Who can use ${permission} on patient ${patientRef}${workspaceId ? `, in ${nameOf(workspaceId)}` : ""}`}
            columns={["User", "Why"]}
            row={(item) => (
              <tr key={item.userId}>
                <td>
                  <Link to={`/users/${encodeURIComponent(item.userId)}/effective-permissions`}>
                    {item.username}
                  </Link>
                </td>
                <td>{reasonWords(item.reason, names, { status: "active" })}</td>
              </tr>
            )}
          />
        )}
      </LoadState>
      <Pager
        pages={pages}
        loading={state.kind === "loading"}
        nextCursor={state.kind === "ready" ? state.value.nextCursor : null}
      />
    </>
  );
}
