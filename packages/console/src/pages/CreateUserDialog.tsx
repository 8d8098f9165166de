/**
 * "Create New User": the shared user form in a modal; invited unless a password is set. The user
 * starts active in all workspaces, or in the creator's when they are active only in some.
 */
import { useState } from "react";
import { Dialog } from "../components/Dialog.tsx";
import { useOnce } from "../components/useOnce.ts";
import { useApi, useSession } from "../session.tsx";
import type { User } from "../types.ts";
import type { UserOptions } from "./users/options.ts";
import { UserForm } from "./users/UserForm.tsx";
import { createBody, newUserValues } from "./users/userFormValues.ts";

export function CreateUserDialog(props: {
  readonly options: UserOptions;
  readonly onClose: () => void;
  readonly onCreated: (user: User) => void;
}) {
  const api = useApi();
  const once = useOnce();
  const { me } = useSession();
  // Once, as the dialog opens: what is typed is compared with it (and the signed-in person's
  // access may be read again meanwhile).
  const [initial] = useState(() => newUserValues(me.user.workspaceAccess, props.options.workspaces));
  return (
    <Dialog title="Create New User" onClose={props.onClose} wide>
      <UserForm
        mode="create"
        label="Create New User"
        initial={initial}
        options={props.options}
        onCancel={props.onClose}
        onSubmit={async (values, hasProfessionalId) => {
          props.onCreated(await once.run(api, (c) => c.users.create(createBody(values, hasProfessionalId))));
        }}
      />
    </Dialog>
  );
}
