/** One page of audit events, newest first; each row opens its detail with "Details". */
import { ListTable } from "../../components/ListTable.tsx";
import { ScrollBox } from "../../components/ScrollBox.tsx";
import type { AuditEvent } from "./filters.ts";
import { actorLabel, isEmergency, localTime, OUTCOME_LABEL, targetLabel } from "./format.ts";

export function AuditTable(props: {
  readonly events: readonly AuditEvent[];
  readonly onOpen: (event: AuditEvent) => void;
}) {
  return (
    <ScrollBox className="audit-table-wrap" label="Audit events, newest first">
      <ListTable
        items={props.events}
        caption="Audit events, newest first"
        className="table audit-table"
        columns={[
          "Time",
          "User",
          "Action",
          "Target",
          "Outcome",
          "IP address",
          "Emergency",
          <span key="detail" className="visually-hidden">
            Detail
          </span>,
        ]}
        row={(e) => (
          <tr key={e.id} data-seq={e.seq}>
            <td>
              <time dateTime={e.at}>{localTime(e.at)}</time>
            </td>
            <td>{actorLabel(e)}</td>
            <td className="audit-action">{e.action}</td>
            <td>{targetLabel(e)}</td>
            <td>
              <span className={`audit-outcome ${e.outcome}`}>{OUTCOME_LABEL[e.outcome]}</span>
            </td>
            <td>{e.ip ?? ""}</td>
            <td>{isEmergency(e) && <span className="tag warn">Emergency</span>}</td>
            <td>
              <button type="button" className="small" onClick={() => props.onOpen(e)}>
                Details<span className="visually-hidden"> of event {e.seq}</span>
              </button>
            </td>
          </tr>
        )}
      />
    </ScrollBox>
  );
}
