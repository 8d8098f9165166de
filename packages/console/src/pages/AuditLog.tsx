/**
 * Audit Logs (W14, audit.view; Prevounce's "Audit Logs"): events newest first with cursor pages; filters applied with
 * "Search" and kept in the address (`/audit?actor=…`) so a filtered view can be shared and
 * reloaded; a detail dialog per event; export of the current filter; chain verification; and for
 * settings.manage, purging the events past the retention period (the list then reloads).
 */
import { useEffect, useMemo, useRef, useState } from "react";
import { fieldErrors, problemMessage } from "../api.ts";
import { LoadState } from "../components/LoadState.tsx";
import { NoAccess } from "../components/NoAccess.tsx";
import { Pager, useCursorPages } from "../components/Pager.tsx";
import { useAddressFilters } from "../components/useAddressFilters.ts";
import type { Loaded } from "../components/useLoad.ts";
import { navigate } from "../router.tsx";
import { useApi, useSession } from "../session.tsx";
import { AuditDetailDialog } from "./audit/AuditDetailDialog.tsx";
import { AuditFilterForm } from "./audit/AuditFilterForm.tsx";
import { AuditTable } from "./audit/AuditTable.tsx";
import { AuditTools } from "./audit/AuditTools.tsx";
import {
  type AuditEvent,
  apiQueryOf,
  EMPTY_FILTERS,
  type FilterKey,
  type AuditFilterForm as Form,
  filtersFromSearch,
  formErrors,
  hasFilters,
  queryFieldErrors,
  searchOf,
} from "./audit/filters.ts";
import { usersOf } from "./audit/names.tsx";
import { PurgeDialog } from "./audit/PurgeDialog.tsx";
import { purgedWords } from "./audit/purge.ts";
import "../styles/audit.css";

const PAGE_SIZE = 50;

type ListState = Loaded<{ items: AuditEvent[]; nextCursor: string | null }>;

export function AuditLogPage() {
  const { can } = useSession();
  if (!can("audit.view")) {
    return <NoAccess title="Audit Logs" what="viewing the audit log" needs={["audit.view"]} />;
  }
  return <AuditLogView />;
}

function AuditLogView() {
  const api = useApi();
  const { can } = useSession();
  const { search, applied, form, setForm } = useAddressFilters(filtersFromSearch);
  const query = useMemo(() => apiQueryOf(applied), [applied]);
  const [localErrors, setLocalErrors] = useState<Partial<Record<FilterKey, string>>>({});
  const [reload, setReload] = useState(0);
  // Pages belong to one search, and to one press of Search.
  const pages = useCursorPages(`${search}\u0000${reload}`);
  const { cursor } = pages;
  const [list, setList] = useState<ListState>({ kind: "loading" });
  const [apiErrors, setApiErrors] = useState<Partial<Record<FilterKey, string>>>({});
  // The fields of the latest refused search, the form's or the API's: a new object each time, so
  // the focus goes to the first one marked even when it is the same field again.
  const [refusal, setRefusal] = useState<Partial<Record<FilterKey, string>>>({});
  const [open, setOpen] = useState<AuditEvent | null>(null);
  const [purging, setPurging] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  // Each purge starts the tools again: a verdict from before it counted events that are gone.
  const [purges, setPurges] = useState(0);
  const purgeButton = useRef<HTMLButtonElement>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `reload` re-fetches on Search.
  useEffect(() => {
    let live = true;
    setList({ kind: "loading" });
    setApiErrors({});
    api.audit.list({ ...query, limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) }).then(
      (page) => {
        if (live) setList({ kind: "ready", value: { items: page.items, nextCursor: page.nextCursor } });
      },
      (e: unknown) => {
        if (!live) return;
        const byField = queryFieldErrors(fieldErrors(e));
        setApiErrors(byField);
        if (Object.keys(byField).length > 0) setRefusal(byField);
        setList({
          kind: "error",
          message: Object.keys(byField).length > 0 ? "Correct the filters marked above." : problemMessage(e),
        });
      },
    );
    return () => {
      live = false;
    };
  }, [api, query, cursor, reload]);

  const apply = (next: Form) => {
    const errors = formErrors(next);
    setLocalErrors(errors);
    if (Object.keys(errors).length > 0) {
      setRefusal(errors);
      return;
    }
    const target = searchOf(next);
    if (target === search) setReload((n) => n + 1);
    else navigate(`/audit${target}`);
  };

  const closePurge = () => {
    setPurging(false);
    requestAnimationFrame(() => purgeButton.current?.focus());
  };

  const users = useMemo(() => usersOf(list.kind === "ready" ? list.value.items : []), [list]);
  const errors = { ...apiErrors, ...localErrors };
  return (
    <>
      <div className="page-head">
        <h1>Audit Logs</h1>
        {can("settings.manage") && (
          <button
            ref={purgeButton}
            type="button"
            onClick={() => {
              setNotice(null);
              setPurging(true);
            }}
          >
            Purge old events…
          </button>
        )}
      </div>
      <div role="status">{notice && <p className="notice">{notice}</p>}</div>
      <AuditFilterForm
        value={form}
        onChange={setForm}
        onSearch={() => apply(form)}
        onClear={() => {
          setForm(EMPTY_FILTERS);
          apply(EMPTY_FILTERS);
        }}
        errors={errors}
        refusal={refusal}
        busy={list.kind === "loading"}
      />
      <AuditTools key={purges} query={query} filtered={hasFilters(applied)} />
      <AuditList list={list} filtered={hasFilters(applied)} onOpen={setOpen} />
      <Pager
        pages={pages}
        loading={list.kind === "loading"}
        nextCursor={list.kind === "ready" ? list.value.nextCursor : null}
      />
      {open && (
        <AuditDetailDialog
          event={open}
          users={users}
          onClose={() => setOpen(null)}
          onActorEvents={(actorId) => {
            setOpen(null);
            // The person, not the name they had: a Username filter would miss them under another.
            apply({ ...applied, actor: "", actorId });
          }}
        />
      )}
      {purging && (
        <PurgeDialog
          onClose={closePurge}
          onPurged={(result) => {
            closePurge();
            setNotice(purgedWords(result));
            setPurges((n) => n + 1);
            setReload((n) => n + 1);
          }}
        />
      )}
    </>
  );
}

function AuditList(props: {
  readonly list: ListState;
  readonly filtered: boolean;
  readonly onOpen: (e: AuditEvent) => void;
}) {
  return (
    <LoadState state={props.list} loading="Loading audit events…">
      {({ items }) =>
        items.length === 0 ? (
          <p className="empty">
            {props.filtered ? "No audit events match these filters." : "The audit log has no events yet."}
          </p>
        ) : (
          <AuditTable events={items} onOpen={props.onOpen} />
        )
      }
    </LoadState>
  );
}
