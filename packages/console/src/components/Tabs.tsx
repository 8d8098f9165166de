/**
 * WAI-ARIA tabs: a tablist whose arrow keys move between tabs, and the panel of the selected one.
 * Only the selected panel is in the page, so a label lookup (Playwright's getByLabel, which finds
 * hidden elements too) meets one tab's fields at a time: "Role" on the Roles tab found "Work role"
 * on the hidden User Information tab besides, and a dialog's "Password" the Profile's hidden
 * password fields. The user and role forms keep their values in their own state, so nothing typed
 * there is lost; Profile's Password tab left starts afresh, as a page left does. A tab marked
 * `keepMounted` stays in the page (hidden when not selected): a panel holding in its own state
 * what must not be lost (recovery codes shown once, Settings' two forms saved on their own).
 */
import { type KeyboardEvent, type ReactNode, useId } from "react";

export interface TabDef<T extends string> {
  readonly id: T;
  readonly label: string;
  readonly panel: ReactNode;
  /** Marks the tab when a field on it has an error. */
  readonly invalid?: boolean;
  /** Stays in the page while another tab is selected (hidden). */
  readonly keepMounted?: boolean;
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
          {(t.id === props.selected || t.keepMounted) && t.panel}
        </div>
      ))}
    </>
  );
}
