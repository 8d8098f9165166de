/**
 * "Are you sure?" before a destructive action: says what will happen, runs it on Confirm, shows
 * the API's refusal in words and stays open, closes on success.
 */
import { type ReactNode, useState } from "react";
import { problemMessage } from "../api.ts";
import { Dialog } from "./Dialog.tsx";
import { FormActions } from "./FormActions.tsx";
import { ErrorAlert } from "./Messages.tsx";

export function ConfirmDialog(props: {
  readonly title: string;
  readonly children: ReactNode;
  /** The confirming button's name, e.g. "Archive". */
  readonly confirmLabel: string;
  readonly danger?: boolean;
  /** The action is refused whatever happens (its reason is in `children`): offered disabled. */
  readonly confirmDisabled?: boolean;
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
      <ErrorAlert>{error}</ErrorAlert>
      <FormActions
        busy={busy}
        onCancel={props.onClose}
        submitLabel={props.confirmLabel}
        danger={props.danger}
        onAction={confirm}
        actionDisabled={props.confirmDisabled}
      />
    </Dialog>
  );
}
