/**
 * Emergency access (break-glass, HIPAA 164.312(a)(2)(ii)): the caller's open elevation with its
 * end time and "End now", or "Open emergency access"; below, the record of elevations (all of
 * them for administrators and auditors, who review them; one's own otherwise).
 */
import { useState } from "react";
import { LoadState } from "../components/LoadState.tsx";
import { Notice } from "../components/Messages.tsx";
import { NoAccess } from "../components/NoAccess.tsx";
import { useLoad } from "../components/useLoad.ts";
import { useApi, useSession } from "../session.tsx";
import "../styles/admin.css";
import { formatDateTime } from "../dates.ts";
import { type Elevation, EmergencyLog } from "./emergency/EmergencyLog.tsx";
import { EndEmergencyDialog } from "./emergency/EndEmergencyDialog.tsx";
import { OpenEmergencyDialog } from "./emergency/OpenEmergencyDialog.tsx";
import { useWorkspaces } from "./workspaces/useWorkspaces.ts";

export function EmergencyAccessPage() {
  const api = useApi();
  const { me, can } = useSession();
  const mayUse = can("emergency_access.use");
  const reviewer = can("users.manage") || can("audit.view");
  const { workspaces, nameOf } = useWorkspaces();
  const [version, setVersion] = useState(0);
  const [opening, setOpening] = useState(false);
  const [ending, setEnding] = useState<Elevation | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const [mine] = useLoad(
    async () =>
      mayUse
        ? (await api.emergencyAccess.list({ status: "open", limit: 100 })).items.filter(
            (e) => e.userId === me.user.id,
          )
        : [],
    [api, mayUse, me.user.id, version],
  );
  // The time box is the tenant's setting; only holders of settings.manage may read it.
  const [hours] = useLoad(
    async () => (can("settings.manage") ? (await api.settings.get()).emergencyAccessHours : null),
    [api],
  );

  const changed = (message: string) => {
    setNotice(message);
    setVersion((v) => v + 1);
  };
  const scopeOf = (e: Elevation) =>
    e.workspaceId ? `Workspace ${nameOf(e.workspaceId)}` : `Patient ${e.patientRef ?? ""}`;

  if (!mayUse && !reviewer) {
    return (
      <NoAccess
        title="Emergency access"
        what="emergency access"
        needs={["emergency_access.use", "users.manage", "audit.view"]}
      />
    );
  }

  return (
    <>
      <h1>Emergency access</h1>
      <Notice>{notice}</Notice>
      {mayUse && (
        <section className="admin-section" aria-labelledby="my-emergency">
          <h2 id="my-emergency">Your emergency access</h2>
          <LoadState state={mine} loading="Loading your emergency access…">
            {(open) =>
              open.length === 0 ? (
                <>
                  <p>You have no emergency access open.</p>
                  <button
                    type="button"
                    className="danger"
                    onClick={() => {
                      setNotice(null);
                      setOpening(true);
                    }}
                  >
                    Open emergency access
                  </button>
                </>
              ) : (
                open.map((e) => (
                  <section key={e.id} className="elevation" aria-label="Your open emergency access">
                    <p>
                      <strong>Emergency access is open</strong> for{" "}
                      {e.workspaceId ? `workspace ${nameOf(e.workspaceId)}` : `patient ${e.patientRef ?? ""}`}{" "}
                      until <strong>{formatDateTime(e.expiresAt)}</strong>.
                    </p>
                    <p>Reason: {e.reason}</p>
                    <button type="button" className="primary" onClick={() => setEnding(e)}>
                      End now
                    </button>
                  </section>
                ))
              )
            }
          </LoadState>
        </section>
      )}
      <EmergencyLog
        title={reviewer ? "All emergency access" : "Your emergency access history"}
        version={version}
        scopeOf={scopeOf}
        onChanged={changed}
      />
      {ending && (
        <EndEmergencyDialog
          elevation={ending}
          scope={scopeOf(ending)}
          onClose={() => setEnding(null)}
          onEnded={() => changed("Your emergency access has ended.")}
        />
      )}
      {opening && (
        <OpenEmergencyDialog
          workspaces={workspaces}
          hours={hours.kind === "ready" ? hours.value : null}
          onClose={() => setOpening(false)}
          onOpened={(expiresAt) => {
            setOpening(false);
            changed(`Emergency access is open until ${formatDateTime(expiresAt)}.`);
          }}
        />
      )}
    </>
  );
}
