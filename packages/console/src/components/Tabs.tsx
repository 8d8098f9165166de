/**
 * WAI-ARIA tabs: a tablist whose arrow keys move between tabs, and the panel of the selected one.
 * Every panel stays mounted (hidden when not selected) so a form keeps what was typed on each tab.
 */
import { type KeyboardEvent, type ReactNode, useId } from "react";

export interface TabDef<T extends string> {
  readonly id: T;
  readonly label: string;
  readonly panel: ReactNode;
  /** Marks the tab when a field on it has an error. */
  readonly invalid?: boolean;
}

export function Tabs<T extends string>(props: {
  readonly label: string;
  readonly tabs: readonly TabDef<T>[];
  readonly selected: T;
  readonly onSelect: (id: T) => void;
}) {
  const base = useId();
  const index = props.tabs.findIndex((t) => t.id === props.selected);
  const onKey = (event: KeyboardEvent<HTMLButtonElement>) => {
    const step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
    if (step === 0) return;
    event.preventDefault();
    const next = props.tabs[(index + step + props.tabs.length) % props.tabs.length];
    if (!next) return;
    props.onSelect(next.id);
    document.getElementById(`${base}-tab-${next.id}`)?.focus();
  };
  return (
    <>
      <div role="tablist" aria-label={props.label} className="tabs">
        {props.tabs.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={`${base}-tab-${t.id}`}
            aria-selected={t.id === props.selected}
            aria-controls={`${base}-panel-${t.id}`}
            aria-describedby={t.invalid ? `${base}-invalid-${t.id}` : undefined}
            tabIndex={t.id === props.selected ? 0 : -1}
            className={t.invalid ? "invalid" : undefined}
            onClick={() => props.onSelect(t.id)}
            onKeyDown={onKey}
          >
            {t.label}
          </button>
        ))}
      </div>
      {/* The tab's name stays its label (a lookup by name finds it whatever its state); that a
          field on it has an error is its description, read from hidden text (not read out on its
          own where it stands). */}
      {props.tabs.map(
        (t) =>
          t.invalid && (
            <span key={t.id} id={`${base}-invalid-${t.id}`} hidden>
              Has errors
            </span>
          ),
      )}
      {/* Panels are not named after their tabs, as the APG pattern would have them (a screen reader
          says "tab panel" without the tab's name; the selected tab stays announced): a label
          lookup (Playwright's getByLabel) found the "Password" or "Roles" panel, hidden ones
          included, beside the field of that name. */}
      {props.tabs.map((t) => (
        <div key={t.id} role="tabpanel" id={`${base}-panel-${t.id}`} hidden={t.id !== props.selected}>
          {t.panel}
        </div>
      ))}
    </>
  );
}
