/**
 * The access granted on one patient: the live grants (and, on request, expired ones) with who
 * granted them and why, "Grant access", and "Revoke" (confirmed). Who can read the patient at all
 * (roles included) is WhoCanRead's list.
 */
import type { Staffgate } from "@staffgate/sdk";
import { useEffect, useState } from "react";
import { problemCode } from "../../api.ts";
import { ConfirmDialog } from "../../components/ConfirmDialog.tsx";
import { ListTable } from "../../components/ListTable.tsx";
import { LoadState } from "../../components/LoadState.tsx";
import { Notice } from "../../components/Messages.tsx";
import { useLoad } from "../../components/useLoad.ts";
import { formatDateTime } from "../../dates.ts";
import { listAll } from "../../listAll.ts";
import { useApi } from "../../session.tsx";
import { useWorkspaces } from "../workspaces/useWorkspaces.ts";
import { GrantAccessDialog } from "./GrantAccessDialog.tsx";
import { useUserNames } from "./useUserNames.ts";

type Grant = Awaited<ReturnType<Staffgate["patientAccess"]["grant"]>>;

/** The reason the server records when the application reports that a user created the patient. */
const CREATED_REASON = "created the patient";

/** A grant of a holder who is not active grants nothing until they are: said beside the name. */
const HOLDER_STATUS_WORDS: Record<Exclude<Grant["userStatus"], "active">, string> = {
  invited: "Invited: no access until they accept",
  inactive: "Deactivated: no access",
  archived: "Archived: no access",
};

export function PatientGrants({
  patientRef,
  onChanged,
  onGranting,
}: {
  patientRef: string;
  /** The grant dialog opened (true) or closed (false). */
  onGranting?: (open: boolean) => void;
  /**
   * After a grant or a revocation (who can read the patient may have changed with it); a grant
   * names its workspace (null: all of them).
   */
  onChanged?: (grantedIn?: string | null) => void;
}) {
  const api = useApi();
  const [includeExpired, setIncludeExpired] = useState(false);
  const [state, reload] = useLoad(
    () =>
      listAll((page) =>
        api.patientAccess.list(patientRef, { ...page, ...(includeExpired ? { includeExpired } : {}) }),
      ),
    [api, patientRef, includeExpired],
  );
  const { workspaces, nameOf } = useWorkspaces();
  const grants = state.kind === "ready" ? state.value : [];
  const grantorName = useUserNames(grants.map((g) => g.grantedBy));
  const [granting, setGranting] = useState(false);
  useEffect(() => onGranting?.(granting), [granting, onGranting]);
  const [revoking, setRevoking] = useState<Grant | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const now = new Date().toISOString();

  const where = (g: Grant) => (g.workspaceId ? nameOf(g.workspaceId) : "All workspaces");
  /** Revoking an all-workspaces grant removes every grant the user holds on this patient. */
  const alsoRemoved = (g: Grant) =>
    g.workspaceId === null ? grants.filter((o) => o.userId === g.userId && o.id !== g.id) : [];

  return (
    <section className="admin-section" aria-labelledby="grants-heading">
      <div className="page-head">
        <h2 id="grants-heading">Granted access to patient {patientRef}</h2>
        <button
          type="button"
          className="primary"
          onClick={() => {
            setNotice(null);
            setGranting(true);
          }}
        >
          Grant access
        </button>
      </div>
      <label className="check">
        <input
          type="checkbox"
          checked={includeExpired}
          onChange={(e) => setIncludeExpired(e.target.checked)}
        />
        Show expired grants
      </label>
      <Notice>{notice}</Notice>
      <LoadState state={state} loading="Loading granted access…">
        {(items) => (
          <ListTable
            items={items}
            empty="Nobody has been granted access to this patient."
            caption={`Access grants on patient ${patientRef}`}
            columns={["User", "Workspace", "Reason", "Expires", "Granted by", "Granted", "Actions"]}
            row={(g) => (
              <tr key={g.id}>
                <td>
                  {g.displayName} <span className="muted">({g.username})</span>
                  {g.userStatus !== "active" && (
                    <span className="tag warn">{HOLDER_STATUS_WORDS[g.userStatus]}</span>
                  )}
                </td>
                <td>{where(g)}</td>
                <td>
                  {g.reason === CREATED_REASON ? (
                    <span className="tag">Created the patient</span>
                  ) : (
                    (g.reason ?? <span className="muted">No reason given</span>)
                  )}
                </td>
                <td>
                  {g.expiresAt ? formatDateTime(g.expiresAt) : "Never"}
                  {g.expiresAt && g.expiresAt <= now && <span className="tag warn">Expired</span>}
                </td>
                <td>{g.grantedBy ? grantorName(g.grantedBy) : <span className="muted">Unknown</span>}</td>
                <td>{formatDateTime(g.createdAt)}</td>
                <td>
                  <button
                    type="button"
                    onClick={() => {
                      setNotice(null);
                      setRevoking(g);
                    }}
                  >
                    Revoke
                    <span className="visually-hidden">
                      {" "}
                      access of {g.displayName} in {where(g)}
                    </span>
                  </button>
                </td>
              </tr>
            )}
          />
        )}
      </LoadState>
      {granting && (
        <GrantAccessDialog
          patientRef={patientRef}
          workspaces={workspaces}
          onClose={() => setGranting(false)}
          onGranted={(name, workspaceId) => {
            setGranting(false);
            setNotice(`${name} was granted access to patient ${patientRef}.`);
            reload();
            onChanged?.(workspaceId);
          }}
        />
      )}
      {revoking && (
        <ConfirmDialog
          title="Revoke access"
          confirmLabel="Revoke"
          danger
          onConfirm={async () => {
            try {
              await api.patientAccess.revoke(
                patientRef,
                revoking.userId,
                // One grant, at the version shown (an all-workspaces grant removes several: none is named).
                revoking.workspaceId ? { workspaceId: revoking.workspaceId, ifMatch: revoking.version } : {},
              );
            } catch (e) {
              if (problemCode(e) !== "PRECONDITION_FAILED") throw e;
              // Given again meanwhile (a new reason or expiry): closed, the list reloads, nothing revoked.
              setNotice(
                `The grant of ${revoking.displayName} was changed since the list was shown, so it was not revoked. The list is reloaded: check it and revoke again.`,
              );
              return;
            }
            setNotice(
              `Access of ${revoking.displayName} to patient ${patientRef} (${where(revoking)}) was revoked.`,
            );
          }}
          onClose={() => {
            setRevoking(null);
            reload();
            onChanged?.();
          }}
        >
          <p>
            Revoke the access of <strong>{revoking.displayName}</strong> to patient{" "}
            <strong>{patientRef}</strong> ({where(revoking)})? It ends at once.
          </p>
          {alsoRemoved(revoking).length > 0 && (
            <p className="warning">
              This also removes {revoking.displayName}’s {alsoRemoved(revoking).length} workspace-specific
              grant(s) on this patient.
            </p>
          )}
        </ConfirmDialog>
      )}
    </section>
  );
}
