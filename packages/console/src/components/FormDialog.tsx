/**
 * A dialog around one form: its fields, the refusal in words above the buttons, Cancel and the
 * one action. `noValidate`: the form checks its fields itself and says what is wrong in words.
 */
import type { FormEvent, ReactNode } from "react";
import { Dialog } from "./Dialog.tsx";
import { FormActions } from "./FormActions.tsx";
import { ErrorAlert } from "./Messages.tsx";

export function FormDialog(props: {
  readonly title: string;
  readonly onClose: () => void;
  readonly onSubmit: (event: FormEvent) => void;
  readonly busy: boolean;
  readonly error: ReactNode;
  /** Absent: a read-only form, with only `cancelLabel`. */
  readonly submitLabel?: string | undefined;
  readonly cancelLabel?: string;
  readonly danger?: boolean;
  readonly wide?: boolean;
  readonly children: ReactNode;
}) {
  return (
    <Dialog title={props.title} onClose={props.onClose} wide={props.wide}>
      <form onSubmit={props.onSubmit} aria-busy={props.busy} noValidate>
        {props.children}
        <ErrorAlert>{props.error}</ErrorAlert>
        <FormActions
          busy={props.busy}
          onCancel={props.onClose}
          cancelLabel={props.cancelLabel}
          submitLabel={props.submitLabel}
          danger={props.danger}
        />
      </form>
    </Dialog>
  );
}
