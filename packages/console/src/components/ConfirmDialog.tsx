/**
 * "Are you sure?" before a destructive action: says what will happen, runs it on Confirm, shows
 * the API's refusal in words and stays open, closes on success.
 */
import { type ReactNode, useState } from "react";
import { problemMessage } from "../api.ts";
import { Dialog } from "./Dialog.tsx";

export function ConfirmDialog(props: {
  readonly title: string;
  readonly children: ReactNode;
  /** The confirming button's name, e.g. "Archive". */
  readonly confirmLabel: string;
  readonly danger?: boolean;
  readonly onConfirm: () => Promise<void>;
  readonly onClose: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await props.onConfirm();
      props.onClose();
    } catch (e) {
      setError(problemMessage(e));
      setBusy(false);
    }
  };
  return (
    <Dialog title={props.title} onClose={props.onClose}>
      <div className="dialog-body">{props.children}</div>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <div className="actions">
        <button type="button" onClick={props.onClose} disabled={busy}>
          Cancel
        </button>
        <button
          type="button"
          className={props.danger ? "danger" : "primary"}
          onClick={confirm}
          disabled={busy}
          aria-busy={busy}
        >
          {props.confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}
