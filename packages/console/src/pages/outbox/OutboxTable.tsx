/**
 * One page of the outbox, newest first: when, to whom, what, and whether it left. A message whose
 * text the API gives (printed to the server log, to the reader or to someone whose password they
 * could set) shows its links under the subject, so every link works locally, and its full text.
 */
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
            <td>
              {m.subject}
              {m.body !== null && <MessageText body={m.body} subject={m.subject} />}
            </td>
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

const URL_IN_TEXT = /https?:\/\/[^\s<>"]+/g;

function MessageText(props: { readonly body: string; readonly subject: string }) {
  const links = [...new Set(props.body.match(URL_IN_TEXT) ?? [])];
  return (
    <>
      {links.length > 0 && (
        <ul className="outbox-links" aria-label={`Links in “${props.subject}”`}>
          {links.map((href) => (
            <li key={href}>
              <a href={href}>{href}</a>
            </li>
          ))}
        </ul>
      )}
      <details className="outbox-body">
        <summary>Full message</summary>
        <pre>{props.body}</pre>
      </details>
    </>
  );
}
