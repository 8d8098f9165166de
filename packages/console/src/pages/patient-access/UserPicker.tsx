/**
 * Choose one active or invited user by search (an invited one marked: access starts when they
 * accept the invitation, pickerWords.ts): a search box and the matches as a radio group (arrow keys
 * move the choice). The chosen user stays listed while the search changes. Only the first
 * matches are listed; when there are more, the group says how many and how to reach the others.
 */
import { useEffect, useId, useState } from "react";
import { problemMessage } from "../../api.ts";
import { Field } from "../../components/Field.tsx";
import { ErrorAlert } from "../../components/Messages.tsx";
import { useSettled } from "../../components/useSettled.ts";
import { useApi } from "../../session.tsx";
import type { User } from "../../types.ts";
import { noMatchWords, PICKABLE_STATUSES, pickNote } from "./pickerWords.ts";

const MATCHES = 8;
/**
 * How many matches are fetched to count them: the API's largest page, as it gives no total.
 * Beyond it the note says "or more".
 */
const COUNTED = 200;

interface Found {
  /** The search these are the matches of ("" for everyone). */
  readonly query: string;
  readonly shown: User[];
  /** Every match that could be offered (oneself left out), at most COUNTED. */
  readonly count: number;
  /** More matches than COUNTED. */
  readonly beyond: boolean;
}

/** Why the list is short, or null when it shows every match. */
function moreNote(found: Found): string | null {
  if (found.shown.length === found.count && !found.beyond) return null;
  const of = `${found.count}${found.beyond ? " or more" : ""}`;
  return found.query
    ? `Showing ${found.shown.length} of ${of} matches: type more of the name to find others.`
    : `Showing ${found.shown.length} of ${of} users: type a name to find others.`;
}

export function UserPicker(props: {
  readonly selected: User | null;
  readonly onSelect: (user: User) => void;
  readonly error?: string | undefined;
  /** Never offered (the caller: the server refuses granting oneself access). */
  readonly excludeId?: string;
}) {
  const api = useApi();
  const { excludeId } = props;
  const name = useId();
  const [q, setQ] = useState("");
  const query = useSettled(q.trim(), 250);
  const [found, setFound] = useState<Found | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    setLoadError(null);
    // Virtual users are not offered: left out by the server, so the count leaves them out too.
    const filter = {
      status: PICKABLE_STATUSES,
      virtual: false,
      limit: COUNTED,
      ...(query ? { q: query } : {}),
    } as const;
    api.users.list(filter).then(
      (page) => {
        if (!live) return;
        const offered = page.items.filter((u) => u.id !== excludeId);
        setFound({
          query,
          shown: offered.slice(0, MATCHES),
          count: offered.length,
          beyond: page.nextCursor !== null,
        });
      },
      (e: unknown) => {
        if (live) setLoadError(problemMessage(e));
      },
    );
    return () => {
      live = false;
    };
  }, [api, query, excludeId]);

  const chosen = props.selected;
  const matches = found?.shown ?? null;
  const shown =
    chosen && matches && !matches.some((u) => u.id === chosen.id) ? [chosen, ...matches] : matches;
  const errorId = `${name}-error`;
  const note = found && !loadError ? moreNote(found) : null;
  const noteId = `${name}-more`;
  const describedBy = [props.error ? errorId : null, note ? noteId : null].filter(Boolean).join(" ");

  return (
    <>
      <Field
        label="Find a user"
        type="search"
        placeholder="Name, username or email"
        value={q}
        onChange={(e) => setQ(e.target.value)}
        autoComplete="off"
      />
      <fieldset
        className="picker"
        aria-invalid={props.error ? true : undefined}
        aria-describedby={describedBy || undefined}
      >
        <legend>User</legend>
        <ErrorAlert>{loadError}</ErrorAlert>
        {!loadError && shown === null && (
          <p className="loading" aria-busy="true">
            Loading users…
          </p>
        )}
        {shown?.length === 0 && <p className="empty">{noMatchWords(query)}</p>}
        {shown?.map((u) => {
          const pending = pickNote(u);
          return (
            <label key={u.id}>
              <input
                type="radio"
                name={name}
                value={u.id}
                checked={chosen?.id === u.id}
                onChange={() => props.onSelect(u)}
              />{" "}
              {u.displayName} <span className="muted">({u.username})</span>
              {pending && <span className="muted"> — {pending}</span>}
            </label>
          );
        })}
      </fieldset>
      {/* Under the box, not in it: the box scrolls, and the note must show without scrolling. */}
      {note && (
        <p id={noteId} className="hint picker-more">
          {note}
        </p>
      )}
      {props.error && (
        <p id={errorId} className="field-error">
          {props.error}
        </p>
      )}
    </>
  );
}
