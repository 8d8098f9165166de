/** One page of the outbox, newest first: when, to whom, what, and whether it left. */
import { ListTable } from "../../components/ListTable.tsx";
import { ScrollBox } from "../../components/ScrollBox.tsx";
import type { OutboxMessage } from "./filters.ts";
import { kindLabel, localTime, stateLabel } from "./format.ts";

export function OutboxTable(props: { readonly messages: readonly OutboxMessage[] }) {
  return (
    <ScrollBox className="outbox-table-wrap" label="Emails, newest first">
      <ListTable
        items={props.messages}
        caption="Emails, newest first"
        className="table outbox-table"
        columns={["When", "To", "Subject", "Kind", "State"]}
        row={(m) => (
          <tr key={m.id}>
            <td>
              <time dateTime={m.createdAt}>{localTime(m.createdAt)}</time>
            </td>
            <td>{m.to}</td>
            <td>{m.subject}</td>
            <td>{kindLabel(m.kind)}</td>
            <td>
              <span className={`outbox-state ${m.state}`}>{stateLabel(m)}</span>
              {m.state === "sent" && m.sentVia === "log" && (
                <span className="hint">No mail server is set up: it was printed to the server log.</span>
              )}
            </td>
          </tr>
        )}
      />
    </ScrollBox>
  );
}
