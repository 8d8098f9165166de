/**
 * "Edit": the shared user form on the user as read now, saved with its version (If-Match). When
 * someone else changed the user meanwhile (412) nothing is saved: the dialog says so and offers
 * to reload their version. Changing one's own email address asks for the password first (the API
 * needs it: ASVS 7.5.1).
 */
import { useState } from "react";
import { fieldErrors, problemCode } from "../../api.ts";
import { Dialog } from "../../components/Dialog.tsx";
import { LoadState } from "../../components/LoadState.tsx";
import { useLoad } from "../../components/useLoad.ts";
import { useApi, useSession } from "../../session.tsx";
import type { User } from "../../types.ts";
import { PasswordAgainDialog } from "../profile/PasswordAgainDialog.tsx";
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
  /** An own-email change waiting for the password, with what it will save. */
  const [confirming, setConfirming] = useState<{ user: User; body: Record<string, unknown> } | null>(null);
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
                if (u.id === me.user.id && "email" in body) {
                  setConfirming({ user: u, body });
                  return;
                }
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
      {confirming && (
        <PasswordAgainDialog
          title="Confirm your password"
          submitLabel="Save"
          submit={async (password) => {
            const { user: u, body } = confirming;
            props.onSaved(
              await api.users.update(u.id, { ...body, currentPassword: password }, { ifMatch: u.version }),
            );
          }}
          refusal={(e) =>
            fieldErrors(e).currentPassword
              ? { fields: { password: "That is not your password." }, message: null }
              : undefined
          }
          onClose={() => setConfirming(null)}
        >
          <p>Changing your own email address needs your password: password reset links go to it.</p>
        </PasswordAgainDialog>
      )}
    </Dialog>
  );
}
