/**
 * "Edit": the shared user form on the user as read now, saved with its version (If-Match). When
 * someone else changed the user meanwhile (412) nothing is saved: the dialog says so and offers
 * to reload their version.
 */
import { useState } from "react";
import { problemCode } from "../../api.ts";
import { Dialog } from "../../components/Dialog.tsx";
import { LoadState } from "../../components/LoadState.tsx";
import { useLoad } from "../../components/useLoad.ts";
import { useApi, useSession } from "../../session.tsx";
import type { User } from "../../types.ts";
import type { UserOptions } from "./options.ts";
import { UserForm } from "./UserForm.tsx";
import { updateBody, valuesOf } from "./userFormValues.ts";

export function EditUserDialog(props: {
  readonly userId: string;
  readonly options: UserOptions;
  readonly onClose: () => void;
  readonly onSaved: (user: User) => void;
}) {
  const api = useApi();
  const { me } = useSession();
  const [user, reload] = useLoad(() => api.users.get(props.userId), [api, props.userId]);
  const [stale, setStale] = useState(false);
  const title = user.kind === "ready" ? `Edit ${user.value.displayName}` : "Edit user";

  return (
    <Dialog title={title} onClose={props.onClose} wide>
      <LoadState state={user} loading="Loading the user…">
        {(u) => {
          const before = valuesOf(u);
          return (
            <UserForm
              // A reload starts the form again from the newer version.
              key={u.version}
              mode="edit"
              label={title}
              initial={before}
              options={props.options}
              privateRoleId={u.privateRole ? u.roleId : undefined}
              ownRole={u.id === me.user.id}
              onCancel={props.onClose}
              onSubmit={async (values, hasProfessionalId) => {
                const body = updateBody(before, values, hasProfessionalId);
                props.onSaved(
                  Object.keys(body).length === 0
                    ? u
                    : await api.users.update(u.id, body, { ifMatch: u.version }),
                );
              }}
              onError={(e) => {
                if (problemCode(e) !== "PRECONDITION_FAILED") return false;
                setStale(true);
                return true;
              }}
              notice={
                stale && (
                  <div role="alert" className="error user-stale">
                    <p>
                      Someone else changed this user while you were editing, so nothing was saved. Reload to
                      see their changes, then make yours again.
                    </p>
                    <button
                      type="button"
                      onClick={() => {
                        setStale(false);
                        reload();
                      }}
                    >
                      Reload
                    </button>
                  </div>
                )
              }
            />
          );
        }}
      </LoadState>
    </Dialog>
  );
}
