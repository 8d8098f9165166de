/** "Create New User": the shared user form in a modal; invited unless a password is set. */
import { Dialog } from "../components/Dialog.tsx";
import { useApi } from "../session.tsx";
import type { User } from "../types.ts";
import type { UserOptions } from "./users/options.ts";
import { UserForm } from "./users/UserForm.tsx";
import { createBody, EMPTY_VALUES } from "./users/userFormValues.ts";

export function CreateUserDialog(props: {
  readonly options: UserOptions;
  readonly onClose: () => void;
  readonly onCreated: (user: User) => void;
}) {
  const api = useApi();
  return (
    <Dialog title="Create New User" onClose={props.onClose} wide>
      <UserForm
        mode="create"
        label="Create New User"
        initial={EMPTY_VALUES}
        options={props.options}
        onCancel={props.onClose}
        onSubmit={async (values, hasProfessionalId) => {
          props.onCreated(await api.users.create(createBody(values, hasProfessionalId)));
        }}
      />
    </Dialog>
  );
}
