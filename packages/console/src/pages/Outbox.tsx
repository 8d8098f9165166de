/**
 * Outbox (settings.manage): the tenant's emails newest first with cursor pages, each with its
 * recipient, subject, kind and delivery state. Filters (state, recipient) are applied with
 * "Search" and kept in the address (`/outbox?state=failing`), so a filtered view can be shared
 * and reloaded. A body is shown only where the API gives it: printed to the server log (no mail
 * server) and addressed to the reader or to someone whose password the reader could set.
 */
import { useEffect, useMemo, useState } from "react";
import { LoadState } from "../components/LoadState.tsx";
import { NoAccess } from "../components/NoAccess.tsx";
import { Pager, useCursorPages } from "../components/Pager.tsx";
import { useAddressFilters } from "../components/useAddressFilters.ts";
import { useLoad } from "../components/useLoad.ts";
import { navigate } from "../router.tsx";
import { useApi, useSession } from "../session.tsx";
import "../styles/admin.css";
import "../styles/outbox.css";
import {
  apiQueryOf,
  EMPTY_FILTERS,
  filtersFromSearch,
  hasFilters,
  type OutboxFilters,
  searchOf,
} from "./outbox/filters.ts";
import { OutboxFilterForm } from "./outbox/OutboxFilterForm.tsx";
import { OutboxTable } from "./outbox/OutboxTable.tsx";

const PAGE_SIZE = 50;
const POLL_MS = 1500;

export function OutboxPage() {
  const { can } = useSession();
  if (!can("settings.manage")) {
    return <NoAccess title="Outbox" what="the outbox" needs={["settings.manage"]} />;
  }
  return <OutboxView />;
}

function OutboxView() {
  const api = useApi();
  const { search, applied, form, setForm } = useAddressFilters(filtersFromSearch);
  const query = useMemo(() => apiQueryOf(applied), [applied]);
  const [searches, setSearches] = useState(0);
  // Pages belong to one search, and to one press of Search.
  const pages = useCursorPages(`${search}\u0000${searches}`);
  const { cursor } = pages;
  const [list, reload] = useLoad(
    () => api.outbox.list({ ...query, limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) }),
    [api, query, cursor, searches],
  );
  // An email is printed to the log (or sent) a few seconds after it is queued, and only then has
  // links to show: while one waits, the page looks again, so a link just asked for appears.
  const waiting = list.kind === "ready" && list.value.items.some((m) => m.state === "pending");
  // biome-ignore lint/correctness/useExhaustiveDependencies: each new answer schedules the next look.
  useEffect(() => {
    if (!waiting) return;
    const timer = setTimeout(reload, POLL_MS);
    return () => clearTimeout(timer);
  }, [waiting, list, reload]);

  const apply = (next: OutboxFilters) => {
    const target = searchOf(next);
    if (target === search) setSearches((n) => n + 1);
    else navigate(`/outbox${target}`);
  };

  const filtered = hasFilters(applied);
  return (
    <>
      <h1>Outbox</h1>
      <p className="muted">
        Delivery status of the emails Staffgate sent for this practice. While no mail server is set up, the
        emails are printed to the server log, and their links are shown here for you and for the people whose
        password you could set; other contents stay hidden, as they can hold one-time sign-in links.
      </p>
      <OutboxFilterForm
        value={form}
        onChange={setForm}
        onSearch={() => apply(form)}
        onClear={() => {
          setForm(EMPTY_FILTERS);
          apply(EMPTY_FILTERS);
        }}
        busy={list.kind === "loading"}
      />
      <LoadState state={list} loading="Loading emails…">
        {({ items }) =>
          items.length === 0 ? (
            <p className="empty">
              {filtered
                ? "No emails match these filters."
                : "Staffgate has not sent any email for this practice yet."}
            </p>
          ) : (
            <OutboxTable messages={items} />
          )
        }
      </LoadState>
      <Pager
        pages={pages}
        loading={list.kind === "loading"}
        nextCursor={list.kind === "ready" ? list.value.nextCursor : null}
      />
    </>
  );
}
