/**
 * The record of emergency access: for administrators and auditors every elevation (the API
 * decides: users.manage or audit.view see all, others their own), with "Review" for those not yet
 * reviewed (one's own too, said in its dialog: a practice may have one administrator) and "End
 * now" for open ones the caller may end.
 */
import type { Staffgate } from "@staffgate/sdk";
import { useState } from "react";
import { SelectField } from "../../components/Field.tsx";
import { ListTable } from "../../components/ListTable.tsx";
import { LoadState } from "../../components/LoadState.tsx";
import { useLoad } from "../../components/useLoad.ts";
import { formatDateTime } from "../../dates.ts";
import { useApi, useSession } from "../../session.tsx";
import { useUserNames } from "../patient-access/useUserNames.ts";
import { EndEmergencyDialog } from "./EndEmergencyDialog.tsx";
import { ReviewDialog } from "./ReviewDialog.tsx";

export type Elevation = Awaited<ReturnType<Staffgate["emergencyAccess"]["end"]>>;

type StatusFilter = "" | "open" | "ended";
type ReviewFilter = "" | "false" | "true";

export function EmergencyLog(props: {
  readonly title: string;
  /** Changes after any change on the page (opened, ended, reviewed): the list is read again. */
  readonly version: number;
  readonly scopeOf: (e: Elevation) => string;
  /** Says what changed; the page then bumps `version`. */
  readonly onChanged: (message: string) => void;
}) {
  const api = useApi();
  const { me, can } = useSession();
  const reviewer = can("users.manage") || can("audit.view");
  const [status, setStatus] = useState<StatusFilter>("");
  const [reviewed, setReviewed] = useState<ReviewFilter>("");
  const [state] = useLoad(
    () =>
      api.emergencyAccess.list({
        limit: 100,
        ...(status ? { status } : {}),
        ...(reviewed ? { reviewed: reviewed === "true" } : {}),
      }),
    [api, status, reviewed, props.version],
  );
  const items = state.kind === "ready" ? state.value.items : [];
  const nameOf = useUserNames(items.map((e) => e.reviewedBy));
  const [reviewing, setReviewing] = useState<Elevation | null>(null);
  const [ending, setEnding] = useState<Elevation | null>(null);
  // As the server: its opener while they hold emergency_access.use, or a holder of users.manage.
  const mayEnd = (e: Elevation) =>
    e.status === "open" && ((e.userId === me.user.id && can("emergency_access.use")) || can("users.manage"));

  return (
    <section className="admin-section" aria-labelledby="emergency-log">
      <h2 id="emergency-log">{props.title}</h2>
      <div className="filters">
        <SelectField
          label="Status"
          value={status}
          onChange={(e) => setStatus(e.target.value as StatusFilter)}
        >
          <option value="">All</option>
          <option value="open">Open</option>
          <option value="ended">Ended</option>
        </SelectField>
        <SelectField
          label="Review"
          value={reviewed}
          onChange={(e) => setReviewed(e.target.value as ReviewFilter)}
        >
          <option value="">All</option>
          <option value="false">Not reviewed</option>
          <option value="true">Reviewed</option>
        </SelectField>
      </div>
      <LoadState state={state} loading="Loading emergency access…">
        {(page) => (
          <ListTable
            items={page.items}
            empty="No emergency access matches these filters."
            caption={props.title}
            columns={["Who", "Access to", "Reason", "Opened", "Ends / ended", "Status", "Review"]}
            row={(e) => (
              <tr key={e.id}>
                <td>
                  {e.displayName} <span className="muted">({e.username})</span>
                </td>
                <td>{props.scopeOf(e)}</td>
                <td>{e.reason}</td>
                <td>{formatDateTime(e.openedAt)}</td>
                <td>{formatDateTime(e.endedAt ?? e.expiresAt)}</td>
                <td>
                  {e.status === "open" ? <span className="status-open">Open</span> : "Ended"}
                  {mayEnd(e) && (
                    <div className="row-actions">
                      <button type="button" onClick={() => setEnding(e)}>
                        {/* One person may hold several at once: each button names its own. */}
                        End access
                        <span className="visually-hidden">
                          {" "}
                          of {e.displayName} to {props.scopeOf(e)}, opened {formatDateTime(e.openedAt)}
                        </span>
                      </button>
                    </div>
                  )}
                </td>
                <td>
                  {e.reviewedAt ? (
                    <>
                      Reviewed {formatDateTime(e.reviewedAt)}
                      {e.reviewedBy && ` by ${nameOf(e.reviewedBy)}`}: {e.reviewNote}
                    </>
                  ) : reviewer ? (
                    <button type="button" onClick={() => setReviewing(e)}>
                      Review
                      <span className="visually-hidden">
                        {" "}
                        the access of {e.displayName} to {props.scopeOf(e)}, opened{" "}
                        {formatDateTime(e.openedAt)}
                      </span>
                    </button>
                  ) : (
                    <span className="muted">Not reviewed yet</span>
                  )}
                </td>
              </tr>
            )}
          />
        )}
      </LoadState>
      {ending && (
        <EndEmergencyDialog
          elevation={ending}
          scope={props.scopeOf(ending)}
          onClose={() => setEnding(null)}
          onEnded={() => props.onChanged(`The emergency access of ${ending.displayName} was ended.`)}
        />
      )}
      {reviewing && (
        <ReviewDialog
          elevation={reviewing}
          scope={props.scopeOf(reviewing)}
          onClose={() => setReviewing(null)}
          onReviewed={() => {
            setReviewing(null);
            props.onChanged(`The emergency access of ${reviewing.displayName} was marked reviewed.`);
          }}
        />
      )}
    </section>
  );
}
