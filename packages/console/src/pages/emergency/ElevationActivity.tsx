/**
 * What was done under one emergency elevation, for its review: the audit events flagged emergency
 * (audit/format.ts) between its opening and its end, both those its user made (opening, ending)
 * and those about its user (the decisions the elevation allowed, which the clinical application
 * asked for, so their actor is the application). Newest first, the first few, with the same
 * events in the Audit log a click away.
 */
import type { Staffgate } from "@staffgate/sdk";
import { useId } from "react";
import { ListTable } from "../../components/ListTable.tsx";
import { LoadState } from "../../components/LoadState.tsx";
import { useLoad } from "../../components/useLoad.ts";
import { Link } from "../../router.tsx";
import { useApi } from "../../session.tsx";
import { type AuditEvent, dayOf, EMPTY_FILTERS, searchOf } from "../audit/filters.ts";
import { isEmergency, localTime, targetLabel } from "../audit/format.ts";
import type { Elevation } from "./EmergencyLog.tsx";

/** Shown in the dialog; the rest are in the Audit log. */
const SHOWN = 10;
/** One page of each query: an elevation lasts hours, and the link shows all of them. */
const READ = 200;
/** The end's own event is stamped a moment after the end it records. */
const GRACE_MS = 10_000;

/** The events of `e`'s user flagged emergency while it lasted, newest first. */
async function eventsUnder(api: Staffgate, e: Elevation): Promise<AuditEvent[]> {
  const from = e.openedAt;
  const to = new Date(Date.parse(e.endedAt ?? e.expiresAt) + GRACE_MS).toISOString();
  const [by, about] = await Promise.all([
    api.audit.list({ actor: e.username, from, to, limit: READ }),
    api.audit.list({ targetId: e.userId, from, to, limit: READ }),
  ]);
  const byId = new Map([...by.items, ...about.items].map((ev) => [ev.id, ev]));
  return [...byId.values()].filter(isEmergency).sort((a, b) => b.seq - a.seq);
}

/** A decision names the permission and the patient; other events their target. */
function whatOf(ev: AuditEvent): string {
  const permission = ev.changes?.permission?.after;
  const patient = ev.changes?.patientRef?.after;
  if (ev.action !== "access.decision" || typeof permission !== "string") return targetLabel(ev);
  return typeof patient === "string" ? `${permission} on patient ${patient}` : permission;
}

export function ElevationActivity({ elevation: e }: { readonly elevation: Elevation }) {
  const api = useApi();
  const headingId = useId();
  const [state] = useLoad(() => eventsUnder(api, e), [api, e]);
  // The Audit log filters by day, and by text rather than actor: the decisions' actor is the
  // application, while the user's name is their target.
  const search = searchOf({
    ...EMPTY_FILTERS,
    from: dayOf(e.openedAt),
    to: dayOf(e.endedAt ?? e.expiresAt),
    q: e.username,
  });
  const caption = `Emergency events of ${e.username} during this access`;

  return (
    <section className="elevation-activity" aria-labelledby={headingId}>
      <h3 id={headingId}>What was done under this access</h3>
      <LoadState state={state} loading="Loading what was done under this access…">
        {(events) => (
          <>
            <ListTable
              items={events.slice(0, SHOWN)}
              empty="Nothing was recorded under this access."
              caption={caption}
              columns={["Time", "Action", "Target"]}
              row={(ev) => (
                <tr key={ev.id}>
                  <td>
                    <time dateTime={ev.at}>{localTime(ev.at)}</time>
                  </td>
                  <td className="audit-action">{ev.action}</td>
                  <td>{whatOf(ev)}</td>
                </tr>
              )}
            />
            {events.length > SHOWN && (
              <p className="muted">
                {events.length - SHOWN} more {events.length - SHOWN === 1 ? "event" : "events"} in the Audit
                log.
              </p>
            )}
          </>
        )}
      </LoadState>
      <p>
        <Link to={`/audit${search}`}>Open these events in the Audit Logs</Link>
      </p>
    </section>
  );
}
