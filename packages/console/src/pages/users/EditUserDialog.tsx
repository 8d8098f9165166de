/**
 * "Edit": the shared user form on the user as read now, saved with its version (If-Match). When
 * someone else changed the user meanwhile (412) nothing is saved: the dialog says so and offers
 * to reload their version. Changing one's own email address asks for the password first (the API
 * needs it: ASVS 7.5.1). Someone who may set the user's password (users.credentials; not on oneself
 * nor a virtual user) can also set it here, as Prevounce's Edit does (W8): the fields are saved
 * first, then the password as the Actions items set it; a generated one is shown once after. A
 * refused password is said beside its field and the dialog stays open: the next Save sends only
 * what is still unsaved. An archived user's roles and workspaces can be changed, nothing else (the
 * API's rule: a role held only by archived users is freed without restoring them).
 */
import { useRef, useState } from "react";
import { fieldErrors, problemCode } from "../../api.ts";
import { Dialog } from "../../components/Dialog.tsx";
import { LoadState } from "../../components/LoadState.tsx";
import { useLoad } from "../../components/useLoad.ts";
import { useApi, useSession } from "../../session.tsx";
import type { User } from "../../types.ts";
import { PasswordAgainDialog } from "../profile/PasswordAgainDialog.tsx";
import type { UserOptions } from "./options.ts";
import { PasswordShownOnce, passwordSetWords } from "./RandomPasswordDialog.tsx";
import { UserForm } from "./UserForm.tsx";
import { passwordBody, updateBody, valuesOf } from "./userFormValues.ts";

export function EditUserDialog(props: {
  readonly userId: string;
  readonly options: UserOptions;
  readonly onClose: () => void;
  /** `said`: what else was done (a password set), in words. */
  readonly onSaved: (user: User, said?: string) => void;
}) {
  const api = useApi();
  const { me, can } = useSession();
  const [user, reload] = useLoad(() => api.users.get(props.userId), [api, props.userId]);
  const [stale, setStale] = useState(false);
  /** An own-email change waiting for the password, with what it will save. */
  const [confirming, setConfirming] = useState<{ user: User; body: Record<string, unknown> } | null>(null);
  /** The user as saved by a Save whose password was then refused: the next Save starts from it. */
  const saved = useRef<User | null>(null);
  const [partly, setPartly] = useState(false);
  /** A generated password to show once, and the words to say after. */
  const [shown, setShown] = useState<{ user: User; password: string; said: string } | null>(null);
  const title = user.kind === "ready" ? `Edit ${user.value.displayName}` : "Edit user";
  if (shown) {
    return (
      <PasswordShownOnce
        user={shown.user}
        password={shown.password}
        onClose={() => props.onSaved(shown.user, shown.said)}
      />
    );
  }

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
              passwordSettable={
                can("users.credentials") && u.id !== me.user.id && !u.virtual && u.status !== "archived"
              }
              archived={u.status === "archived"}
              // A credential action besides an edit (users.credentials), never on one's own account.
              wasVirtual={u.id === me.user.id || !can("users.credentials") ? undefined : u.virtual}
              onCancel={props.onClose}
              onSubmit={async (values, hasProfessionalId) => {
                const from = saved.current ?? u;
                const body = updateBody(valuesOf(from), values, hasProfessionalId);
                if (u.id === me.user.id && "email" in body) {
                  setConfirming({ user: u, body });
                  return;
                }
                const after =
                  Object.keys(body).length === 0
                    ? from
                    : await api.users.update(u.id, body, { ifMatch: from.version });
                const password = passwordBody(values);
                if (!password) return props.onSaved(after);
                saved.current = after;
                const answer = await api.credentials
                  .setUserPassword(u.id, password, { ifMatch: after.version })
                  .catch((e: unknown) => {
                    setPartly(after !== u);
                    throw e;
                  });
                const said = passwordSetWords(after, password);
                if (answer?.password) setShown({ user: after, password: answer.password, said });
                else props.onSaved(after, said);
              }}
              onError={(e) => {
                if (problemCode(e) !== "PRECONDITION_FAILED") return false;
                setStale(true);
                return true;
              }}
              notice={
                partly && !stale ? (
                  <p role="status" className="hint">
                    Your other changes were saved; the password was not.
                  </p>
                ) : (
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
                          saved.current = null;
                          setPartly(false);
                          reload();
                        }}
                      >
                        Reload
                      </button>
                    </div>
                  )
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
