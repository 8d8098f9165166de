/**
 * Every field of one audit event, the changes as a before/after table and the chain hash. All of
 * it is rendered as text: labels and changed values are user-chosen (a display name can be markup).
 * Role, workspace and user ids in the changes read as names (names.tsx), each keeping its id.
 */
import { useMemo } from "react";
import { Dialog } from "../../components/Dialog.tsx";
import { ListTable } from "../../components/ListTable.tsx";
import { useLoad } from "../../components/useLoad.ts";
import { useApi } from "../../session.tsx";
import type { AuditEvent } from "./filters.ts";
import { actorTypeLabel, isEmergency, localTime, OUTCOME_LABEL } from "./format.ts";
import { type AuditNames, eventNames, loadNames, namedValue } from "./names.tsx";

export function AuditDetailDialog(props: {
  readonly event: AuditEvent;
  /** The users the page's events name, by id. */
  readonly users: AuditNames;
  readonly onClose: () => void;
  /** Lists the events of this actor id (the person, whatever their username was at the time). */
  readonly onActorEvents: (actorId: string) => void;
}) {
  const api = useApi();
  const [loaded] = useLoad(() => loadNames(api), [api]);
  const names = useMemo<AuditNames>(
    () =>
      new Map([...props.users, ...(loaded.kind === "ready" ? loaded.value : []), ...eventNames(props.event)]),
    [props.users, loaded, props.event],
  );
  const e = props.event;
  const actorId = e.actor.id;
  const changes = Object.entries(e.changes ?? {});
  const anyBefore = changes.some(([, c]) => c.before !== undefined);
  return (
    <Dialog title={`Audit event ${e.seq}`} onClose={props.onClose} wide>
      <dl className="audit-detail">
        <dt>Action</dt>
        <dd className="audit-action">{e.action}</dd>
        <dt>Outcome</dt>
        <dd>{OUTCOME_LABEL[e.outcome]}</dd>
        <dt>Time</dt>
        <dd>
          <time dateTime={e.at}>{localTime(e.at)}</time> <span className="hint">({e.at} UTC)</span>
        </dd>
        <dt>User</dt>
        <dd>
          {e.actor.username ?? "—"} <span className="hint">({actorTypeLabel(e.actor.type)})</span>
        </dd>
        <dt>User ID</dt>
        <dd>
          <span className="mono">{actorId ?? "—"}</span>
          {actorId !== null && (
            <>
              {" "}
              <button type="button" className="small" onClick={() => props.onActorEvents(actorId)}>
                Show this user's events
              </button>
            </>
          )}
        </dd>
        <dt>Target</dt>
        <dd>
          {e.target ? (
            <>
              {e.target.label ?? "—"}
              {e.target.type && <span className="hint"> ({e.target.type})</span>}
            </>
          ) : (
            "—"
          )}
        </dd>
        <dt>Target ID</dt>
        <dd className="mono">{e.target?.id ?? "—"}</dd>
        <dt>IP address</dt>
        <dd>{e.ip ?? "—"}</dd>
        <dt>User agent</dt>
        <dd>{e.userAgent ?? "—"}</dd>
        <dt>Request ID</dt>
        <dd className="mono">{e.requestId ?? "—"}</dd>
        <dt>Emergency</dt>
        <dd>{isEmergency(e) ? "Yes: emergency access" : "No"}</dd>
        <dt>Sequence</dt>
        <dd>{e.seq}</dd>
        <dt>Event ID</dt>
        <dd className="mono">{e.id}</dd>
        <dt>Chain hash</dt>
        <dd className="mono audit-hash">{e.hash}</dd>
      </dl>
      <h3>Changes</h3>
      <ListTable
        items={changes}
        empty="This event records no changed fields."
        caption="Changed fields"
        className="table audit-changes"
        columns={["Field", anyBefore && "Before", anyBefore ? "After" : "Value"]}
        row={([field, c]) => (
          <tr key={field}>
            <th scope="row">{field}</th>
            {anyBefore && <td className="audit-value">{namedValue(c.before, names)}</td>}
            <td className="audit-value">{namedValue(c.after, names)}</td>
          </tr>
        )}
      />
    </Dialog>
  );
}
