/**
 * Choose one active user by search: a search box and the matches as a radio group (arrow keys
 * move the choice). The chosen user stays listed while the search changes.
 */
import { useEffect, useId, useState } from "react";
import { problemMessage } from "../../api.ts";
import { Field } from "../../components/Field.tsx";
import { ErrorAlert } from "../../components/Messages.tsx";
import { useSettled } from "../../components/useSettled.ts";
import { useApi } from "../../session.tsx";
import type { User } from "../../types.ts";

const MATCHES = 8;

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
  const [matches, setMatches] = useState<User[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    setLoadError(null);
    // One more than shown, so leaving the excluded one out still shows MATCHES.
    api.users.list({ status: "active", limit: MATCHES + 1, ...(query ? { q: query } : {}) }).then(
      (page) => {
        if (live) {
          setMatches(page.items.filter((u) => !u.virtual && u.id !== excludeId).slice(0, MATCHES));
        }
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
  const shown =
    chosen && matches && !matches.some((u) => u.id === chosen.id) ? [chosen, ...matches] : matches;
  const errorId = `${name}-error`;

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
        aria-describedby={props.error ? errorId : undefined}
      >
        <legend>User</legend>
        <ErrorAlert>{loadError}</ErrorAlert>
        {!loadError && shown === null && (
          <p className="loading" aria-busy="true">
            Loading users…
          </p>
        )}
        {shown?.length === 0 && <p className="empty">No active user matches “{query}”.</p>}
        {shown?.map((u) => (
          <label key={u.id}>
            <input
              type="radio"
              name={name}
              value={u.id}
              checked={chosen?.id === u.id}
              onChange={() => props.onSelect(u)}
            />{" "}
            {u.displayName} <span className="muted">({u.username})</span>
          </label>
        ))}
      </fieldset>
      {props.error && (
        <p id={errorId} className="field-error">
          {props.error}
        </p>
      )}
    </>
  );
}
