/** Why one cell says what it says: the explain answer for that permission and column, in words. */
import { ErrorAlert } from "../../components/Messages.tsx";
import type { Loaded } from "../../components/useLoad.ts";
import type { Explained, GridData } from "./model.ts";
import type { CellRef } from "./PermissionGrid.tsx";
import { namesOf, reasonWords, withNames } from "./reasons.ts";

export function ExplanationPanel(props: {
  readonly id: string;
  readonly data: GridData;
  readonly cell: CellRef | null;
  readonly answer: Loaded<Explained> | null;
}) {
  const { cell, answer, data } = props;
  const column = cell?.workspaceId
    ? (data.workspaces.find((w) => w.id === cell.workspaceId)?.name ?? cell.workspaceId)
    : "Tenant";
  return (
    <aside id={props.id} className="effective-explain" aria-labelledby={`${props.id}-title`}>
      <h2 id={`${props.id}-title`}>Explanation</h2>
      <div aria-live="polite">
        {!cell && <p className="hint">Select a cell to see why it is allowed or denied.</p>}
        {cell && (
          <p>
            <strong>{cell.permission.label}</strong> <span className="mono">({cell.permission.key})</span> in{" "}
            <strong>{column}</strong>
            {cell.workspaceId === null && <span className="hint"> (no workspace named)</span>}
          </p>
        )}
        {cell && answer?.kind === "loading" && (
          <p className="loading" aria-busy="true">
            Asking why…
          </p>
        )}
        {cell && answer?.kind === "error" && <ErrorAlert>{answer.message}</ErrorAlert>}
        {cell && answer?.kind === "ready" && (
          <>
            <p className="effective-reason">{reasonWords(answer.value.reason, namesOf(data), data.user)}</p>
            {answer.value.steps.length > 0 && (
              <>
                <h3 className="hint">How it was decided</h3>
                <ol>
                  {answer.value.steps.map((s, i) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: steps are an ordered list that is replaced whole.
                    <li key={i}>{withNames(s, data)}</li>
                  ))}
                </ol>
              </>
            )}
          </>
        )}
      </div>
    </aside>
  );
}
